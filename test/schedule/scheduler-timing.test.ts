import { afterEach, describe, expect, it } from 'vitest';
import { jobManifest, startHarness, type Harness } from './harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const iso = (d: Date) => d.toISOString();

describe('scheduler timing (ManualClock)', () => {
  it('fires a daily job at 02:00 London time on both sides of the spring DST change', async () => {
    h = await startHarness({
      start: '2025-03-28T12:00:00Z',
      jobs: jobManifest('nightly', { schedule: { cron: '0 2 * * *', timezone: 'Europe/London' } }),
    });
    await h.advanceTo('2025-04-01T12:00:00Z');
    // 02:00 GMT is 02:00Z; on 30 March 02:00 local does not exist (clocks go 01:00 -> 02:00 BST): it fires at 02:00 BST.
    // From then on 02:00 BST is 01:00Z.
    expect(h.seen.fire.map((f) => iso(f.fireAt))).toEqual([
      '2025-03-29T02:00:00.000Z',
      '2025-03-30T01:00:00.000Z',
      '2025-03-31T01:00:00.000Z',
      '2025-04-01T01:00:00.000Z',
    ]);
    const runs = h.catalog.listRuns({ job: 'nightly' });
    expect(runs.map((r) => iso(r.startedAt)).sort()).toEqual(h.seen.fire.map((f) => iso(f.fireAt)));
    expect(runs.every((r) => r.command === 'serve' && r.status === 'succeeded')).toBe(true);
  });

  it('runs a half-hourly job through both repeated hours when the clocks go back, and a daily 01:30 once', async () => {
    h = await startHarness({
      start: '2025-10-25T23:50:00Z',
      jobs:
        jobManifest('every-half-hour', { schedule: { cron: '*/30 * * * *', timezone: 'Europe/London' } }) +
        jobManifest('at-one-thirty', { schedule: { cron: '30 1 * * *', timezone: 'Europe/London' } }),
    });
    await h.advanceTo('2025-10-26T02:10:00Z');
    const fired = (job: string) => h!.seen.fire.filter((f) => f.job === job).map((f) => iso(f.fireAt));
    // 26 Oct: 01:00-02:00 BST (00:00-01:00Z) then 01:00-02:00 GMT again (01:00-02:00Z): real time keeps its pace.
    expect(fired('every-half-hour')).toEqual([
      '2025-10-26T00:00:00.000Z',
      '2025-10-26T00:30:00.000Z',
      '2025-10-26T01:00:00.000Z',
      '2025-10-26T01:30:00.000Z',
      '2025-10-26T02:00:00.000Z',
    ]);
    // 01:30 local happens twice that night; the daily job runs once, at the first.
    expect(fired('at-one-thirty')).toEqual(['2025-10-26T00:30:00.000Z']);
  });

  it('runs each backup type at its own time, and the earlier type when two fire at once', async () => {
    h = await startHarness({
      start: '2025-06-07T00:30:00Z', // a Saturday
      jobs: jobManifest('dw', {
        schedule: { full: '0 1 * * 0', differential: '0 1 * * 1-6', log: '0 */6 * * *', timezone: 'UTC' },
      }),
    });
    await h.advanceTo('2025-06-08T07:00:00Z');
    expect(h.seen.fire.map((f) => `${iso(f.fireAt)} ${f.type}`)).toEqual([
      '2025-06-07T01:00:00.000Z differential',
      '2025-06-07T06:00:00.000Z log',
      '2025-06-07T12:00:00.000Z log',
      '2025-06-07T18:00:00.000Z log',
      '2025-06-08T00:00:00.000Z log',
      '2025-06-08T01:00:00.000Z full',
      '2025-06-08T06:00:00.000Z log',
    ]);
    const commands = h.catalog.listRuns({ job: 'dw' }).map((r) => r.command);
    expect(commands.filter((c) => c === 'serve --type log')).toHaveLength(5);
    expect(commands).toContain('serve --type full');
    expect(commands).toContain('serve --type differential');
  });

  it('lets the earlier type stand for a later one firing at the same minute', async () => {
    h = await startHarness({
      start: '2025-06-08T00:50:00Z', // Sunday
      jobs: jobManifest('dw', { schedule: { full: '0 1 * * 0', log: '0 * * * *' } }),
    });
    await h.advanceTo('2025-06-08T02:00:00Z');
    expect(h.seen.fire.map((f) => `${iso(f.fireAt)} ${f.type}`)).toEqual([
      '2025-06-08T01:00:00.000Z full',
      '2025-06-08T02:00:00.000Z log',
    ]);
    expect(h.seen.skipped).toEqual([
      expect.objectContaining({ job: 'dw', type: 'log', reason: 'superseded' }),
    ]);
  });

  it('reports when the next run of each line is due', async () => {
    h = await startHarness({
      start: '2025-01-15T10:00:00Z',
      jobs: jobManifest('nightly', { schedule: { cron: '0 2 * * *', timezone: 'America/New_York' } }),
    });
    expect(h.scheduler.nextDueAt()?.toISOString()).toBe('2025-01-16T07:00:00.000Z');
    expect([...h.scheduler.nextFireTimes().keys()]).toEqual(['nightly']);
  });
});
