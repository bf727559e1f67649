import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jobManifest, startHarness, type Harness } from './harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const everyMinute = { cron: '* * * * *' };

describe('one run per job', () => {
  it('skips a fire while the job is still running, says why, and runs again once it is free', async () => {
    h = await startHarness({
      start: '2025-05-01T09:59:30Z',
      jobs: jobManifest('slow', { schedule: everyMinute }),
    });
    h.gate.holding = true;
    h.clock.set('2025-05-01T10:00:00Z');
    h.scheduler.tick();
    await h.gate.until((g) => g.running === 1);
    h.clock.set('2025-05-01T10:01:00Z');
    h.scheduler.tick();
    expect(h.seen.skipped).toEqual([expect.objectContaining({ job: 'slow', reason: 'overlap' })]);
    expect(h.seen.skipped[0]!.message).toMatch(
      /slow is still running \(schedule since 2025-05-01T10:00:00.000Z, run \S+\)/,
    );
    expect(h.logs.some((l) => l.reason === 'overlap' && l.level === 40)).toBe(true);
    h.gate.release();
    await h.scheduler.whenIdle();
    h.clock.set('2025-05-01T10:02:00Z');
    h.scheduler.tick();
    await h.scheduler.whenIdle();
    expect(h.catalog.listRuns({ job: 'slow' }).map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
  });

  it('skips a fire when another process holds the job lock', async () => {
    h = await startHarness({
      start: '2025-05-01T09:59:30Z',
      jobs: jobManifest('locked', { schedule: everyMinute }),
    });
    mkdirSync(path.join(h.dir, 'locks'), { recursive: true });
    writeFileSync(path.join(h.dir, 'locks', 'locked.lock'), `${process.ppid}\n`); // a live process that is not us
    await h.advanceTo('2025-05-01T10:00:00Z');
    expect(h.seen.skipped).toEqual([expect.objectContaining({ job: 'locked', reason: 'locked' })]);
    expect(h.seen.skipped[0]!.message).toContain(`process ${process.ppid} holds`);
    expect(h.catalog.listRuns({ job: 'locked' })).toEqual([]);
  });
});

describe('concurrency limits', () => {
  const jobs = [
    jobManifest('sql-a', { schedule: everyMinute, server: { host: 'SQL01' } }),
    jobManifest('sql-b', { schedule: everyMinute, server: { host: 'sql01' } }),
    jobManifest('sql-c', { schedule: everyMinute, server: { host: 'sql02' } }),
    jobManifest('cos-a', {
      schedule: everyMinute,
      account: { endpoint: 'https://orders.documents.azure.com:443/' },
    }),
    jobManifest('cos-b', {
      schedule: everyMinute,
      account: { endpoint: 'https://orders.documents.azure.com' },
    }),
    jobManifest('cos-c', {
      schedule: everyMinute,
      account: { endpoint: 'https://orders.documents.azure.com' },
    }),
  ].join('');

  it('holds the per-server and per-account limits, and queues the rest until a slot frees', async () => {
    h = await startHarness({
      start: '2025-05-01T09:59:59Z',
      jobs,
      limits: { global: 10, perKind: { sqlserver: 1, cosmos: 2 } },
    });
    h.gate.holding = true;
    h.clock.set('2025-05-01T10:00:00Z');
    h.scheduler.tick();
    // sql01 (host names compare case-insensitively) takes one, sql02 one, the orders account two.
    await h.gate.until((g) => g.running === 4);
    await new Promise((r) => setTimeout(r, 100));
    expect(h.gate.running).toBe(4);
    const running = h.scheduler
      .activeRuns()
      .filter((r) => r.state === 'running')
      .map((r) => r.job);
    expect(running.filter((j) => j === 'sql-a' || j === 'sql-b')).toHaveLength(1);
    expect(running).toContain('sql-c');
    expect(running.filter((j) => j.startsWith('cos-'))).toHaveLength(2);
    expect(h.scheduler.activeRuns().filter((r) => r.state === 'queued')).toHaveLength(2);
    h.gate.holding = false;
    h.gate.release();
    await h.scheduler.whenIdle();
    expect(h.gate.byKey.get('sql01')!.max).toBe(1);
    expect(h.gate.byKey.get('orders.documents.azure.com')!.max).toBe(2);
    expect(h.gate.maxRunning).toBe(4);
    expect(h.catalog.listRuns().filter((r) => r.status === 'succeeded')).toHaveLength(6);
  });

  it('holds the global limit over all servers and accounts', async () => {
    h = await startHarness({
      start: '2025-05-01T09:59:59Z',
      jobs,
      limits: { global: 2, perKind: { sqlserver: 5, cosmos: 5 } },
    });
    h.gate.holding = true;
    h.clock.set('2025-05-01T10:00:00Z');
    h.scheduler.tick();
    await h.gate.until((g) => g.running === 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(h.gate.running).toBe(2);
    // Let them go one fire at a time: never more than two at once.
    h.gate.holding = false;
    h.gate.release();
    await h.scheduler.whenIdle();
    expect(h.gate.maxRunning).toBe(2);
    expect(h.catalog.listRuns()).toHaveLength(6);
  });
});

describe('graceful shutdown', () => {
  it('lets a run finish within the deadline', async () => {
    h = await startHarness({
      start: '2025-05-01T09:59:59Z',
      jobs: jobManifest('quick', { schedule: everyMinute }),
    });
    h.gate.holding = true;
    h.clock.set('2025-05-01T10:00:00Z');
    h.scheduler.tick();
    await h.gate.until((g) => g.running === 1);
    setTimeout(() => h!.gate.release(), 100);
    const summary = await h.service.stop('SIGTERM', { deadlineMs: 5000 });
    expect(summary).toEqual({ finished: ['quick'], aborted: [], abandoned: [], dropped: [] });
    expect(h.catalog.listRuns({ job: 'quick' })[0]!.status).toBe('succeeded');
    // Stopped: nothing fires any more.
    h.clock.set('2025-05-01T10:05:00Z');
    h.scheduler.tick();
    expect(h.seen.fire).toHaveLength(1);
  });

  it('cancels what is still running at the deadline and records it: running steps failed, the rest not executed', async () => {
    h = await startHarness({
      start: '2025-05-01T09:59:59Z',
      files: ['a.txt', 'b.txt', 'c.txt'], // FileCopy runs at most two copies at once: c waits
      jobs:
        jobManifest('big', { schedule: everyMinute }) +
        jobManifest('sql-first', { schedule: everyMinute, server: { host: 'sql01' } }) +
        jobManifest('sql-second', { schedule: everyMinute, server: { host: 'sql01' } }),
      limits: { global: 4, perKind: { sqlserver: 1 } },
    });
    h.gate.holding = true;
    h.clock.set('2025-05-01T10:00:00Z');
    h.scheduler.tick();
    await h.gate.until((g) => g.running === 2 + 2);
    const summary = await h.service.stop('SIGTERM', { deadlineMs: 50, abortGraceMs: 2000 });
    expect(summary.aborted.sort()).toEqual(['big', 'sql-first']);
    expect(summary.abandoned).toEqual([]);
    expect(summary.dropped).toEqual(['sql-second']);
    const run = h.catalog.listRuns({ job: 'big' })[0]!;
    expect(run.status).toBe('failed');
    const steps = h.catalog.listSteps(run.id);
    expect(steps.map((s) => [s.target, s.status]).sort()).toEqual([
      ['data/a.txt', 'failed'],
      ['data/b.txt', 'failed'],
      ['data/c.txt', 'not-executed'],
    ]);
    expect(steps.find((s) => s.status === 'failed')!.error).toMatchObject({ code: 'CANCELLED' });
    expect(steps.find((s) => s.status === 'not-executed')!.skippedBecause).toBe('the run was cancelled');
    expect(h.catalog.listRuns({ job: 'sql-second' })).toEqual([]);
    expect(h.seen.skipped).toContainEqual(expect.objectContaining({ job: 'sql-second', reason: 'stopping' }));
  });

  it('records steps that ignore cancellation as interrupted, and finishes their run as failed', async () => {
    h = await startHarness({
      start: '2025-05-01T09:59:59Z',
      jobs: jobManifest('stubborn', { schedule: everyMinute }),
    });
    h.gate.holding = true;
    h.gate.ignoreAbort = true;
    h.clock.set('2025-05-01T10:00:00Z');
    h.scheduler.tick();
    await h.gate.until((g) => g.running === 1);
    h.clock.set('2025-05-01T10:00:30Z');
    const summary = await h.service.stop('SIGTERM', { deadlineMs: 20, abortGraceMs: 50 });
    expect(summary.abandoned).toEqual(['stubborn']);
    const run = h.catalog.listRuns({ job: 'stubborn' })[0]!;
    expect(run).toMatchObject({ status: 'failed', finishedAt: new Date('2025-05-01T10:00:30Z') });
    const [step] = h.catalog.listSteps(run.id);
    expect(step).toMatchObject({
      status: 'failed',
      summary: 'interrupted: the service stopped before the step finished',
      error: { code: 'CANCELLED' },
    });
    expect(step!.startedAt).toBe('2025-05-01T10:00:00.000Z');
    expect(h.logs.some((l) => l.level === 50 && String(l.msg).includes('recorded as interrupted'))).toBe(
      true,
    );
  });
});
