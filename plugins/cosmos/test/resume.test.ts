import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.ts';
import { HoldfastError } from '../../../src/core/errors.ts';
import { seedContainer, startCosmosServer, type CosmosServer } from '../../../test/harness/cosmos-server.ts';
import { startFaultProxy, type FaultProxy } from '../../../test/harness/fault-proxy.ts';
import { cosmosPlugin } from '../cosmos-plugin.ts';
import { exportManifestSchema } from '../export-manifest.ts';
import {
  cosmosJob,
  filesUnder,
  observePuts,
  sampleDocuments,
  tempStorage,
  testContext,
} from './cosmos-test-kit.ts';

describe('an interrupted export resumes from its checkpoint', () => {
  let cosmos: CosmosServer;
  let proxy: FaultProxy;
  beforeAll(async () => {
    cosmos = await startCosmosServer();
    await seedContainer(
      cosmos.client(),
      'shop',
      { id: 'orders', partitionKey: { paths: ['/pk'] } },
      sampleDocuments(2000),
    );
    // Slow every document page down a little, so the abort lands mid-way.
    proxy = await startFaultProxy(cosmos.endpoint, {
      schedule: (r) => (r.path.includes('/docs') ? { type: 'delay', ms: 30 } : { type: 'pass' }),
    });
  });
  afterAll(async () => {
    await proxy?.stop();
    await cosmos?.stop();
  });

  it('aborted after two checkpoints, the next plan resumes it, and the result holds every document once', async () => {
    const local = tempStorage();
    const clock = new ManualClock('2026-03-01T02:00:00Z');
    const job = cosmosJob('orders', {
      account: { endpoint: proxy.endpoint, auth: { type: 'emulator' } },
      storage: 'backups',
      include: ['shop/orders'],
      pageSize: 100,
      checkpoint: { documents: 300 },
    });

    const first = new AbortController();
    let checkpoints = 0;
    const storage = observePuts(local, (key) => {
      if (key.endsWith('.checkpoint.json') && ++checkpoints === 2)
        first.abort(new Error('killed for the test'));
    });
    const plugin = cosmosPlugin({ retry: { baseDelayMs: 10 } });
    try {
      const ctx1 = testContext({ storage, manifests: [job], clock, signal: first.signal });
      const { steps } = await plugin.plan(job, await plugin.discover(job, ctx1), ctx1);
      const err = (await plugin.execute(steps[0]!, job, ctx1).catch((e: unknown) => e)) as HoldfastError;
      expect(err).toBeInstanceOf(HoldfastError);
      expect(err.code).toBe('CANCELLED');
      const base = `127.0.0.1-${proxy.endpoint.split(':').at(-1)}/shop/orders/orders_20260301_020000`;
      expect(filesUnder(local.root)).toEqual(
        [
          `${base}.jsonl.gz`,
          `${base}.part-00001.jsonl.gz`,
          `_holdfast/checkpoints/orders/${steps[0]!.target}.checkpoint.json`,
        ].sort(),
      );
      const saved = JSON.parse(
        readFileSync(
          path.join(local.root, `_holdfast/checkpoints/orders/${steps[0]!.target}.checkpoint.json`),
          'utf8',
        ),
      ) as { segments: { documents: number }[] };
      expect(saved.segments.map((s) => s.documents)).toEqual([300, 300]);

      // A later run (the clock moved on): the plan resumes under the first run's name.
      clock.advance(3_600_000);
      const ctx2 = testContext({ storage: local, manifests: [job], clock });
      const again = await plugin.plan(job, await plugin.discover(job, ctx2), ctx2);
      expect(again.steps[0]!.reason).toMatch(
        /^resuming the export started 2026-03-01T02:00Z \(600 documents in 2 part\(s\) already saved\); export run by hand; no export yet$/,
      );
      expect(again.steps[0]!.command).toContain(`${base}.jsonl.gz`);
      const outcome = await plugin.execute(again.steps[0]!, job, ctx2);
      expect(outcome.summary).toContain('resumed from its checkpoint');

      expect(filesUnder(local.root)).toEqual([`${base}.jsonl.gz`, `${base}.manifest.json`]);
      const manifest = exportManifestSchema.parse(
        JSON.parse(readFileSync(path.join(local.root, `${base}.manifest.json`), 'utf8')),
      );
      expect(manifest.read.resumed).toBe(true);
      expect(manifest.startedAt).toBe('2026-03-01T02:00:00.000Z');
      expect(manifest.data.segments.length).toBeGreaterThanOrEqual(3);
      expect(manifest.data.segments.reduce((n, s) => n + s.documents, 0)).toBe(2000);
      const raw = readFileSync(path.join(local.root, `${base}.jsonl.gz`));
      expect(raw.length).toBe(manifest.data.bytesCompressed);
      const ids = gunzipSync(raw)
        .toString('utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { id: string }).id);
      expect(ids).toHaveLength(2000);
      expect(new Set(ids)).toEqual(new Set(sampleDocuments(2000).map((d) => d.id)));
    } finally {
      await plugin.dispose!();
    }
  }, 60_000);

  it('a checkpoint from a container that was since recreated is discarded and the export starts over', async () => {
    const local = tempStorage();
    const clock = new ManualClock('2026-03-02T02:00:00Z');
    const client = cosmos.client();
    await seedContainer(
      client,
      'shop',
      { id: 'again', partitionKey: { paths: ['/pk'] } },
      sampleDocuments(700, { prefix: 'old' }),
    );
    const job = cosmosJob('again', {
      account: { endpoint: proxy.endpoint, auth: { type: 'emulator' } },
      storage: 'backups',
      include: ['shop/again'],
      pageSize: 100,
      checkpoint: { documents: 200 },
    });
    const first = new AbortController();
    const storage = observePuts(local, (key) => key.endsWith('.checkpoint.json') && first.abort());
    const plugin = cosmosPlugin({ retry: { baseDelayMs: 10 } });
    try {
      const ctx1 = testContext({ storage, manifests: [job], clock, signal: first.signal });
      const { steps } = await plugin.plan(job, await plugin.discover(job, ctx1), ctx1);
      await expect(plugin.execute(steps[0]!, job, ctx1)).rejects.toThrow(/cancelled/);

      await client.database('shop').container('again').delete();
      await seedContainer(
        client,
        'shop',
        { id: 'again', partitionKey: { paths: ['/pk'] } },
        sampleDocuments(350, { prefix: 'new' }),
      );
      const ctx2 = testContext({ storage: local, manifests: [job], clock });
      const again = await plugin.plan(job, await plugin.discover(job, ctx2), ctx2);
      const outcome = await plugin.execute(again.steps[0]!, job, ctx2);
      expect(outcome.summary).toMatch(
        /discarded an interrupted export \(the container was recreated since\)/,
      );
      expect(outcome.metrics?.documents).toBe(350);
      expect(filesUnder(local.root).filter((f) => f.includes('part-') || f.includes('checkpoint'))).toEqual(
        [],
      );
    } finally {
      await plugin.dispose!();
    }
  }, 60_000);
});
