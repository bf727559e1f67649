import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/core/job.ts';
import { checkCron, firesBetween, nextFire, previousFire } from '../../src/schedule/cron-times.ts';
import { formatDuration, parseDuration } from '../../src/schedule/duration.ts';
import { readJobSchedule } from '../../src/schedule/job-schedule.ts';
import { cronScheduleSchema, rpoSchema, typedScheduleSchema } from '../../src/schedule/schedule-schema.ts';

function job(spec: Record<string, unknown>, kind = 'CosmosBackup'): Manifest {
  return {
    apiVersion: 'holdfast/v1',
    kind,
    metadata: { name: 'j', labels: {} },
    spec,
    source: { file: 'x.yaml', line: 1, column: 1 },
    baseDir: '/',
  };
}

describe('durations', () => {
  it.each([
    ['26h', 26 * 3_600_000],
    ['90m', 5_400_000],
    ['1d12h', 129_600_000],
    ['45s', 45_000],
    ['1.5h', 5_400_000],
    ['2w', 1_209_600_000],
    ['250ms', 250],
  ])('reads %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '26', 'h', '26 hours', '-1h', '0h', '1h 30m', '1y'])('refuses %j with a hint', (text) => {
    expect(() => parseDuration(text)).toThrow(/not a duration: write a positive number and a unit/);
  });

  it('prints durations short', () => {
    expect([
      formatDuration(850),
      formatDuration(250_000),
      formatDuration(26 * 3_600_000),
      formatDuration(93_784_000),
    ]).toEqual(['850ms', '4m 10s', '1d 2h', '1d 2h']);
  });
});

describe('cron times', () => {
  const london = { cron: '0 2 * * *', timezone: 'Europe/London' };

  it('gives the next fire strictly after and the previous at or before an instant', () => {
    expect(nextFire(london, new Date('2025-01-10T02:00:00Z'))?.toISOString()).toBe(
      '2025-01-11T02:00:00.000Z',
    );
    expect(previousFire(london, new Date('2025-01-10T02:00:00Z'))?.toISOString()).toBe(
      '2025-01-10T02:00:00.000Z',
    );
    expect(previousFire(london, new Date('2025-07-10T00:59:59Z'))?.toISOString()).toBe(
      '2025-07-09T01:00:00.000Z',
    );
  });

  it('lists the fire times in an interval, capped', () => {
    const every15 = { cron: '*/15 * * * *', timezone: 'UTC' };
    expect(
      firesBetween(every15, new Date('2025-01-01T00:00:00Z'), new Date('2025-01-01T01:00:00Z')).map((d) =>
        d.toISOString().slice(11, 16),
      ),
    ).toEqual(['00:15', '00:30', '00:45', '01:00']);
    expect(
      firesBetween(every15, new Date('2025-01-01T00:00:00Z'), new Date('2025-02-01T00:00:00Z'), 10),
    ).toHaveLength(10);
  });

  it('explains bad expressions and zones', () => {
    expect(checkCron({ cron: '0 25 * * *', timezone: 'UTC' })).toMatch(/not a valid cron expression/);
    expect(checkCron({ cron: '0 2 * *', timezone: 'UTC' })).toMatch(/expected 5 fields/);
    expect(checkCron({ cron: '0 2 * * *', timezone: 'Mars/Olympus' })).toMatch(
      /unknown time zone "Mars\/Olympus"/,
    );
    expect(checkCron({ cron: '0 0 31 2 *', timezone: 'UTC' })).toBeDefined();
    expect(checkCron({ cron: '*/5 * * * * *', timezone: 'UTC' })).toBeUndefined();
    expect(checkCron({ cron: '@daily', timezone: 'UTC' })).toBeUndefined();
  });
});

describe('reading a job schedule generically', () => {
  it('reads { cron, timezone, catchUp } as one line without a type', () => {
    const { info, problems } = readJobSchedule(
      job({ schedule: { cron: '0 2 * * *', timezone: 'Europe/London', catchUp: true }, rpo: '26h' }),
    );
    expect(problems).toEqual([]);
    expect(info.entries).toEqual([
      {
        key: 'j',
        job: 'j',
        type: undefined,
        cron: '0 2 * * *',
        timezone: 'Europe/London',
        catchUp: true,
        rank: 0,
      },
    ]);
    expect(info.rpoMs).toBe(26 * 3_600_000);
  });

  it('reads a record of backup type to cron, in the order written', () => {
    const { info } = readJobSchedule(
      job(
        { schedule: { full: '0 1 * * 0', differential: '0 1 * * 1-6', log: '*/15 * * * *' } },
        'LiteSpeedBackup',
      ),
    );
    expect(info.entries.map((e) => [e.key, e.type, e.rank, e.timezone])).toEqual([
      ['j/full', 'full', 0, 'UTC'],
      ['j/differential', 'differential', 1, 'UTC'],
      ['j/log', 'log', 2, 'UTC'],
    ]);
  });

  it('finds the SQL Server and Cosmos account a job loads, and its missed-run channels', () => {
    expect(readJobSchedule(job({ server: { host: 'SQL01.corp', port: 1433 } })).info.limitKeys).toEqual([
      'sqlserver:sql01.corp:1433',
    ]);
    const keysOf = (server: unknown) => readJobSchedule(job({ server })).info.limitKeys;
    expect(keysOf({ host: 'sql01', instance: 'DW' })).toEqual(['sqlserver:sql01\\dw']);
    expect(keysOf({ host: { secretRef: 'env:SQL_HOST' } })).toEqual(['sqlserver:env:SQL_HOST']);
    expect(
      readJobSchedule(job({ account: { endpoint: 'https://Orders.documents.azure.com:443/' } })).info
        .limitKeys,
    ).toEqual(['cosmos:orders.documents.azure.com']);
    const notify = [
      { channel: 'dba', on: ['failure', 'missed'] },
      { channel: 'ops', on: ['summary'] },
    ];
    expect(readJobSchedule(job({ notify })).info.missedChannels).toEqual(['dba']);
  });

  it('reports every problem with its path', () => {
    const { problems } = readJobSchedule(
      job({
        schedule: { full: '0 25 * * *', log: 15, timezone: 'Nowhere/City', catchUp: 'yes' },
        rpo: 'a day',
      }),
    );
    expect(problems.map((p) => p.path.join('.'))).toEqual([
      'spec.rpo',
      'spec.schedule.catchUp',
      'spec.schedule.timezone',
      'spec.schedule.log',
    ]);
    expect(
      readJobSchedule(job({ schedule: { cron: '0 1 * * *', log: '0 * * * *' } })).problems[0]!.message,
    ).toMatch(/either one `cron` or one cron per backup type/);
  });

  it('treats a job without a schedule as on demand only', () => {
    expect(readJobSchedule(job({})).info.entries).toEqual([]);
  });
});

describe('schedule schemas for plugins', () => {
  it('validates cron, zone and rpo while loading', () => {
    expect(cronScheduleSchema.parse({ cron: '0 2 * * *' })).toEqual({
      cron: '0 2 * * *',
      timezone: 'UTC',
      catchUp: false,
    });
    expect(cronScheduleSchema.safeParse({ cron: '0 2 * *' }).success).toBe(false);
    expect(cronScheduleSchema.safeParse({ cron: '0 2 * * *', timezone: 'Mars/Base' }).success).toBe(false);
    expect(cronScheduleSchema.safeParse({ cron: '0 2 * * *', extra: 1 }).success).toBe(false);
    const typed = typedScheduleSchema(['full', 'log']);
    expect(typed.safeParse({ log: '*/15 * * * *' }).success).toBe(true);
    expect(typed.safeParse({ timezone: 'UTC' }).success).toBe(false);
    expect(typed.safeParse({ differential: '0 1 * * *' }).success).toBe(false);
    expect(rpoSchema.safeParse('26h').success).toBe(true);
    expect(rpoSchema.safeParse('soon').success).toBe(false);
  });
});
