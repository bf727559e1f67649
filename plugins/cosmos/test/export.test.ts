import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, zstdDecompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HoldfastError } from '../../../src/core/errors.ts';
import {
  readAllDocuments,
  seedContainer,
  startCosmosServer,
  type CosmosServer,
} from '../../../test/harness/cosmos-server.ts';
import { cosmosPlugin } from '../cosmos-plugin.ts';
import { exportManifestSchema } from '../export-manifest.ts';
import { cosmosJob, filesUnder, sampleDocuments, tempStorage, testContext } from './cosmos-test-kit.ts';

describe('export of a container (real Cosmos server, local storage)', () => {
  let cosmos: CosmosServer;
  beforeAll(async () => {
    cosmos = await startCosmosServer();
    const client = cosmos.client();
    await seedContainer(
      client,
      'shop',
      {
        id: 'orders',
        partitionKey: { paths: ['/pk'] },
        defaultTtl: 3600,
        uniqueKeyPolicy: { uniqueKeys: [{ paths: ['/n'] }] },
      },
      sampleDocuments(2500),
    );
    await seedContainer(client, 'shop', { id: 'empty', partitionKey: { paths: ['/pk'] } }, []);
  });
  afterAll(async () => cosmos?.stop());

  const spec = (extra: Record<string, unknown> = {}) => ({
    account: { endpoint: cosmos.endpoint, auth: { type: 'emulator' as const } },
    storage: 'backups',
    include: ['shop/orders'],
    ...extra,
  });

  it('discovers, plans and exports every document as JSON Lines with a manifest, and returns the artifact', async () => {
    const plugin = cosmosPlugin();
    const storage = tempStorage();
    const job = cosmosJob('orders-nightly', spec());
    const ctx = testContext({ storage, manifests: [job] });
    try {
      const discovery = await plugin.discover(job, ctx);
      expect(discovery.targets.map((t) => t.id)).toEqual([`127.0.0.1-${cosmos.port}/shop/orders`]);
      const { steps } = await plugin.plan(job, discovery, ctx);
      expect(steps).toHaveLength(1);
      const step = steps[0]!;
      expect(step.command).toBe(
        `export cosmos://127.0.0.1:${cosmos.port}/shop/orders --emulator-key → backups:127.0.0.1-${cosmos.port}/shop/orders/orders_20260301_020000.jsonl.gz (+ .manifest.json)`,
      );
      expect(step.reason).toBe('export run by hand; no export yet');
      const outcome = await plugin.execute(step, job, ctx);
      expect(outcome.status).toBe('succeeded');
      const artifact = outcome.artifacts![0]!;
      expect(artifact).toMatchObject({
        kind: 'cosmos-export',
        type: 'export',
        storage: 'backups',
        target: step.target,
      });
      expect(artifact.locations).toEqual([
        `127.0.0.1-${cosmos.port}/shop/orders/orders_20260301_020000.jsonl.gz`,
        `127.0.0.1-${cosmos.port}/shop/orders/orders_20260301_020000.manifest.json`,
      ]);
      expect(filesUnder(storage.root)).toEqual(artifact.locations.slice().sort());

      const lines = gunzipSync(readFileSync(path.join(storage.root, artifact.locations[0]!)))
        .toString('utf8')
        .split('\n');
      expect(lines.pop()).toBe('');
      expect(lines).toHaveLength(2500);
      const exported = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      const live = await readAllDocuments(cosmos.client().database('shop').container('orders'));
      const byId = (docs: Record<string, unknown>[]) =>
        Object.fromEntries(docs.map((d) => [String(d.id), d]));
      expect(byId(exported)).toEqual(byId(live));
      expect(exported[0]).toHaveProperty('_rid');
      expect(exported[0]).toHaveProperty('_partitionKey');

      const manifest = exportManifestSchema.parse(
        JSON.parse(readFileSync(path.join(storage.root, artifact.locations[1]!), 'utf8')),
      );
      expect(manifest.data).toMatchObject({
        documentCount: 2500,
        compression: 'gzip',
        bytesCompressed: artifact.bytes,
        sha256: artifact.sha256,
      });
      expect(manifest.count).toEqual({ atStart: 2500, atEnd: 2500, exported: 2500 });
      expect(manifest.container.definition).toMatchObject({
        id: 'orders',
        partitionKey: { paths: ['/pk'] },
        defaultTtl: 3600,
        uniqueKeyPolicy: { uniqueKeys: [{ paths: ['/n'] }] },
      });
      expect(manifest.container.definition).not.toHaveProperty('_rid');
      expect(manifest.throughput).toBeNull();
      expect(manifest.throughputUnavailableReason).toMatch(/emulators have no offers/);
      expect(manifest.read).toMatchObject({ reader: 'query', feedRanges: 1, resumed: false });
      expect(manifest.data.bytesRaw).toBe(Buffer.byteLength(lines.join('\n')) + 1);
      expect(ctx.updates.at(-1)).toMatchObject({ fraction: 1, metrics: { documents: 2500 } });
    } finally {
      await plugin.dispose!();
    }
  });

  it('exports an empty container as an empty data file, and zstd / uncompressed on request', async () => {
    const plugin = cosmosPlugin();
    try {
      for (const compression of ['zstd', 'none'] as const) {
        const storage = tempStorage();
        const job = cosmosJob('all', spec({ include: ['shop/*'], compression }));
        const ctx = testContext({ storage, manifests: [job] });
        const { steps } = await plugin.plan(job, await plugin.discover(job, ctx), ctx);
        expect(steps.map((s) => s.target.split('/').slice(1).join('/'))).toEqual([
          'shop/empty',
          'shop/orders',
        ]);
        for (const step of steps) expect((await plugin.execute(step, job, ctx)).status).toBe('succeeded');
        const files = filesUnder(storage.root);
        const ext = compression === 'zstd' ? '.jsonl.zst' : '.jsonl';
        const data = files.filter((f) => f.endsWith(ext));
        expect(data).toHaveLength(2);
        const read = (f: string) => {
          const raw = readFileSync(path.join(storage.root, f));
          return (compression === 'zstd' ? zstdDecompressSync(raw) : raw).toString('utf8');
        };
        expect(read(data.find((f) => f.includes('/empty/'))!)).toBe('');
        expect(read(data.find((f) => f.includes('/orders/'))!).split('\n')).toHaveLength(2501);
      }
    } finally {
      await plugin.dispose!();
    }
  });

  it('fails the step when the change feed returns less than the container holds, and commits nothing', async () => {
    const plugin = cosmosPlugin();
    const storage = tempStorage();
    const job = cosmosJob('cf', spec({ reader: 'change-feed' }));
    const ctx = testContext({ storage, manifests: [job] });
    try {
      const { steps } = await plugin.plan(job, await plugin.discover(job, ctx), ctx);
      const err = await plugin.execute(steps[0]!, job, ctx).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HoldfastError);
      expect((err as HoldfastError).code).toBe('VERIFICATION_FAILED');
      expect((err as HoldfastError).message).toMatch(
        /read 1000 documents but the container holds 2500.*change feed did not return every document/,
      );
      expect(filesUnder(storage.root)).toEqual([]);
    } finally {
      await plugin.dispose!();
    }
  });
});
