import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.ts';
import { cosmosPlugin } from '../cosmos-plugin.ts';
import { exportManifestSchema } from '../export-manifest.ts';
import { startReplayServer, type ReplayServer } from '../testing/replay-server.ts';
import { cosmosJob, observePuts, sampleDocuments, tempStorage, testContext } from './cosmos-test-kit.ts';

/**
 * The npm emulator has one partition key range and a change feed that stops after a page, so the parallel
 * change-feed reader is tested against the replay server (a real HTTP server speaking the REST API, with four
 * ranges and a change feed that continues by ETag).
 */
describe('parallel change-feed export over several feed ranges (replay server)', () => {
  let replay: ReplayServer;
  const recorded = sampleDocuments(50).map((d, i) =>
    JSON.stringify({
      ...d,
      _rid: `rid${i}`,
      _self: `dbs/x/colls/y/docs/${i}`,
      _etag: `"e${i}"`,
      _attachments: 'attachments/',
      _ts: 1_772_330_400 + i,
    }),
  );
  beforeAll(async () => {
    replay = await startReplayServer({
      recorded,
      containers: [{ database: 'shop', id: 'orders', documents: 2003, ranges: 4 }],
    });
  });
  afterAll(async () => replay?.stop());

  const job = (extra: Record<string, unknown> = {}) =>
    cosmosJob('replay', {
      account: { endpoint: replay.endpoint, name: 'replay', auth: { type: 'emulator' } },
      storage: 'backups',
      pageSize: 100,
      maxParallelRanges: 3,
      ...extra,
    });

  it('reads the four ranges in parallel through the change feed and writes every document once, as sent', async () => {
    const plugin = cosmosPlugin();
    const storage = tempStorage();
    const j = job();
    const ctx = testContext({ storage, manifests: [j] });
    try {
      const { steps } = await plugin.plan(j, await plugin.discover(j, ctx), ctx);
      const before = replay.stats.changefeed ?? 0;
      const outcome = await plugin.execute(steps[0]!, j, ctx);
      expect((replay.stats.changefeed ?? 0) - before).toBeGreaterThanOrEqual(21 + 4);
      const manifest = exportManifestSchema.parse(
        JSON.parse(readFileSync(path.join(storage.root, outcome.artifacts![0]!.locations[1]!), 'utf8')),
      );
      expect(manifest.read).toMatchObject({ reader: 'change-feed', feedRanges: 4, resumed: false });
      expect(manifest.read.continuation).toHaveLength(4);
      expect(manifest.container.definition).toMatchObject({
        partitionKey: { paths: ['/pk'], kind: 'Hash', version: 2 },
        conflictResolutionPolicy: { mode: 'LastWriterWins' },
      });
      const lines = gunzipSync(readFileSync(path.join(storage.root, outcome.artifacts![0]!.locations[0]!)))
        .toString('utf8')
        .trim()
        .split('\n');
      expect(lines).toHaveLength(2003);
      expect(new Set(lines.map((l) => (JSON.parse(l) as { id: string }).id)).size).toBe(2003);
      // Bytes as the server sent them: document 7 is recorded document 7 with its id replaced.
      const seven = lines.find((l) => l.includes('"id":"orders-7"'))!;
      expect(seven).toBe(recorded[7]!.replace(/"id":"[^"]*"/, '"id":"orders-7"'));
      expect(manifest.requestCharge).toBeGreaterThan(2003 * 0.3);
    } finally {
      await plugin.dispose!();
    }
  });

  it('resumes each range from its own change-feed token after an interruption', async () => {
    const local = tempStorage();
    const clock = new ManualClock('2026-03-01T02:00:00Z');
    const j = job({ checkpoint: { documents: 500 } });
    const first = new AbortController();
    let saves = 0;
    const storage = observePuts(local, (key) => {
      if (key.endsWith('.checkpoint.json') && ++saves === 2) first.abort();
    });
    const plugin = cosmosPlugin({ retry: { baseDelayMs: 5 } });
    try {
      const ctx1 = testContext({ storage, manifests: [j], clock, signal: first.signal });
      const { steps } = await plugin.plan(j, await plugin.discover(j, ctx1), ctx1);
      await expect(plugin.execute(steps[0]!, j, ctx1)).rejects.toThrow(/cancelled/);
      const ckPath = path.join(
        local.root,
        `_holdfast/checkpoints/replay/${steps[0]!.target}.checkpoint.json`,
      );
      const saved = JSON.parse(readFileSync(ckPath, 'utf8')) as {
        reader: string;
        ranges: { token?: string; documents: number }[];
      };
      expect(saved.reader).toBe('change-feed');
      expect(saved.ranges.filter((r) => r.token).length).toBeGreaterThanOrEqual(2);

      const ctx2 = testContext({ storage: local, manifests: [j], clock });
      const again = await plugin.plan(j, await plugin.discover(j, ctx2), ctx2);
      const outcome = await plugin.execute(again.steps[0]!, j, ctx2);
      const lines = gunzipSync(readFileSync(path.join(local.root, outcome.artifacts![0]!.locations[0]!)))
        .toString('utf8')
        .trim()
        .split('\n');
      expect(lines).toHaveLength(2003);
      expect(new Set(lines.map((l) => (JSON.parse(l) as { id: string }).id)).size).toBe(2003);
    } finally {
      await plugin.dispose!();
    }
  });
});
