import { describe, expect, test } from 'vitest';
import { planRestore } from '../plan-restore.ts';
import type { RestorePlan } from '../restore-plan.ts';
import { loadScenario } from './golden-fixtures.ts';

/** The reference's expected steps (§5), asserted directly so that a regenerated golden cannot hide a regression. */
function steps(plan: RestorePlan): string[] {
  return plan.steps.map(
    (s) =>
      `${s.stage} ${s.kind} ${s.backup_set_id ?? '-'} ${s.partial ? 'PARTIAL ' : ''}${s.recovery ? 'RECOVERY' : 'NORECOVERY'}`,
  );
}

function plan(name: string): RestorePlan {
  const { history, request } = loadScenario(name);
  const r = planRestore(history, request);
  if (!r.ok) throw new Error(`${r.failure.rule}: ${r.failure.message}`);
  return r.plan;
}

describe('reference scenarios', () => {
  test('S1: piecemeal SIMPLE: PARTIAL with PRIMARY and every read-write filegroup, then read-only B', () => {
    const p = plan('s1');
    expect(steps(p)).toEqual(['1 database 102 PARTIAL RECOVERY', '2 filegroup 101 RECOVERY']);
    expect(p.steps[0]!.filegroups).toEqual(['PRIMARY', 'A', 'C']);
    expect(p.steps[1]!.filegroups).toEqual(['B']);
    expect(p.target.database).toBe('DW_Copy');
    // moveDataTo renames the physical file names containing the old name because a new name was asked for.
    expect(p.steps[0]!.move).toContainEqual({ logical: 'DW_Data', physical: 'F:\\restore\\DW_Copy.mdf' });
    expect(p.steps[1]!.move).toEqual([{ logical: 'DW_B', physical: 'F:\\restore\\DW_Copy_B.ndf' }]);
    expect(p.warnings).toEqual([]);
  });

  test('S3: piecemeal FULL: the log chain is replayed in every read-write stage, read-only B needs none', () => {
    const p = plan('s3');
    const logs = ['205', '206', '207'].map((id) => `log ${id} NORECOVERY`);
    expect(steps(p)).toEqual([
      '1 database 201 PARTIAL NORECOVERY',
      '1 filegroup 202 NORECOVERY',
      ...logs.map((l) => `1 ${l}`),
      '1 log 208 RECOVERY',
      '2 filegroup 203 NORECOVERY',
      ...logs.map((l) => `2 ${l}`),
      '2 log 208 RECOVERY',
      '3 filegroup 204 RECOVERY',
    ]);
    expect(p.target.filegroups_online).toEqual(['PRIMARY', 'A', 'C', 'B']);
    expect(p.steps.every((s) => s.stop_at === null)).toBe(true);
  });

  test('S3 at a point in time: STOPAT in every step of every stage, in the server time recorded with the backups', () => {
    const p = plan('s3-stopat');
    expect(new Set(p.steps.map((s) => s.stage))).toEqual(new Set([1, 2, 3]));
    for (const s of p.steps) expect(s.stop_at).toBe('2026-03-02T03:10:00.500+01:00');
    // The chain stops at the first log finished at or after STOPAT (207), not one before (P11) nor after.
    expect(p.steps.filter((s) => s.kind === 'log' && s.recovery).map((s) => s.backup_set_id)).toEqual([
      207, 207,
    ]);
    expect(p.steps.some((s) => s.backup_set_id === 208)).toBe(false);
    expect(p.target.stop_at).toBe('2026-03-02T02:10:00.500Z');
  });

  test('S5: partial base, only the latest differential partial, then read-only B', () => {
    expect(steps(plan('s5'))).toEqual([
      '1 database 301 PARTIAL NORECOVERY',
      '1 database 303 RECOVERY',
      '2 filegroup 304 RECOVERY',
    ]);
  });

  test('S6: the newest base with its own differential', () => {
    expect(steps(plan('s6'))).toEqual(['1 database 403 PARTIAL NORECOVERY', '1 database 404 RECOVERY']);
  });

  test('S7: full and its differential, never the copy-only full', () => {
    const p = plan('s7');
    expect(steps(p)).toEqual(['1 database 501 NORECOVERY', '1 database 503 RECOVERY']);
    // explicit move wins over moveDataTo; no rename without a new name
    expect(p.steps[0]!.move).toContainEqual({ logical: 'DW_Log', physical: 'H:\\log\\DW_log.ldf' });
    expect(p.steps[0]!.move).toContainEqual({ logical: 'DW_Data', physical: 'G:\\data\\DW.mdf' });
    expect(p.steps[1]!.move).toEqual([]);
  });

  test('S9: the log that overlaps the full is chosen by LSN containment, not database_backup_lsn', () => {
    expect(steps(plan('s9'))).toEqual([
      '1 database 602 NORECOVERY',
      '1 log 603 NORECOVERY',
      '1 log 604 RECOVERY',
    ]);
  });

  test('S11: the four families of one mirror, in family order', () => {
    const p = plan('s11');
    expect(p.steps).toHaveLength(1);
    expect(p.steps[0]!.files).toEqual(
      [1, 2, 3, 4].map((n) => `Y:\\SQL_BACKUPS\\DW_FULL_20260301_${n}of4.bak`),
    );
    expect(p.steps[0]!.position).toBe(2);
  });
});
