import { cpSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobServiceClient } from '@azure/storage-blob';
import { openCatalog } from '../../src/catalog/sqlite-catalog.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { runCli } from '../helpers/cli.ts';
import { startAzurite, type Azurite } from '../harness/azurite.ts';
import { retentionTestPlugin } from './retention-test-plugin.ts';

const DAY = 86_400_000;

/** A work directory with two data files and the given job file. */
function workspace(...docs: string[]): string {
  const jobs = docs.join('---\n');
  const dir = mkdtempSync(path.join(tmpdir(), 'hf-ret-cli-'));
  cpSync(path.resolve(import.meta.dirname, '../fixtures/good/data'), path.join(dir, 'data'), {
    recursive: true,
  });
  writeFileSync(path.join(dir, 'jobs.yaml'), jobs);
  return dir;
}

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (!e.name.startsWith('.')) out.push(path.relative(dir, path.join(d, e.name)));
    }
  };
  walk(dir);
  return out.sort();
}

const storage = (name: string, spec: string) =>
  `apiVersion: holdfast/v1\nkind: Storage\nmetadata: { name: ${name} }\nspec: ${spec}\n`;
const job = (name: string, spec: string) =>
  `apiVersion: holdfast/v1\nkind: RetainedCopy\nmetadata: { name: ${name} }\nspec: ${spec}\n`;

describe('retention end to end through the CLI (test plugin, local directory)', () => {
  const plugin = retentionTestPlugin();
  const clock = new ManualClock('2026-03-01T02:00:00Z');
  const deps = { plugins: [plugin], clock };
  const dir = workspace(
    storage('backups', '{ type: local, path: ./out }'),
    job(
      'copies',
      '{ source: ./data, storage: backups, prefix: copies, manifest: true, retention: { keepLast: 2 } }',
    ),
    job(
      'chained',
      '{ source: ./data, storage: backups, prefix: chained, chain: true, retention: { keepLast: 1 } }',
    ),
    job('on-server', '{ source: ./data, serverDir: ./server, prefix: srv, retention: { keepDays: 2 } }'),
  );
  const cli = (...args: string[]) =>
    runCli([...args, '--catalog', path.join(dir, 'catalog.db')], { cwd: dir, deps });
  const present = (jobName: string) => {
    const c = openCatalog(path.join(dir, 'catalog.db'), { readOnly: true });
    try {
      return c.listArtifacts({ job: jobName });
    } finally {
      c.close();
    }
  };

  it('keeps the newest copies after each successful run and removes the rest, manifest and data', async () => {
    for (let day = 0; day < 4; day++) {
      const r = await cli('run', 'jobs.yaml', '--job', 'copies');
      expect(r.code, r.stderr).toBe(0);
      if (day < 2) expect(r.stdout).toMatch(/Retention:\n {2}copies: nothing to remove \(\d kept\)/);
      else expect(r.stdout).toMatch(/Retention:\n {2}copies: removed 2 artifact\(s\), .*, 4 kept/);
      clock.advance(DAY);
    }
    expect(present('copies')).toHaveLength(4);
    const left = files(path.join(dir, 'out', 'copies'));
    expect(left).toHaveLength(8); // 2 files x 2 copies x (data + manifest)
    expect(left.filter((f) => f.startsWith('a.txt/'))).toEqual([
      'a.txt/20260303T020000Z/data',
      'a.txt/20260303T020000Z/manifest.json',
      'a.txt/20260304T020000Z/data',
      'a.txt/20260304T020000Z/manifest.json',
    ]);
  });

  it('shows retention in holdfast plan and retention plan, and writes nothing', async () => {
    const before = files(dir);
    const plan = await cli('plan', 'jobs.yaml', '--job', 'copies', '--json');
    expect(plan.code).toBe(0);
    const retention = JSON.parse(plan.stdout).retention as {
      decision: string;
      reasons: string[];
      target: string;
    }[];
    expect(retention).toHaveLength(4);
    expect(retention.every((r) => r.decision === 'keep')).toBe(true);
    expect(
      retention
        .filter((r) => r.target === 'files/a.txt')
        .at(-1)!
        .reasons.join('; '),
    ).toMatch(/keepLast 2: newest 1 of 2; newest restore point of files\/a\.txt: never removed/);

    const text = await cli('retention', 'plan', 'jobs.yaml', '--job', 'copies');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Job copies \(policy \{"keepLast":2,.*\}\): 4 kept, 0 to remove/);
    expect(text.stdout).toMatch(/keep {3}files\/a\.txt {2}full {2}2026-03-04 02:00/);
    expect(files(dir)).toEqual(before);
  });

  it('a chain is kept whole however short the policy', async () => {
    for (let day = 0; day < 3; day++) {
      expect((await cli('run', 'jobs.yaml', '--job', 'chained')).code).toBe(0);
      clock.advance(DAY);
    }
    const r = await cli('retention', 'plan', 'jobs.yaml', '--job', 'chained', '--json');
    const entries = JSON.parse(r.stdout).jobs[0].entries as {
      decision: string;
      type: string;
      reasons: string[];
    }[];
    expect(entries).toHaveLength(6);
    expect(entries.every((e) => e.decision === 'keep')).toBe(true);
    expect(entries.find((e) => e.type === 'full')!.reasons.join('; ')).toMatch(
      /part of the newest complete restore chain .*; needed by incremental/,
    );
  });

  it('does not clean up after a failed backup', async () => {
    const failing = workspace(
      storage('backups', '{ type: local, path: ./out }'),
      job('copies', '{ source: ./data, storage: backups, failPattern: "^b", retention: { keepLast: 1 } }'),
    );
    const run = (d: ManualClock) =>
      runCli(['run', 'jobs.yaml', '--catalog', path.join(failing, 'catalog.db')], {
        cwd: failing,
        deps: { plugins: [plugin], clock: d },
      });
    const c = new ManualClock('2026-03-01T02:00:00Z');
    for (let i = 0; i < 3; i++) {
      const r = await run(c);
      expect(r.code).toBe(3); // b.txt fails, a.txt succeeds
      expect(r.stdout).not.toMatch(/Retention:/);
      c.advance(DAY);
    }
    expect(files(path.join(failing, 'out', 'files'))).toHaveLength(3); // three copies of a.txt, none removed
  });

  it('mode before-backup cleans up before the backup, whatever the backup does', async () => {
    const ws = workspace(
      storage('backups', '{ type: local, path: ./out }'),
      job(
        'copies',
        '{ source: ./data, storage: backups, failPattern: "^b", retention: { keepLast: 1, mode: before-backup } }',
      ),
    );
    const c = new ManualClock('2026-03-01T02:00:00Z');
    for (let i = 0; i < 3; i++) {
      const r = await runCli(['run', 'jobs.yaml', '--catalog', path.join(ws, 'catalog.db')], {
        cwd: ws,
        deps: { plugins: [plugin], clock: c },
      });
      expect(r.code).toBe(3);
      expect(r.stdout).toMatch(
        i < 2
          ? /Retention:\n {2}copies: nothing to remove/
          : /Retention:\n {2}copies: removed 1 artifact\(s\)/,
      );
      c.advance(DAY);
    }
    // Before the third backup, the older of two copies went; the third backup added one.
    expect(files(path.join(ws, 'out', 'files'))).toEqual([
      'a.txt/20260302T020000Z/data',
      'a.txt/20260303T020000Z/data',
    ]);
  });

  it('artifacts outside a Storage target are removed through the plugin hook; apply --dry-run removes nothing', async () => {
    for (let day = 0; day < 4; day++) {
      expect((await cli('run', 'jobs.yaml', '--job', 'on-server')).code).toBe(0);
      clock.advance(DAY);
    }
    // Cleanup after each run already removed what was older than 2 days; two days later, more is due.
    clock.advance(2 * DAY);
    const dry = await cli('retention', 'apply', 'jobs.yaml', '--job', 'on-server', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/REMOVE files\/a\.txt/);
    expect(dry.stderr).toMatch(/dry run: nothing was removed/);
    const before = files(path.join(dir, 'server'));
    expect(files(path.join(dir, 'server'))).toEqual(before);

    const removedBefore = plugin.removed.length;
    const apply = await cli('retention', 'apply', 'jobs.yaml', '--job', 'on-server');
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toMatch(/=> on-server: removed 2 artifact\(s\)/);
    expect(plugin.removed.length - removedBefore).toBe(2);
    expect(files(path.join(dir, 'server'))).toHaveLength(2); // the newest copy of each file: the rail
    expect(present('on-server')).toHaveLength(2);
  });
});

describe('an interrupted cleanup on Azure Blob (Azurite) is finished by the next run', () => {
  let azurite: Azurite;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  it('a leased blob stops the cleanup halfway; the manifest is gone first; the next run finishes', async () => {
    const plugin = retentionTestPlugin();
    const clock = new ManualClock('2026-03-01T02:00:00Z');
    const dir = workspace(
      storage(
        'blobs',
        `{ type: azure-blob, account: "${azurite.blobEndpoint}", container: cleanup, auth: { type: connection-string, connectionString: { secretRef: env:HF_BLOB } } }`,
      ),
      job(
        'exports',
        '{ source: ./data, storage: blobs, prefix: exports, manifest: true, retention: { keepLast: 1 } }',
      ),
    );
    const env = { HF_BLOB: azurite.connectionString };
    const cli = (...args: string[]) =>
      runCli([...args, '--catalog', path.join(dir, 'catalog.db')], {
        cwd: dir,
        env,
        deps: { plugins: [plugin], clock },
      });
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
      'cleanup',
    );
    const blobs = async () => {
      const out: string[] = [];
      for await (const b of container.listBlobsFlat()) out.push(b.name);
      return out.sort();
    };

    await container.createIfNotExists();
    const one = await cli('run', 'jobs.yaml');
    expect(one.code, one.stdout + one.stderr).toBe(0);
    const first = await blobs();
    expect(first).toHaveLength(4);
    // Someone (a copy tool, a legal hold) holds a lease on the first copy's data blob: Azure refuses to delete it.
    const leased = container
      .getBlobClient(first.find((b) => b.startsWith('exports/a.txt/') && b.endsWith('/data'))!)
      .getBlobLeaseClient();
    await leased.acquireLease(-1);

    clock.advance(DAY);
    const second = await cli('run', 'jobs.yaml');
    expect(second.code, second.stdout + second.stderr).toBe(3); // the backup succeeded, its cleanup did not
    expect(second.stdout).toMatch(
      /exports: cleanup FAILED after it removed \d artifact\(s\).*cannot remove full .* of files\/a\.txt/,
    );
    expect(second.stdout).toMatch(/the next run finishes the cleanup/);
    const catalog = openCatalog(path.join(dir, 'catalog.db'), { readOnly: true });
    const stuck = catalog.listArtifacts({ job: 'exports', states: ['removing'] });
    catalog.close();
    expect(stuck).toHaveLength(1);
    const after = await blobs();
    expect(after).toContain(stuck[0]!.locations[0]); // the data is still there...
    expect(after).not.toContain(stuck[0]!.locations[1]); // ...but the manifest went first: it no longer looks complete

    await leased.releaseLease();
    const plan = await cli('retention', 'plan', 'jobs.yaml', '--json');
    const entry = JSON.parse(plan.stdout).jobs[0].entries.find(
      (e: { artifactId: string }) => e.artifactId === stuck[0]!.id,
    );
    expect(entry.reasons[0]).toMatch(/an earlier cleanup was interrupted/);
    const finish = await cli('retention', 'apply', 'jobs.yaml');
    expect(finish.code, finish.stdout + finish.stderr).toBe(0);
    const c2 = openCatalog(path.join(dir, 'catalog.db'), { readOnly: true });
    expect(c2.listArtifacts({ job: 'exports', states: ['removing'] })).toHaveLength(0);
    expect(c2.listArtifacts({ job: 'exports' })).toHaveLength(2);
    c2.close();
    expect(await blobs()).toHaveLength(4); // the newest copy of each file, data and manifest
  });
});
