import { describe, expect, test } from 'vitest';
import { parseHistory } from '../load-history.ts';
import { planRestore } from '../plan-restore.ts';
import type { BackupHistory, BackupSet } from '../history-schema.ts';
import type { RestorePlan, RestoreRequest, RestoreRule } from '../restore-plan.ts';
import { checkRestorePlan } from '../testing/check-restore-plan.ts';
import {
  generateHistory,
  type GenerateHistoryOptions,
  type GeneratedHistory,
} from '../testing/generate-history.ts';
import { SeededRandom } from '../testing/seeded-random.ts';

const CHAOS: GenerateHistoryOptions['chaos'] = {
  copyOnlyFullPerDay: 0.15,
  copyOnlyLog: 0.03,
  emptyLog: 0.03,
  stripes: 0.4,
  mirror: 0.4,
  readOnlyFlipPerDay: 0.08,
  refreshAfterFlip: 0.5,
  archivePerDay: 0.05,
  filegroupBackupPerDay: 0.2,
  fork: true,
};

const CONFIGS: { name: string; options: Omit<GenerateHistoryOptions, 'seed'> }[] = [
  {
    name: 'SIMPLE partial',
    options: {
      recoveryModel: 'SIMPLE',
      days: 30,
      schedule: { baseEveryDays: 7, base: 'partial', differentialEveryHours: 24, logEveryMinutes: null },
      chaos: CHAOS,
    },
  },
  {
    name: 'SIMPLE full',
    options: {
      recoveryModel: 'SIMPLE',
      days: 20,
      schedule: { baseEveryDays: 5, base: 'full', differentialEveryHours: 12, logEveryMinutes: null },
      chaos: CHAOS,
    },
  },
  {
    name: 'FULL partial',
    options: {
      recoveryModel: 'FULL',
      days: 16,
      schedule: { baseEveryDays: 7, base: 'partial', differentialEveryHours: 24, logEveryMinutes: 60 },
      chaos: CHAOS,
    },
  },
  {
    name: 'FULL full',
    options: {
      recoveryModel: 'FULL',
      days: 10,
      schedule: { baseEveryDays: 4, base: 'full', differentialEveryHours: 6, logEveryMinutes: 30 },
      chaos: CHAOS,
    },
  },
  {
    name: 'BULK_LOGGED full',
    options: {
      recoveryModel: 'BULK_LOGGED',
      days: 8,
      schedule: { baseEveryDays: 7, base: 'full', differentialEveryHours: null, logEveryMinutes: 15 },
      chaos: CHAOS,
    },
  },
];
const SEEDS = [1, 2, 3, 4, 5, 6];

function generated(
  config: (typeof CONFIGS)[number],
  seed: number,
  defects?: GenerateHistoryOptions['defects'],
): { g: GeneratedHistory; h: BackupHistory } {
  const g = generateHistory({ ...config.options, seed, defects });
  return { g, h: parseHistory(JSON.parse(JSON.stringify(g.history))) };
}

const finish = (s: { backup_finish_date: string }) => Date.parse(s.backup_finish_date);

/**
 * The newest restorable point of a defect-free generated history, computed from the generator's own facts.
 * A differential is a point only with a single base (not multi-based) and holding every filegroup its base
 * holds (one backed up on its own since the base is left out, and base + differential cannot recover).
 */
function newestPoint(h: BackupHistory, fork: string): string {
  const byUuid = new Map(h.backupsets.map((s) => [s.backup_set_uuid, s]));
  const present = (s: BackupSet) =>
    new Set(s.files.filter((f) => f.is_present && f.filegroup_name).map((f) => f.filegroup_name));
  const restorableDiff = (s: BackupSet) => {
    const base = s.differential_base_guid === null ? undefined : byUuid.get(s.differential_base_guid);
    if (!base) return false;
    const inDiff = present(s);
    return [...present(base)].every((g) => inDiff.has(g));
  };
  const regular = h.backupsets.filter(
    (s) =>
      !s.is_copy_only &&
      s.last_recovery_fork_guid === fork &&
      s.first_lsn !== s.last_lsn &&
      'DPIQL'.includes(s.type) &&
      (!'IQ'.includes(s.type) || restorableDiff(s)),
  );
  const hasLogs = regular.some((s) => s.type === 'L');
  const pool = hasLogs ? regular.filter((s) => s.type === 'L') : regular;
  return pool.reduce((a, b) => (finish(b) > finish(a) ? b : a)).last_lsn;
}

/** Requests for a history: latest, a point in time, a filegroup subset, an online-first stage. */
function requests(
  h: BackupHistory,
  g: GeneratedHistory,
  seed: number,
): { request: RestoreRequest; mustSucceed: boolean }[] {
  const rng = new SeededRandom(seed * 7919);
  const bases = h.backupsets.filter((s) => !s.is_copy_only && (s.type === 'D' || s.type === 'P'));
  const firstBase = Math.min(...bases.map(finish));
  const lastSet = Math.max(...h.backupsets.map(finish));
  let at = firstBase + rng.next() * (lastSet - firstBase);
  // A point between the fork point and the restore that created the fork belongs to no single branch.
  const restore = g.events.find((e) => e.kind === 'restore');
  if (restore) {
    const restoredAt = Date.parse(restore.at);
    if (at > restoredAt - 7 * 3_600_000 && at < restoredAt + 3_600_000) at = restoredAt - 8 * 3_600_000;
  }
  const names = (h.filegroups ?? []).map((f) => f.name);
  const subset = names.filter(() => rng.chance(0.4));
  const rw = (h.filegroups ?? []).filter((f) => !f.is_read_only && f.name !== 'PRIMARY').map((f) => f.name);
  return [
    { request: { database: 'DW' }, mustSucceed: true },
    { request: { database: 'DW', stopAt: new Date(Math.floor(at)) }, mustSucceed: true },
    { request: { database: 'DW', filegroups: subset.length ? subset : ['PRIMARY'] }, mustSucceed: false },
    {
      request: { database: 'DW', firstStage: rw.slice(0, 1), moveDataTo: 'F:\\restore', as: 'DW_Test' },
      mustSucceed: true,
    },
  ];
}

const FILEGROUP_RULES: RestoreRule[] = ['read-only-filegroup', 'filegroup-source'];
const DEFECT_RULES: RestoreRule[] = [
  'log-gap',
  'missing-media',
  'damaged-backup',
  'differential-base',
  'unreachable-target',
  'stopat-after-last-log',
];

describe('generated histories', () => {
  test('the generator is deterministic and writes valid, realistic msdb history', () => {
    const a = generateHistory({ ...CONFIGS[2]!.options, seed: 42 });
    const b = generateHistory({ ...CONFIGS[2]!.options, seed: 42 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(generateHistory({ ...CONFIGS[2]!.options, seed: 43 }).history)).not.toBe(
      JSON.stringify(a.history),
    );
    const h = parseHistory(JSON.parse(JSON.stringify(a.history)));
    expect(h.backupsets.every((s) => BigInt(s.first_lsn) > BigInt(Number.MAX_SAFE_INTEGER))).toBe(true);
    const types = new Set(h.backupsets.map((s) => `${s.type}${s.is_copy_only ? '-copy' : ''}`));
    for (const t of ['P', 'Q', 'L', 'F', 'D-copy', 'L-copy']) expect(types).toContain(t);
    expect(h.backupsets.some((s) => s.first_recovery_fork_guid !== s.last_recovery_fork_guid)).toBe(true);
    expect(h.backupsets.some((s) => s.media.some((m) => m.mirror === 1))).toBe(true);
    expect(a.events.some((e) => e.kind === 'restore')).toBe(true);
  });

  for (const config of CONFIGS) {
    test(`${config.name}: every plan obeys the rules; without defects the latest point and points in time are reached`, () => {
      let plans = 0;
      for (const seed of SEEDS) {
        const { g, h } = generated(config, seed);
        for (const { request, mustSucceed } of requests(h, g, seed)) {
          const r = planRestore(h, request);
          if (!r.ok) {
            const context = `${config.name} seed ${seed} ${JSON.stringify(request)}: ${r.failure.rule}: ${r.failure.message}`;
            expect(mustSucceed, context).toBe(false);
            expect(FILEGROUP_RULES, context).toContain(r.failure.rule);
            continue;
          }
          plans++;
          expect(
            checkRestorePlan(h, request, r.plan),
            `${config.name} seed ${seed} ${JSON.stringify(request)}`,
          ).toEqual([]);
          if (!request.stopAt && !request.filegroups)
            expect(r.plan.target.reaches_lsn).toBe(newestPoint(h, r.plan.target.recovery_fork_guid));
        }
      }
      expect(plans).toBeGreaterThanOrEqual(SEEDS.length * 3);
    });

    test(`${config.name} with defects: a plan obeys the rules, or the refusal names a defect's rule`, () => {
      const defects = { logGap: 0.01, missingStripe: 0.15, damaged: 0.01 };
      const seen = new Set<string>();
      for (const seed of SEEDS) {
        const { g, h } = generated(config, seed + 100, defects);
        for (const { request } of requests(h, g, seed)) {
          const r = planRestore(h, request);
          if (r.ok) {
            expect(checkRestorePlan(h, request, r.plan), `seed ${seed} ${JSON.stringify(request)}`).toEqual(
              [],
            );
            seen.add('plan');
          } else {
            expect([...DEFECT_RULES, ...FILEGROUP_RULES], `seed ${seed}: ${r.failure.message}`).toContain(
              r.failure.rule,
            );
            seen.add(r.failure.rule);
          }
        }
      }
      expect(seen.has('plan')).toBe(true);
    });
  }

  test('the checker catches broken plans', () => {
    const { h } = generated(CONFIGS[3]!, 9);
    const request = { database: 'DW' };
    const r = planRestore(h, request);
    if (!r.ok) throw new Error(r.failure.message);
    const broken = (edit: (p: RestorePlan) => void) => {
      const p = structuredClone(r.plan);
      edit(p);
      return checkRestorePlan(h, request, p);
    };
    const logIdx = r.plan.steps.findIndex((s) => s.kind === 'log');
    expect(broken((p) => p.steps.splice(logIdx + 1, 1)).join()).toMatch(/does not start where log/);
    expect(broken((p) => p.steps[0]!.files.reverse()).join()).toMatch(/not every family|does not/);
    expect(broken((p) => (p.steps[0]!.recovery = true)).join()).toMatch(/recovery=true/);
    const copy = h.backupsets.find((s) => s.is_copy_only && s.type === 'D');
    if (copy)
      expect(broken((p) => (p.steps[0]!.backup_set_id = copy.backup_set_id)).join()).toMatch(/copy-only/);
    expect(broken((p) => (p.steps.at(-1)!.backup_set_id = p.steps[logIdx]!.backup_set_id)).join()).not.toBe(
      '',
    );
  });
});
