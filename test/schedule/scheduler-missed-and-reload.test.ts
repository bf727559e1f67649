import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/catalog/contract.ts';
import { jobManifest, startHarness, STORAGE, type Harness } from './harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A finished run as an earlier process (or `holdfast run`) would have recorded it. */
function pastRun(catalog: Catalog, job: string, at: string, command = 'serve'): void {
  const id = catalog.startRun({ command, jobs: [job], startedAt: new Date(at) });
  catalog.finishRun(id, 'succeeded', new Date(new Date(at).getTime() + 60_000));
}

const nightly = { cron: '0 2 * * *', timezone: 'UTC' };

describe('missed runs at start (catalog vs schedule)', () => {
  it('reports a fire time with no run after it, counts the fire times since the last run, and does not catch up unless asked', async () => {
    h = await startHarness({
      start: '2025-05-03T10:00:00Z',
      jobs:
        jobManifest('nightly', {
          schedule: nightly,
          notify: [{ channel: 'ops', on: ['failure', 'missed'] }],
        }) + CHANNEL,
      before: (c, dir) => {
        writeFileSync(path.join(dir, 'hook-url'), 'http://127.0.0.1:9/hook\n');
        pastRun(c, 'nightly', '2025-05-01T02:00:00Z');
      },
    });
    expect(h.seen.missed).toEqual([
      expect.objectContaining({
        job: 'nightly',
        fireAt: new Date('2025-05-03T02:00:00Z'),
        count: 2,
        lastRunAt: new Date('2025-05-01T02:00:00Z'),
        detectedAt: 'start',
        channels: ['ops'],
        catchUp: false,
      }),
    ]);
    expect(h.logs.find((l) => l.event === 'missed')?.msg).toMatch(
      /missed: nightly should have run at 2025-05-03T02:00:00.000Z .*2 fire times passed without a run.*no catch-up configured/,
    );
    await h.scheduler.whenIdle();
    expect(h.catalog.listRuns({ job: 'nightly' })).toHaveLength(1);
  });

  it('starts one catch-up run when the schedule says catchUp: true, recorded as such', async () => {
    h = await startHarness({
      start: '2025-05-03T10:00:00Z',
      jobs: jobManifest('nightly', { schedule: { ...nightly, catchUp: true } }),
      before: (c) => pastRun(c, 'nightly', '2025-05-02T02:00:00Z'),
    });
    await h.scheduler.whenIdle();
    expect(h.seen.missed).toEqual([expect.objectContaining({ job: 'nightly', count: 1, catchUp: true })]);
    expect(h.seen.fire).toEqual([
      expect.objectContaining({
        job: 'nightly',
        trigger: 'catch-up',
        fireAt: new Date('2025-05-03T02:00:00Z'),
      }),
    ]);
    const [latest] = h.catalog.listRuns({ job: 'nightly' });
    expect(latest).toMatchObject({
      command: 'serve --catch-up',
      status: 'succeeded',
      startedAt: new Date('2025-05-03T10:00:00Z'),
    });
  });

  it('catches up the earliest missed type once per job', async () => {
    h = await startHarness({
      start: '2025-06-09T03:00:00Z', // Monday; the Sunday full and the 00:00 log were missed
      jobs: jobManifest('dw', { schedule: { full: '0 1 * * 0', log: '0 */6 * * *', catchUp: true } }),
      before: (c) => pastRun(c, 'dw', '2025-06-01T01:00:00Z', 'serve --type full'),
    });
    await h.scheduler.whenIdle();
    expect(h.seen.missed.map((m) => m.type).sort()).toEqual(['full', 'log']);
    expect(h.seen.fire).toEqual([expect.objectContaining({ type: 'full', trigger: 'catch-up' })]);
    expect(h.catalog.listRuns({ job: 'dw' })[0]!.command).toBe('serve --catch-up --type full');
  });

  it('does not report a job that ran after its fire time (by any process), nor a job that never ran', async () => {
    h = await startHarness({
      start: '2025-05-03T10:00:00Z',
      jobs:
        jobManifest('ran-by-cronjob', { schedule: nightly }) +
        jobManifest('brand-new', { schedule: nightly }) +
        jobManifest('log-ran', { schedule: { full: '0 1 * * 0', log: '0 * * * *' } }),
      before: (c) => {
        pastRun(c, 'ran-by-cronjob', '2025-05-03T02:00:05Z', 'run');
        pastRun(c, 'log-ran', '2025-05-03T09:00:01Z', 'serve --type log');
        pastRun(c, 'log-ran', '2025-04-27T01:00:00Z', 'serve --type full');
      },
    });
    expect(h.seen.missed).toEqual([]);
    // Started at 10:00:00 exactly: the 10:00 log is due, not missed, and runs at the first tick.
    h.scheduler.tick();
    await h.scheduler.whenIdle();
    expect(h.seen.fire).toEqual([
      expect.objectContaining({
        job: 'log-ran',
        type: 'log',
        fireAt: new Date('2025-05-03T10:00:00Z'),
        trigger: 'schedule',
      }),
    ]);
  });

  it('after a quick restart, does not run again what the previous process ran this minute', async () => {
    h = await startHarness({
      start: '2025-05-03T10:00:20Z',
      jobs:
        jobManifest('hourly', { schedule: { cron: '0 * * * *' } }) +
        jobManifest('also-hourly', { schedule: { cron: '0 * * * *' } }),
      before: (c) => pastRun(c, 'hourly', '2025-05-03T10:00:00Z'),
      missedAfterMs: 60_000,
    });
    h.scheduler.tick();
    await h.scheduler.whenIdle();
    expect(h.seen.missed).toEqual([]);
    expect(h.seen.fire.map((f) => f.job)).toEqual(['also-hourly']);
    expect(h.scheduler.nextFireTimes().get('hourly')!.nextAt!.toISOString()).toBe('2025-05-03T11:00:00.000Z');
  });

  it('detects fire times passed during a pause or clock jump, unless another process ran them', async () => {
    h = await startHarness({
      start: '2025-04-30T23:59:00Z',
      jobs:
        jobManifest('hourly', { schedule: { cron: '0 * * * *', catchUp: true } }) +
        jobManifest('half-hourly', { schedule: { cron: '*/30 * * * *' } }),
      missedAfterMs: 60_000,
    });
    await h.advanceTo('2025-05-01T01:00:00Z');
    expect(h.seen.fire.map((f) => f.job).sort()).toEqual([
      'half-hourly',
      'half-hourly',
      'half-hourly',
      'hourly',
      'hourly',
    ]);
    // Another process ran half-hourly at 03:30 while this one was frozen.
    const id = h.catalog.startRun({
      command: 'run',
      jobs: ['half-hourly'],
      startedAt: new Date('2025-05-01T03:30:10Z'),
    });
    h.catalog.finishRun(id, 'succeeded', new Date('2025-05-01T03:31:00Z'));
    h.clock.set('2025-05-01T03:45:00Z'); // frozen from 01:00 to 03:45
    h.seen.fire.length = 0;
    h.scheduler.tick();
    await h.scheduler.whenIdle();
    expect(h.seen.missed).toEqual([
      expect.objectContaining({
        job: 'hourly',
        fireAt: new Date('2025-05-01T03:00:00Z'),
        count: 2,
        detectedAt: 'pause',
        catchUp: true,
      }),
    ]);
    expect(h.seen.fire).toEqual([expect.objectContaining({ job: 'hourly', trigger: 'catch-up' })]);
    // After the pause, the schedule goes on from now.
    expect(h.scheduler.nextFireTimes().get('hourly')?.nextAt?.toISOString()).toBe('2025-05-01T04:00:00.000Z');
  });

  it('fires a slightly late tick normally', async () => {
    h = await startHarness({
      start: '2025-05-01T00:30:00Z',
      jobs: jobManifest('hourly', { schedule: { cron: '0 * * * *' } }),
      missedAfterMs: 60_000,
    });
    h.clock.set('2025-05-01T01:00:40Z');
    h.scheduler.tick();
    await h.scheduler.whenIdle();
    expect(h.seen.missed).toEqual([]);
    expect(h.seen.fire).toEqual([
      expect.objectContaining({
        job: 'hourly',
        trigger: 'schedule',
        fireAt: new Date('2025-05-01T01:00:00Z'),
      }),
    ]);
  });
});

const CHANNEL = `---\napiVersion: holdfast/v1\nkind: Channel\nmetadata: { name: ops }\nspec: { type: webhook, url: { secretRef: "file:./hook-url" } }\n`;

describe('reload', () => {
  it('keeps the running configuration when the new one is invalid, says why with file and line, then takes a valid one', async () => {
    h = await startHarness({
      start: '2025-05-01T00:00:00Z',
      jobs: jobManifest('one', { schedule: nightly }),
    });
    writeFileSync(
      h.jobsFile,
      `${STORAGE}${jobManifest('one', { schedule: { cron: '0 25 * * *' } })}${jobManifest('two', { schedule: nightly, storage: 'nowhere' })}`,
    );
    expect(await h.service.reload('test')).toBe(false);
    expect([...h.scheduler.nextFireTimes().keys()]).toEqual(['one']);
    expect(h.scheduler.nextFireTimes().get('one')!.entry.cron).toBe('0 2 * * *');
    const rejected = h.logs.find((l) => l.event === 'reload-rejected')!;
    expect(rejected.msg).toContain('still running the previous one');
    const problems = (rejected.problems as string[]).join('\n');
    expect(problems).toMatch(/jobs\.yaml:\d+:\d+: FileCopy\/one spec\.schedule\.cron: .*25/);
    expect(problems).toMatch(/nowhere/);
    expect(h.service.ready()).toMatchObject({
      ready: true,
      checks: { config: expect.stringContaining('rejected: 2 problem(s)') },
    });
    // The old schedule still fires.
    await h.advanceTo('2025-05-01T02:00:00Z');
    expect(h.seen.fire).toEqual([expect.objectContaining({ job: 'one' })]);

    writeFileSync(
      h.jobsFile,
      `${STORAGE}${jobManifest('one', { schedule: { cron: '0 3 * * *' } })}${jobManifest('two', { schedule: nightly })}`,
    );
    expect(await h.service.reload('test')).toBe(true);
    expect([...h.scheduler.nextFireTimes().keys()].sort()).toEqual(['one', 'two']);
    expect(h.scheduler.nextFireTimes().get('one')!.nextAt!.toISOString()).toBe('2025-05-01T03:00:00.000Z');
  });

  it('reloads by itself when a job file changes (debounced)', async () => {
    h = await startHarness({
      start: '2025-05-01T00:00:00Z',
      jobs: jobManifest('one', { schedule: nightly }),
      watch: true,
    });
    writeFileSync(h.jobsFile, `${STORAGE}${jobManifest('one', { schedule: nightly })}`);
    writeFileSync(
      h.jobsFile,
      `${STORAGE}${jobManifest('one', { schedule: nightly })}${jobManifest('three', { schedule: nightly })}`,
    );
    const deadline = Date.now() + 5000;
    while (!h.scheduler.nextFireTimes().has('three') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 25));
    expect([...h.scheduler.nextFireTimes().keys()].sort()).toEqual(['one', 'three']);
    expect(h.logs.filter((l) => l.event === 'config-loaded')).toHaveLength(2);
  });
});
