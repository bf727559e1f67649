import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/helpers/cli.ts';
import { startAzurite, type Azurite } from '../../../test/harness/azurite.ts';
import {
  readAllDocuments,
  seedContainer,
  startCosmosServer,
  type CosmosServer,
} from '../../../test/harness/cosmos-server.ts';
import { SYSTEM_PROPERTIES } from '../restore/prepare-document.ts';
import { sampleDocuments } from './cosmos-test-kit.ts';

const withoutSystem = (d: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(d).filter(([k]) => !(SYSTEM_PROPERTIES as readonly string[]).includes(k)),
  );
const byId = (docs: Record<string, unknown>[]) => new Map(docs.map((d) => [String(d.id), withoutSystem(d)]));

/** A document of about `bytes` bytes of JSON (under the 2 MB item limit). */
function bigDocument(id: string, n: number, bytes: number): Record<string, unknown> {
  const chunk = 'x'.repeat(1000);
  return {
    id,
    pk: 'big',
    n,
    blob: Array.from({ length: Math.floor(bytes / 1010) }, (_, i) => `${i}:${chunk}`),
    _meta: { big: true },
  };
}

describe('export and restore through the CLI (Cosmos server, Azurite)', () => {
  let cosmos: CosmosServer;
  let azurite: Azurite;
  let work = '';
  const documents = [
    ...sampleDocuments(1500),
    bigDocument('big-1', -1, 1_900_000),
    bigDocument('big-2', -2, 1_500_000),
  ];

  beforeAll(async () => {
    [cosmos, azurite] = await Promise.all([startCosmosServer(), startAzurite()]);
    await BlobServiceClient.fromConnectionString(azurite.connectionString)
      .getContainerClient('exports')
      .create();
    const client = cosmos.client();
    await seedContainer(
      client,
      'shop',
      {
        id: 'orders',
        partitionKey: { paths: ['/pk'] },
        defaultTtl: 86_400,
        uniqueKeyPolicy: { uniqueKeys: [{ paths: ['/n'] }] },
        indexingPolicy: {
          indexingMode: 'consistent',
          includedPaths: [{ path: '/*' }],
          excludedPaths: [{ path: '/blob/*' }, { path: '/"_etag"/?' }],
        },
      },
      documents,
    );
    await seedContainer(
      client,
      'shop',
      { id: 'customers', partitionKey: { paths: ['/pk'] } },
      sampleDocuments(40, { prefix: 'cust' }),
    );
    await seedContainer(client, 'legacy', { id: 'unlisted', partitionKey: { paths: ['/pk'] } }, []);
    work = mkdtempSync(path.join(tmpdir(), 'hf-cosmos-cli-'));
    writeFileSync(
      path.join(work, 'jobs.yaml'),
      `apiVersion: holdfast/v1
kind: Storage
metadata: { name: backups }
spec:
  type: azure-blob
  account: ${azurite.blobEndpoint}
  container: exports
  auth: { type: connection-string, connectionString: { secretRef: env:HF_BLOB } }
---
apiVersion: holdfast/v1
kind: CosmosBackup
metadata: { name: orders-nightly }
spec:
  schedule: { cron: "0 2 * * *", timezone: Europe/London }
  account: { endpoint: ${cosmos.endpoint}, name: orders, auth: { type: emulator } }
  include: ["shop/*"]
  storage: backups
  retention: { keepDays: 14 }
`,
    );
  }, 120_000);
  afterAll(async () => {
    await cosmos?.stop();
    await azurite?.stop();
  });

  const env = () => ({ HF_BLOB: azurite.connectionString });
  const cli = (args: string[]) => runCli(args, { cwd: work, env: env() });

  it('discover and plan show the containers, the uncovered one, and the exact commands', async () => {
    const discover = await cli(['discover', 'jobs.yaml']);
    expect(discover.code, discover.stderr).toBe(0);
    expect(discover.stdout).toContain('covers orders/shop/orders');
    expect(discover.stdout).toContain(
      'warning: 1 container(s) on orders are covered by no CosmosBackup job: legacy/unlisted',
    );
    const plan = await cli(['plan', 'jobs.yaml']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(
      /export cosmos:\/\/127\.0\.0\.1:\d+\/shop\/orders --emulator-key → backups:orders\/shop\/orders\/orders_\d{8}_\d{6}\.jsonl\.gz \(\+ \.manifest\.json\)/,
    );
    expect(plan.stdout).toContain('scheduled export (0 2 * * * Europe/London); no export yet');
  });

  it('runs the export, records artifacts, restores into a new container, and every document comes back', async () => {
    const run = await cli(['run', 'jobs.yaml']);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/ok {3}orders-nightly\/orders\/shop\/orders .*exported 1502 documents/);
    const artifacts = JSON.parse((await cli(['catalog', 'list', '--json'])).stdout) as {
      target: string;
      kind: string;
      locations: string[];
      metadata: { documentCount: number };
    }[];
    expect(artifacts.map((a) => [a.target, a.kind, a.metadata.documentCount]).sort()).toEqual([
      ['orders/shop/customers', 'cosmos-export', 40],
      ['orders/shop/orders', 'cosmos-export', 1502],
    ]);

    const to = (container: string) => [
      'restore',
      'cosmos',
      'jobs.yaml',
      '--job',
      'orders-nightly',
      '--database',
      'shop',
      '--container',
      'orders',
      '--to-database',
      'restored',
      '--to-container',
      container,
    ];
    const args = to('orders');
    const dry = await cli([...args, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('Restore of orders/shop/orders');
    expect(dry.stdout).toMatch(
      /create cosmos:\/\/127\.0\.0\.1:\d+\/restored\/orders from the manifest: partition key \["\/pk"\], indexing policy, 1 unique key\(s\).*; TTL off while loading/,
    );
    expect(dry.stdout).toContain('then set defaultTtl 86400');
    const client = cosmos.client();
    expect((await client.databases.readAll().fetchAll()).resources.map((d) => d.id)).not.toContain(
      'restored',
    );

    // The npm emulator drops a container's documents when the container is replaced (as setting TTL does):
    // the restore notices and says so, and --skip-ttl restores without that step.
    const lost = await cli(to('ttl-lost'));
    expect(lost.code).toBe(1);
    expect(lost.stderr).toContain(
      'setting defaultTtl 86400 on restored/ttl-lost left 0 of its 1502 documents',
    );
    const restore = await cli([...args, '--skip-ttl']);
    expect(restore.code, `${restore.stdout}\n${restore.stderr}`).toBe(0);
    expect(restore.stdout).toContain('warning: defaultTtl 86400 of the source is not applied (--skip-ttl)');
    expect(restore.stdout).toMatch(
      /Restored 1,502 of 1,502 documents into restored\/orders .*count 1,502 \(expected 1,502\): ok\n/,
    );

    const target = client.database('restored').container('orders');
    const restored = await readAllDocuments(target);
    const original = await readAllDocuments(client.database('shop').container('orders'));
    expect(restored).toHaveLength(1502);
    expect(byId(restored)).toEqual(byId(original));
    expect(byId(restored).get('doc-0-ünïcødé-注文-🚀')).toMatchObject({
      _type: 'order',
      _partitionKey: 'user-field-0',
      lines: [{ tags: ['a', ['nested', 0]] }, { tags: [] }],
    });
    expect(JSON.stringify(byId(restored).get('big-1')).length).toBeGreaterThan(1_800_000);
    const { resource } = await target.read();
    expect(resource).not.toHaveProperty('defaultTtl');
    expect((await client.database('restored').container('ttl-lost').read()).resource).toMatchObject({
      defaultTtl: 86_400,
    });
    expect(resource).toMatchObject({
      uniqueKeyPolicy: { uniqueKeys: [{ paths: ['/n'] }] },
      partitionKey: { paths: ['/pk'] },
    });
    expect(resource!.indexingPolicy?.excludedPaths).toEqual(expect.arrayContaining([{ path: '/blob/*' }]));
  }, 120_000);

  it('refuses to load into a container that holds documents unless --into-existing, then upserts (safe to repeat)', async () => {
    const args = [
      'restore',
      'cosmos',
      'jobs.yaml',
      '--job',
      'orders-nightly',
      '--database',
      'shop',
      '--container',
      'orders',
      '--to-database',
      'restored',
      '--to-container',
      'orders',
    ];
    const refused = await cli(args);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'restored/orders already holds 1502 documents: refusing to load into it (pass --into-existing',
    );
    const again = await cli([...args, '--into-existing', '--json']);
    expect(again.code, again.stderr).toBe(0);
    const summary = JSON.parse(again.stdout) as {
      documents: { written: number; deadLettered: number };
      count: { actual: number; ok: boolean };
    };
    expect(summary.documents).toMatchObject({ written: 1502, deadLettered: 0 });
    expect(summary.count).toMatchObject({ actual: 1502, ok: true });
  }, 60_000);

  it('writes documents that cannot be stored to a dead-letter file and exits 3', async () => {
    const client = cosmos.client();
    await seedContainer(
      client,
      'restored',
      {
        id: 'conflicts',
        partitionKey: { paths: ['/pk'] },
        uniqueKeyPolicy: { uniqueKeys: [{ paths: ['/n'] }] },
      },
      [{ id: 'squatter', pk: 'customer-5', n: 5 }],
    );
    const deadLetter = path.join(work, 'dead.jsonl');
    const r = await cli([
      'restore',
      'cosmos',
      'jobs.yaml',
      '--job',
      'orders-nightly',
      '--database',
      'shop',
      '--container',
      'customers',
      '--to-database',
      'restored',
      '--to-container',
      'conflicts',
      '--into-existing',
      '--dead-letter',
      deadLetter,
    ]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toContain('Restored 39 of 40 documents');
    expect(r.stdout).toContain(`1 document(s) could not be stored; they are in ${deadLetter}`);
    const entries = readFileSync(deadLetter, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; error: string; document: Record<string, unknown> });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      id: 'cust-5',
      error: expect.stringContaining('already exists'),
      document: { id: 'cust-5', n: 5 },
    });
    expect(entries[0]!.document).not.toHaveProperty('_rid');
  }, 60_000);

  it('finds the export by listing the storage when the catalog does not know it', async () => {
    const r = await runCli(
      [
        'restore',
        'cosmos',
        'jobs.yaml',
        '--catalog',
        path.join(work, 'elsewhere.db'),
        '--job',
        'orders-nightly',
        '--database',
        'shop',
        '--container',
        'customers',
        '--to-database',
        'restored',
        '--to-container',
        'from-listing',
        '--json',
      ],
      { cwd: work, env: env() },
    );
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as {
      plan: { source: { foundIn: string; manifestKey: string } };
      documents: { written: number };
    };
    expect(summary.plan.source.foundIn).toBe('storage');
    expect(summary.plan.source.manifestKey).toMatch(
      /^orders\/shop\/customers\/customers_\d{8}_\d{6}\.manifest\.json$/,
    );
    expect(summary.documents.written).toBe(40);
    expect(existsSync(path.join(work, 'elsewhere.db'))).toBe(false);
  }, 60_000);

  it('restores into another account with --to-account', async () => {
    const other = await startCosmosServer();
    try {
      const r = await cli([
        'restore',
        'cosmos',
        'jobs.yaml',
        '--job',
        'orders-nightly',
        '--database',
        'shop',
        '--container',
        'customers',
        '--to-account',
        other.endpoint,
        '--to-auth',
        'emulator',
        '--to-database',
        'copy',
        '--to-container',
        'customers',
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`into cosmos://127.0.0.1:${other.port}/copy/customers (new container)`);
      expect(await readAllDocuments(other.client().database('copy').container('customers'))).toHaveLength(40);
    } finally {
      await other.stop();
    }
  }, 60_000);

  it('says which jobs exist when --job names none, and what is missing when there is no export', async () => {
    const wrongJob = await cli([
      'restore',
      'cosmos',
      'jobs.yaml',
      '--job',
      'nope',
      '--database',
      'shop',
      '--container',
      'orders',
      '--to-database',
      'x',
      '--to-container',
      'y',
    ]);
    expect(wrongJob.code).toBe(2);
    expect(wrongJob.stderr).toContain(
      '--job nope: no CosmosBackup job of that name; CosmosBackup jobs: orders-nightly',
    );
    const none = await cli([
      'restore',
      'cosmos',
      'jobs.yaml',
      '--job',
      'orders-nightly',
      '--database',
      'legacy',
      '--container',
      'unlisted',
      '--to-database',
      'x',
      '--to-container',
      'y',
    ]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(
      /no complete export of legacy\/unlisted for job orders-nightly: none in the catalog, and no manifest under backups:orders\/legacy\/unlisted\/unlisted_/,
    );
  });
});
