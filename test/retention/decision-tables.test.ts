import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Artifact } from '../../src/catalog/contract.ts';
import { retentionPolicySchema, type RetentionPolicyInput } from '../../src/retention/schema.ts';
import { selectRetention } from '../../src/retention/select-retention.ts';
import { toEntry } from '../../src/retention/plan-job-retention.ts';
import { renderRetentionTable, summarizeEntries } from '../../src/retention/render-retention.ts';
import { expectGolden } from '../helpers/golden.ts';
import { cosmosHistory, fullDiffLogHistory, HistoryBuilder, partialHistory } from './histories.ts';

const GOLDEN = path.join(import.meta.dirname, 'golden');
const DAY = 86_400_000;
const start = new Date('2026-01-05T00:00:00Z'); // a Monday

interface Case {
  name: string;
  about: string;
  artifacts: () => Artifact[];
  policy: RetentionPolicyInput;
  now: Date;
}

/** 42 days of the source documents' strategy, SIMPLE recovery: F once, P on Sundays, Q on the other days. */
const sourceDocs = (readOnlyBackups: number[]) => () =>
  partialHistory({ target: 'sql01/DW', start, days: 42, readOnlyBackups, baseWeekday: 0, logEveryHours: 0 });
const afterDays = (days: number, hours = 3) => new Date(start.getTime() + days * DAY + hours * 3_600_000);

const CASES: Case[] = [
  {
    name: 'source-docs-keepdays-14',
    about:
      'read-only filegroup backed up once, 41 days ago; a 14-day policy must keep it while kept partial bases need it',
    artifacts: sourceDocs([0]),
    policy: { keepDays: 14 },
    now: afterDays(41),
  },
  {
    name: 'source-docs-readonly-backed-up-again',
    about:
      'the read-only filegroup changed and was backed up again on day 20: the first copy goes once no kept base needs it',
    artifacts: sourceDocs([0, 20]),
    policy: { keepDays: 14 },
    now: afterDays(41),
  },
  {
    name: 'partial-and-logs-no-full-backup',
    about:
      'FULL recovery with only partial (P), differential partial (Q) and log (L) backups: no D or I, where an msdb D/I guard finds no base',
    artifacts: () =>
      partialHistory({
        target: 'sql01/DW',
        start,
        days: 42,
        readOnlyBackups: [0],
        baseWeekday: 0,
        logEveryHours: 8,
      }),
    policy: { keepDays: 7, byType: { L: { keepDays: 3 }, P: { keepWeekly: 5 } } },
    now: afterDays(41, 20),
  },
  {
    name: 'full-diff-log-keeplast-3',
    about:
      'classic weekly full, daily differential, logs every 6 hours; the 3 newest logs pull in their chain',
    artifacts: () =>
      fullDiffLogHistory({ target: 'sql02/Sales', start, days: 10, fullWeekday: 0, logEveryHours: 6 }),
    policy: { keepLast: 3 },
    now: afterDays(10),
  },
  {
    name: 'cosmos-daily-weekly-monthly',
    about:
      'nightly exports of two containers over 70 days with a few missed nights; each export stands alone',
    artifacts: () =>
      cosmosHistory({
        containers: ['shop/orders', 'shop/customers'],
        start,
        days: 70,
        skipDays: [60, 61, 67],
      }),
    policy: { keepDaily: 7, keepWeekly: 4, keepMonthly: 3 },
    now: afterDays(70),
  },
  {
    name: 'cosmos-stopped-30-days-ago',
    about:
      'exports stopped 30 days ago: keepDays 14 keeps nothing by age, the newest export of each container survives',
    artifacts: () => cosmosHistory({ containers: ['shop/orders', 'shop/customers'], start, days: 5 }),
    policy: { keepDays: 14 },
    now: afterDays(35),
  },
  {
    name: 'cosmos-stopped-30-days-ago-unsafe',
    about:
      'the same with unsafeAllowRemovingNewestChain: everything goes, and the reasons say the rail was off',
    artifacts: () => cosmosHistory({ containers: ['shop/orders', 'shop/customers'], start, days: 5 }),
    policy: { keepDays: 14, unsafeAllowRemovingNewestChain: true },
    now: afterDays(35),
  },
  {
    name: 'interrupted-cleanup-and-orphan',
    about:
      'one artifact left in removing by an interrupted cleanup, and a differential whose base was removed by hand',
    artifacts: () => {
      const b = new HistoryBuilder();
      partialHistory(
        { target: 'sql01/DW', start, days: 16, readOnlyBackups: [0], baseWeekday: 0, logEveryHours: 0 },
        b,
      );
      b.artifacts.find((a) => a.id === 'Q2')!.state = 'removing';
      b.artifacts.find((a) => a.id === 'Q2')!.removedAt = afterDays(15, 1);
      b.artifacts.find((a) => a.id === 'P6')!.state = 'removed';
      return b.artifacts;
    },
    policy: { keepLast: 2 },
    now: afterDays(16),
  },
  {
    name: 'by-type-only-logs',
    about: 'a policy with rules for logs only: other types have no rule and are kept',
    artifacts: () =>
      fullDiffLogHistory({ target: 'sql02/Sales', start, days: 3, fullWeekday: 0, logEveryHours: 8 }),
    policy: { byType: { L: { keepDays: 1 } } },
    now: afterDays(3),
  },
  {
    name: 'two-databases-keepdaily',
    about: 'two databases in one job are separate targets: each keeps its own newest chain',
    artifacts: () => {
      const b = new HistoryBuilder();
      partialHistory(
        { target: 'sql01/DW', start, days: 9, readOnlyBackups: [0], baseWeekday: 0, logEveryHours: 0 },
        b,
      );
      const other = new HistoryBuilder();
      fullDiffLogHistory(
        {
          target: 'sql01/Stage',
          start: new Date(start.getTime() - 20 * DAY),
          days: 3,
          fullWeekday: 3,
          logEveryHours: 12,
        },
        other,
      );
      return [...b.artifacts, ...other.artifacts.map((a) => ({ ...a, job: 'dw-partial' }))];
    },
    policy: { keepDaily: 3 },
    now: afterDays(9),
  },
];

describe('retention decision tables (golden)', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const policy = retentionPolicySchema.parse(c.policy);
      const decisions = selectRetention({ artifacts: c.artifacts(), policy, now: c.now });
      const entries = decisions.map((d) => toEntry(d, d.artifact.job));
      const text = [
        `# ${c.name}: ${c.about}`,
        `# now: ${c.now.toISOString()}`,
        `# policy: ${JSON.stringify(c.policy)}`,
        `# ${summarizeEntries(entries)}`,
        '',
      ].join('\n');
      expectGolden(path.join(GOLDEN, `${c.name}.txt`), `${text}${renderRetentionTable(entries)}`);
    });
  }
});

describe('what the tables show', () => {
  const decide = (c: Case) =>
    new Map(
      selectRetention({
        artifacts: c.artifacts(),
        policy: retentionPolicySchema.parse(c.policy),
        now: c.now,
      }).map((d) => [d.artifact.id, d]),
    );
  const byName = (n: string) => CASES.find((c) => c.name === n)!;

  it('keeps the read-only filegroup backup older than 14 days while a kept base needs it', () => {
    const d = decide(byName('source-docs-keepdays-14'));
    expect(d.get('F1')!.decision).toBe('keep');
    expect(d.get('F1')!.reasons.join(' ')).toMatch(/needed by P/);
    expect(d.get('P0')!.decision).toBe('remove');
  });

  it('lets the first read-only copy go once nothing kept needs it', () => {
    const d = decide(byName('source-docs-readonly-backed-up-again'));
    expect(d.get('F1')!.decision).toBe('remove');
    expect(d.get('F2')!.decision).toBe('keep');
  });

  it('cleans logs of a partial-only database instead of keeping them all (or none)', () => {
    const d = [...decide(byName('partial-and-logs-no-full-backup')).values()].filter(
      (x) => x.artifact.type === 'L',
    );
    expect(d.some((x) => x.decision === 'remove')).toBe(true);
    // keepDays 3 for logs: the 6 logs of the last 3 days (2 a day) and nothing older.
    expect(d.filter((x) => x.decision === 'keep').map((x) => x.artifact.id)).toEqual([
      'L39.8',
      'L39.16',
      'L40.8',
      'L40.16',
      'L41.8',
      'L41.16',
    ]);
  });

  it('never removes the newest export of a container, unless told unsafe', () => {
    const safe = [...decide(byName('cosmos-stopped-30-days-ago')).values()].filter(
      (x) => x.decision === 'keep',
    );
    expect(safe.map((x) => x.artifact.id).sort()).toEqual(['customers-4', 'orders-4']);
    const unsafe = [...decide(byName('cosmos-stopped-30-days-ago-unsafe')).values()];
    expect(unsafe.every((x) => x.decision === 'remove')).toBe(true);
  });

  it('finishes an interrupted removal whatever the policy', () => {
    const d = decide(byName('interrupted-cleanup-and-orphan'));
    expect(d.get('Q2')).toMatchObject({ decision: 'remove' });
    expect(d.get('Q2')!.reasons[0]).toMatch(/interrupted/);
    expect(d.has('P6')).toBe(false);
  });
});

describe('the policy schema', () => {
  it('refuses an empty policy instead of keeping nothing', () => {
    const r = retentionPolicySchema.safeParse({});
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toMatch(/empty retention policy would keep nothing/);
    expect(retentionPolicySchema.safeParse({ mode: 'before-backup' }).success).toBe(false);
    expect(retentionPolicySchema.safeParse({ byType: { L: {} } }).error!.issues[0]!.path).toEqual([
      'byType',
      'L',
    ]);
  });

  it('checks the time zone and counts, and defaults mode to after-backup', () => {
    expect(retentionPolicySchema.safeParse({ keepDays: 3, timezone: 'Mars/Olympus' }).success).toBe(false);
    expect(retentionPolicySchema.safeParse({ keepDays: 0 }).success).toBe(false);
    expect(retentionPolicySchema.safeParse({ keepDays: 3, keepHourly: 2 }).success).toBe(false);
    expect(retentionPolicySchema.parse({ keepDays: 3 })).toMatchObject({
      mode: 'after-backup',
      timezone: 'UTC',
    });
  });
});
