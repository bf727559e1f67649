import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/catalog/contract.ts';
import { openCatalog } from '../../src/catalog/sqlite-catalog.ts';
import { ConcurrencyLimiter } from '../../src/schedule/concurrency-limiter.ts';
import type { ScheduleEntry } from '../../src/schedule/job-schedule.ts';
import { findMissedRuns, runCovers, runType } from '../../src/schedule/missed-runs.ts';

const entry = (type: string | undefined, cron: string, rank = 0): ScheduleEntry => ({
  key: type ? `dw/${type}` : 'dw',
  job: 'dw',
  type,
  cron,
  timezone: 'UTC',
  catchUp: false,
  rank,
});
const run = (command: string, at: string): RunRecord => ({
  id: at,
  command,
  jobs: ['dw'],
  status: 'succeeded',
  startedAt: new Date(at),
});

describe('missed runs', () => {
  it('reads the type back from the recorded command', () => {
    expect([
      runType('serve --type log'),
      runType('serve --catch-up --type full'),
      runType('serve'),
      runType('run'),
    ]).toEqual(['log', 'full', undefined, undefined]);
  });

  it('lets a run cover fires of its own type, of later types, and any fire when it ran whatever was due', () => {
    const ranks = new Map([
      ['full', 0],
      ['differential', 1],
      ['log', 2],
    ]);
    const fire = new Date('2025-01-05T01:00:00Z');
    const diff = entry('differential', '0 1 * * 1-6', 1);
    expect(runCovers(run('serve --type differential', '2025-01-05T01:00:00Z'), diff, fire, ranks)).toBe(true);
    expect(runCovers(run('serve --type full', '2025-01-05T01:00:00Z'), diff, fire, ranks)).toBe(true);
    expect(runCovers(run('serve --type log', '2025-01-05T01:00:00Z'), diff, fire, ranks)).toBe(false);
    expect(runCovers(run('run', '2025-01-05T01:00:00Z'), diff, fire, ranks)).toBe(true);
    expect(runCovers(run('serve --type differential', '2025-01-05T00:59:59Z'), diff, fire, ranks)).toBe(
      false,
    );
  });

  it('compares the schedule with the catalog', () => {
    const catalog = openCatalog(':memory:');
    const add = (command: string, at: string) =>
      catalog.finishRun(
        catalog.startRun({ command, jobs: ['dw'], startedAt: new Date(at) }),
        'succeeded',
        new Date(at),
      );
    add('serve --type full', '2025-01-05T01:00:00Z');
    for (let h = 0; h < 10; h++) add('serve --type log', `2025-01-06T0${h}:00:00Z`);
    const entries = [entry('full', '0 1 * * 0', 0), entry('log', '0 * * * *', 1)];
    const missed = findMissedRuns({ entries, catalog, now: new Date('2025-01-06T13:30:00Z') });
    expect(missed).toEqual([
      expect.objectContaining({
        entry: entries[1],
        fireAt: new Date('2025-01-06T13:00:00Z'),
        count: 4,
        lastRunAt: new Date('2025-01-06T09:00:00Z'),
      }),
    ]);
    expect(findMissedRuns({ entries, catalog, now: new Date('2025-01-06T09:59:00Z') })).toEqual([]);
    catalog.close();
  });
});

describe('concurrency limiter', () => {
  it('holds per-kind and global limits, and never lets a busy server hold up an idle one', async () => {
    const limiter = new ConcurrencyLimiter({ global: 3, perKind: { sqlserver: 1 } });
    const order: string[] = [];
    const take = (keys: string[], name: string) =>
      limiter.acquire(keys, name).then((release) => (order.push(name), release));
    const a = await take(['sqlserver:one'], 'a');
    const b = take(['sqlserver:one'], 'b'); // waits for a
    const c = await take(['sqlserver:two'], 'c'); // goes ahead of b
    const d = await take([], 'd');
    const e = take([], 'e'); // global limit 3 reached
    expect(order).toEqual(['a', 'c', 'd']);
    expect(limiter.stats()).toEqual({
      running: 3,
      waiting: 2,
      held: { 'sqlserver:one': 1, 'sqlserver:two': 1 },
    });
    a();
    a(); // releasing twice is harmless
    const releaseB = await b;
    expect(order).toEqual(['a', 'c', 'd', 'b']);
    c();
    await e;
    expect(limiter.clear(new Error('stop'))).toEqual([]);
    releaseB();
    d();
  });

  it('refuses waiters when cleared', async () => {
    const limiter = new ConcurrencyLimiter({ global: 1, perKind: {} });
    await limiter.acquire([], 'first');
    const waiting = limiter.acquire([], 'second');
    expect(limiter.clear(new Error('stopping'))).toEqual(['second']);
    await expect(waiting).rejects.toThrow('stopping');
  });
});
