import { describe, expect, test } from 'vitest';
import { planRestore } from '../plan-restore.ts';
import type { RestorePlan } from '../restore-plan.ts';
import { at, backupSet, FORK_A, FORK_B, history, lsn } from './history-builder.ts';

/**
 * F1, L1 on fork A; the database is then restored to the end of L1 (LSN 20) WITH RECOVERY, which starts
 * fork B. The old branch's logs L2a, L3a start at the same LSN as the new branch's L2b (which spans the
 * fork) and must never be mixed with it.
 */
function forked() {
  return history([
    backupSet({
      backup_set_id: 1,
      type: 'D',
      first_lsn: lsn(0),
      last_lsn: lsn(10),
      backup_finish_date: at('01:00'),
    }),
    backupSet({
      backup_set_id: 2,
      type: 'L',
      first_lsn: lsn(5),
      last_lsn: lsn(20),
      backup_finish_date: at('02:00'),
    }),
    backupSet({
      backup_set_id: 3,
      type: 'L',
      first_lsn: lsn(20),
      last_lsn: lsn(40),
      backup_finish_date: at('03:00'),
    }),
    backupSet({
      backup_set_id: 4,
      type: 'L',
      first_lsn: lsn(40),
      last_lsn: lsn(50),
      backup_finish_date: at('04:00'),
    }),
    backupSet({
      backup_set_id: 5,
      type: 'L',
      first_lsn: lsn(20),
      last_lsn: lsn(30),
      backup_finish_date: at('06:00'),
      last_recovery_fork_guid: FORK_B,
      fork_point_lsn: lsn(20),
    }),
    backupSet({
      backup_set_id: 6,
      type: 'L',
      first_lsn: lsn(30),
      last_lsn: lsn(45),
      backup_finish_date: at('07:00'),
      first_recovery_fork_guid: FORK_B,
      last_recovery_fork_guid: FORK_B,
    }),
  ]);
}

const ids = (p: RestorePlan) => p.steps.map((s) => s.backup_set_id);

describe('recovery forks', () => {
  test('the latest fork by default: the spanning log continues the chain, the abandoned branch is ignored', () => {
    const r = planRestore(forked(), { database: 'DB' });
    if (!r.ok) throw new Error(r.failure.message);
    expect(ids(r.plan)).toEqual([1, 2, 5, 6]);
    expect(r.plan.target.recovery_fork_guid).toBe(FORK_B);
    expect(r.plan.warnings[0]).toContain('2 recovery forks');
    expect(r.plan.warnings[0]).toContain('2 backup sets on other branches ignored (3, 4)');
  });

  test('another fork on request', () => {
    const r = planRestore(forked(), { database: 'DB' }, { recoveryForkGuid: FORK_A.toLowerCase() });
    if (!r.ok) throw new Error(r.failure.message);
    expect(ids(r.plan)).toEqual([1, 2, 3, 4]);
    expect(r.plan.target.recovery_fork_guid).toBe(FORK_A);
  });

  test('a point before the fork ends on the ancestor fork, on the path to the latest one', () => {
    const r = planRestore(forked(), { database: 'DB', stopAt: new Date(at('01:30')) });
    if (!r.ok) throw new Error(r.failure.message);
    expect(ids(r.plan)).toEqual([1, 2]);
    expect(r.plan.target.recovery_fork_guid).toBe(FORK_A);
  });

  test('an unknown fork is refused', () => {
    const r = planRestore(
      forked(),
      { database: 'DB' },
      { recoveryForkGuid: '12345678-0000-4000-8000-000000000000' },
    );
    expect(r.ok ? null : r.failure.rule).toBe('recovery-fork');
  });

  test('without the spanning log the new fork cannot be reached', () => {
    const h = forked();
    h.backupsets = h.backupsets.filter((s) => s.backup_set_id !== 5);
    const r = planRestore(h, { database: 'DB' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.failure.rule).toBe('no-base');
  });
});
