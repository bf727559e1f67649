import { describe, expect, test } from 'vitest';
import { ErrorCode, ExitCode } from '../../../../src/core/errors.ts';
import type { BackupHistory } from '../history-schema.ts';
import { planRestore, restoreFailureExitCode, restoreFailureToError } from '../plan-restore.ts';
import type { PlanRestoreOptions, RestoreFailure, RestorePlan, RestoreRequest } from '../restore-plan.ts';
import { selectCandidates } from '../select-candidates.ts';
import { selectChain } from '../select-chain.ts';
import { loadScenario, scenarioHistory } from './golden-fixtures.ts';

function refuse(
  history: BackupHistory,
  request: RestoreRequest,
  options?: PlanRestoreOptions,
): RestoreFailure {
  const r = planRestore(history, request, options);
  if (r.ok)
    throw new Error(
      `expected a refusal, got a plan: ${JSON.stringify(r.plan.steps.map((s) => s.backup_set_id))}`,
    );
  return r.failure;
}

function accept(history: BackupHistory, request: RestoreRequest, options?: PlanRestoreOptions): RestorePlan {
  const r = planRestore(history, request, options);
  if (!r.ok) throw new Error(`${r.failure.rule}: ${r.failure.message}`);
  return r.plan;
}

const ids = (p: RestorePlan) => p.steps.map((s) => s.backup_set_id);
const byId = (h: BackupHistory, id: number) => h.backupsets.find((s) => s.backup_set_id === id)!;

describe('differentials and bases', () => {
  test('S6: Q3 is never applied on P1 when P2 is gone', () => {
    const h = scenarioHistory('s6');
    h.backupsets = h.backupsets.filter((s) => s.backup_set_id !== 403);
    const f = refuse(h, { database: 'DW' });
    expect(f.rule).toBe('differential-base');
    expect(f.backup_set_id).toBe(404);
    expect(f.message).toContain('is not in the history');
    expect(f.message).toContain('Msg 3136');
    // The older chain is still there for an earlier point.
    expect(ids(accept(h, { database: 'DW', stopAt: new Date('2026-03-05T00:00:00Z') }))).toEqual([401, 402]);
  });

  test('S6: chain selection on P1 refuses Q3 even when P2 exists but cannot be read', () => {
    const h = scenarioHistory('s6');
    byId(h, 403).media = [{ ...byId(h, 403).media[0]!, family_sequence_number: 2 }];
    const cand = selectCandidates(h, { database: 'DW' });
    if (!cand.ok) throw new Error('candidates');
    const p1 = cand.candidates.index.byId.get(401)!;
    const r = selectChain(cand.candidates, p1);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.rejection.rule).toBe('differential-base');
      expect(r.rejection.message).toContain('belongs to base backup 403, not to base backup 401');
    }
    const f = refuse(h, { database: 'DW' });
    expect(f.rule).toBe('missing-media');
    expect(f.backup_set_id).toBe(403);
    expect(f.rejected.map((x) => x.backup_set_id)).toEqual([403, 401]);
  });

  test('S7: a differential whose base is a copy-only full is refused, never restored on it', () => {
    const h = scenarioHistory('s7');
    const copy = byId(h, 502);
    Object.assign(byId(h, 503), {
      differential_base_lsn: copy.checkpoint_lsn,
      differential_base_guid: copy.backup_set_uuid,
    });
    const f = refuse(h, { database: 'DW' });
    expect(f.rule).toBe('differential-base');
    expect(f.backup_set_id).toBe(503);
    expect(f.message).toContain('copy-only');
  });

  test('copy-only fulls alone are never a base', () => {
    const h = scenarioHistory('s7');
    h.backupsets = h.backupsets.filter((s) => s.backup_set_id === 502);
    const f = refuse(h, { database: 'DW' });
    expect(f.rule).toBe('no-base');
    expect(f.message).toContain('copy-only');
  });

  test('a damaged newest differential is refused for "latest" and used only when allowed', () => {
    const h = scenarioHistory('s5');
    byId(h, 303).is_damaged = true;
    const f = refuse(h, { database: 'DW' });
    expect(f.rule).toBe('damaged-backup');
    expect(f.backup_set_id).toBe(303);
    expect(f.message).toContain('plan with stopAt at or before it');
    const older = accept(h, { database: 'DW', stopAt: new Date('2026-03-02T12:00:00Z') });
    expect(ids(older)).toEqual([301, 302, 304]);
    const unsafe = accept(h, { database: 'DW' }, { unsafeAllowDamaged: true });
    expect(ids(unsafe)).toEqual([301, 303, 304]);
    expect(unsafe.warnings.join('\n')).toContain('backup 303 is flagged is_damaged');
  });
});

describe('log chains', () => {
  test('a log gap fails with the missing LSN range and exit code 1', () => {
    const h = scenarioHistory('s9');
    h.backupsets = h.backupsets.filter((s) => s.backup_set_id !== 603);
    const f = refuse(h, { database: 'DW' });
    expect(f.rule).toBe('log-gap');
    expect(f.lsn_range).toEqual({ from: byId(h, 602).last_lsn, to: byId(h, 604).first_lsn });
    expect(f.message).toContain(`Missing LSN range ${byId(h, 602).last_lsn}..${byId(h, 604).first_lsn}`);
    expect(f.rejected.map((r) => r.backup_set_id)).toEqual([602, 600]);
    expect(restoreFailureExitCode(f)).toBe(ExitCode.StepFailed);
    const err = restoreFailureToError(f);
    expect(err.code).toBe(ErrorCode.RuleViolation);
    expect(err.details).toMatchObject({ rule: 'log-gap' });
  });

  test('copy-only logs and empty logs (first_lsn = last_lsn) are skipped', () => {
    const h = scenarioHistory('s9');
    const l1 = byId(h, 603);
    const copy = {
      ...structuredClone(l1),
      backup_set_id: 900,
      backup_set_uuid: '00000000-0000-4000-8000-000000000900',
      is_copy_only: true,
      last_lsn: byId(h, 604).last_lsn,
    };
    const empty = {
      ...structuredClone(l1),
      backup_set_id: 901,
      backup_set_uuid: '00000000-0000-4000-8000-000000000901',
      first_lsn: l1.last_lsn,
      last_lsn: l1.last_lsn,
    };
    h.backupsets.push(copy, empty);
    expect(ids(accept(h, { database: 'DW' }))).toEqual([602, 603, 604]);
  });

  test('STOPAT before the base finished is refused', () => {
    const f = refuse(scenarioHistory('s9'), { database: 'DW', stopAt: new Date('2026-02-28T01:00:00Z') });
    expect(f.rule).toBe('stopat-before-base');
    expect(f.backup_set_id).toBe(600);
  });

  test('STOPAT beyond the last log is refused', () => {
    const f = refuse(scenarioHistory('s9'), { database: 'DW', stopAt: new Date('2026-03-01T02:00:00Z') });
    expect(f.rule).toBe('stopat-after-last-log');
    expect(f.message).toContain('log backup 604');
    expect(f.lsn_range).toEqual({ from: byId(scenarioHistory('s9'), 604).last_lsn, to: null });
  });

  test('a point in time picks the base finished before it and stops at the first log finished after it', () => {
    const p = accept(scenarioHistory('s9'), { database: 'DW', stopAt: new Date('2026-03-01T01:12:00Z') });
    expect(ids(p)).toEqual([602, 603, 604]);
    expect(p.steps.every((s) => s.stop_at === '2026-03-01T01:12:00Z')).toBe(true);
    const earlier = accept(scenarioHistory('s9'), {
      database: 'DW',
      stopAt: new Date('2026-03-01T00:40:00Z'),
    });
    expect(ids(earlier)).toEqual([600, 601]);
  });

  test('a tail log with incomplete metadata is refused unless allowed', () => {
    const h = scenarioHistory('s3');
    byId(h, 208).has_incomplete_metadata = true;
    const f = refuse(h, loadScenario('s3').request);
    expect(f.rule).toBe('incomplete-metadata');
    expect(f.backup_set_id).toBe(208);
    const p = accept(h, loadScenario('s3').request, { unsafeAllowIncompleteMetadata: true });
    expect(p.steps.filter((s) => s.backup_set_id === 208)).toHaveLength(2);
  });
});

describe('media', () => {
  test('a mirror missing a family is replaced by a complete mirror, never mixed', () => {
    const h = scenarioHistory('s11');
    const set = byId(h, 701);
    set.media = set.media.filter((m) => !(m.mirror === 0 && m.family_sequence_number === 3));
    const p = accept(h, { database: 'DW' });
    expect(p.steps[0]!.files).toEqual(
      [1, 2, 3, 4].map((n) => `Z:\\SQL_MIRROR\\DW_FULL_20260301_${n}of4.bak`),
    );
    expect(p.steps[0]!.reason).toContain('mirror 1 used because mirror 0 misses family 3 of 4');
  });

  test('a family missing from every mirror is refused', () => {
    const h = scenarioHistory('s11');
    const set = byId(h, 701);
    set.media = set.media.filter((m) => m.family_sequence_number !== 3);
    const f = refuse(h, { database: 'DW' });
    expect(f.rule).toBe('missing-media');
    expect(f.backup_set_id).toBe(701);
    expect(f.message).toContain('mirror 0 misses family 3 of 4; mirror 1 misses family 3 of 4');
  });
});

describe('filegroups', () => {
  function movedReadOnly(): BackupHistory {
    // B was made read-write and read-only again after F_B (101) and before P1 (102).
    const h = scenarioHistory('s1');
    const fileB = byId(h, 102).files.find((f) => f.filegroup_name === 'B')!;
    fileB.read_write_lsn = (BigInt(fileB.read_only_lsn!) + 10n).toString();
    fileB.read_only_lsn = (BigInt(fileB.read_only_lsn!) + 20n).toString();
    return h;
  }

  test('a read-only filegroup whose read_only_lsn moved after its backup stays offline with a warning', () => {
    const p = accept(movedReadOnly(), { database: 'DW' });
    expect(ids(p)).toEqual([102]);
    expect(p.target.filegroups_offline.map((o) => o.name)).toEqual(['B']);
    const w = p.warnings.find((x) => x.startsWith('filegroup B cannot be brought back'));
    expect(w).toContain('read_only_lsn moved');
    expect(w).toContain('backup 101');
  });

  test('... and is refused when the request names it', () => {
    const f = refuse(movedReadOnly(), { database: 'DW', filegroups: ['b'] });
    expect(f.rule).toBe('read-only-filegroup');
    expect(f.filegroup).toBe('B');
  });

  test('an unknown filegroup is refused as invalid input (exit code 2)', () => {
    const f = refuse(scenarioHistory('s1'), { database: 'DW', filegroups: ['FG_1999'] });
    expect(f.rule).toBe('unknown-filegroup');
    expect(f.filegroup).toBe('FG_1999');
    expect(f.message).toContain('known filegroups: PRIMARY, A, B, C');
    expect(restoreFailureExitCode(f)).toBe(ExitCode.InvalidInput);
  });

  test('SIMPLE: asking for PRIMARY only still restores every read-write filegroup; read-only B is left out', () => {
    const p = accept(scenarioHistory('s1'), { database: 'DW', filegroups: ['PRIMARY'] });
    expect(ids(p)).toEqual([102]);
    expect(p.steps[0]!.filegroups).toEqual(['PRIMARY', 'A', 'C']);
    expect(p.target.filegroups_offline).toEqual([{ name: 'B', reason: 'not requested' }]);
  });

  test('FULL: a read-only filegroup whose backup no longer matches is rolled forward with the logs', () => {
    // B is made read-write and read-only again inside log 206: logs 206-208 record the new read_only_lsn.
    const h = scenarioHistory('s3');
    for (const id of [206, 207, 208]) {
      const b = byId(h, id).files.find((f) => f.filegroup_name === 'B')!;
      b.read_write_lsn = '36000000000012400001';
      b.read_only_lsn = '36000000000012500001';
    }
    const p = accept(h, loadScenario('s3').request);
    expect(p.steps.find((s) => s.stage === 3)!.reason).toContain('made read-write and read-only again');
    const stage3 = p.steps.filter((s) => s.stage === 3);
    expect(stage3.map((s) => `${s.kind} ${s.backup_set_id}`)).toEqual([
      'filegroup 204',
      'log 205',
      'log 206',
      'log 207',
      'log 208',
    ]);
  });
});

describe('read-only filegroups switched after the base (FULL)', () => {
  const switched = () => {
    const h = scenarioHistory('s3');
    for (const id of [206, 207, 208]) {
      const b = byId(h, id).files.find((f) => f.filegroup_name === 'B')!;
      b.read_write_lsn = '36000000000012400001';
      b.read_only_lsn = '36000000000012500001';
    }
    return h;
  };

  test('a filegroup backup taken after the last switch is preferred: no logs', () => {
    const h = switched();
    const fresh = structuredClone(byId(h, 204));
    fresh.backup_set_id = 209;
    fresh.backup_set_uuid = '1A2B000B-0000-4000-8000-000000000209';
    fresh.first_lsn = fresh.checkpoint_lsn = '36000000000013100001';
    fresh.last_lsn = '36000000000013200001';
    fresh.backup_start_date = '2026-03-02T04:10:00+01:00';
    fresh.backup_finish_date = '2026-03-02T04:12:00+01:00';
    fresh.media = fresh.media.map((m) => ({ ...m, physical_device_name: m.physical_device_name + '.209' }));
    for (const f of fresh.files) {
      if (f.filegroup_name !== 'B') continue;
      f.read_write_lsn = '36000000000012400001';
      f.read_only_lsn = '36000000000012500001';
    }
    h.backupsets.push(fresh);
    const p = accept(h, loadScenario('s3').request);
    const stage3 = p.steps.filter((s) => s.stage === 3);
    expect(stage3.map((s) => `${s.kind} ${s.backup_set_id}`)).toEqual(['filegroup 209']);
    expect(stage3[0]!.reason).toContain('read_only_lsn 36000000000012500001');
  });

  test('a filegroup made read-write after the base and left so is rolled forward, never restored "with no log"', () => {
    const h = scenarioHistory('s3');
    for (const id of [206, 207, 208]) {
      const b = byId(h, id).files.find((f) => f.filegroup_name === 'B')!;
      b.is_readonly = false;
      b.read_write_lsn = '36000000000012400001';
    }
    const p = accept(h, loadScenario('s3').request);
    const fromB = p.steps.filter((s) => s.kind === 'filegroup' && s.filegroups.includes('B'));
    expect(fromB.map((s) => `${s.kind} ${s.backup_set_id}`)).toEqual(['filegroup 204']);
    const stage = p.steps.filter((s) => s.stage === fromB[0]!.stage);
    expect(stage.map((s) => s.kind)).toEqual(['filegroup', 'log', 'log', 'log', 'log']);
  });

  test('refused with the reason when the logs cannot roll it forward and no newer backup exists', () => {
    const h = switched();
    const b = byId(h, 204);
    // Its only backup now predates the log chain: it can neither match nor be rolled forward.
    b.first_lsn = b.checkpoint_lsn = '36000000000008000001';
    b.last_lsn = '36000000000008500001';
    const f = refuse(h, { ...loadScenario('s3').request, filegroups: ['A', 'B'] });
    expect(f.rule).toBe('read-only-filegroup');
    expect(f.filegroup).toBe('B');
    expect(f.message).toContain('made read-write and read-only again');
  });
});

describe('SIMPLE: a filegroup archived after the partial base and backed up on its own', () => {
  // S6 with C made read-only after P3 and backed up on its own (F 405): Q4 no longer holds it.
  const archived = () => {
    const h = scenarioHistory('s6');
    const q4 = byId(h, 404);
    const f405 = structuredClone(byId(h, 403));
    f405.backup_set_id = 405;
    f405.type = 'F';
    f405.backup_set_uuid = '1A2B000B-0000-4000-8000-000000000405';
    f405.first_lsn = f405.checkpoint_lsn = '36000000000004700001';
    f405.last_lsn = '36000000000004800001';
    f405.media = f405.media.map((m) => ({ ...m, physical_device_name: `${m.physical_device_name}.405` }));
    for (const set of [q4, f405])
      for (const f of set.files) {
        if (f.filegroup_name !== 'C') {
          if (set === f405) f.is_present = false;
          continue;
        }
        f.is_readonly = true;
        f.read_only_lsn = '36000000000004600001';
        f.is_present = set === f405;
      }
    f405.files = f405.files.filter((f) => f.file_type !== 'L');
    h.backupsets.splice(3, 0, f405);
    return h;
  };

  test('the differential that leaves it out is no restore point: base alone, with a warning', () => {
    const p = accept(archived(), { database: 'DW' });
    expect(ids(p)).toEqual([403]);
    expect(p.steps[0]!.filegroups).toEqual(['PRIMARY', 'A', 'B', 'C']);
    expect(p.warnings.join('\n')).toMatch(/backup 404 .*leaves out filegroup C/);
  });

  test('a differential still holding every filegroup of its base is used', () => {
    const p = accept(scenarioHistory('s6'), { database: 'DW' });
    expect(ids(p)).toEqual([403, 404]);
  });
});

describe('MOVE placement', () => {
  test('the first step moves every file of the database, including filegroups restored later or left offline', () => {
    const p = accept(scenarioHistory('s1'), {
      database: 'DW',
      as: 'DW_Copy',
      filegroups: ['PRIMARY'],
      move: [{ logical: 'DW_B', path: 'Q:\\offline\\DW_B.ndf' }],
    });
    expect(p.target.filegroups_offline.map((f) => f.name)).toEqual(['B']);
    expect(p.steps[0]!.move).toEqual([{ logical: 'DW_B', physical: 'Q:\\offline\\DW_B.ndf' }]);
    expect(p.steps[0]!.reason).toContain('MOVE also for DW_B (restored later or left offline)');
    expect(p.warnings.some((w) => w.includes('not used'))).toBe(false);
  });

  test('a later stage moves its files to the same path as the first step', () => {
    const p = accept(scenarioHistory('s1'), { database: 'DW', as: 'DW_Copy', moveDataTo: 'F:\\restore' });
    const later = p.steps.find((s) => s.filegroups.includes('B') && s.kind === 'filegroup')!;
    const first = new Map(p.steps[0]!.move.map((m) => [m.logical, m.physical]));
    for (const m of later.move) expect(first.get(m.logical)).toBe(m.physical);
    expect(later.move.length).toBeGreaterThan(0);
  });
});

describe('requests', () => {
  test('another database is refused', () => {
    expect(refuse(scenarioHistory('s1'), { database: 'Sales' }).rule).toBe('unknown-database');
  });

  test('a move for an unknown logical file is refused; a new name without relocation warns', () => {
    const f = refuse(scenarioHistory('s7'), {
      database: 'DW',
      move: [{ logical: 'Nope', path: 'X:\\n.mdf' }],
    });
    expect(f.rule).toBe('unknown-logical-file');
    const p = accept(scenarioHistory('s7'), { database: 'DW', as: 'DW2' });
    expect(p.warnings.join('\n')).toContain('restoring as DW2 without moveDataTo or move');
    expect(p.steps[0]!.move).toEqual([]);
  });

  test('two files moved to one path are refused', () => {
    const f = refuse(scenarioHistory('s7'), {
      database: 'DW',
      move: [
        { logical: 'DW_A', path: 'X:\\same.ndf' },
        { logical: 'DW_C', path: 'x:\\SAME.ndf' },
      ],
    });
    expect(f.rule).toBe('move-collision');
  });

  test('a STOPAT under SIMPLE reaches the newest backup before it, with a warning', () => {
    const p = accept(scenarioHistory('s5'), { database: 'DW', stopAt: new Date('2026-03-02T12:00:00Z') });
    expect(ids(p)).toEqual([301, 302, 304]);
    expect(p.steps.every((s) => s.stop_at === null)).toBe(true);
    expect(p.warnings.join('\n')).toContain('no log backups to replay');
  });
});
