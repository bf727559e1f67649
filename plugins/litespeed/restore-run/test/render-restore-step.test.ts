import { describe, expect, it } from 'vitest';
import { Secret } from '../../../../src/core/secret.ts';
import { planRestore, renderRestoreScript, type RestorePlan, type RestoreStep } from '../../restore/index.ts';
import { goldenScenarios, loadScenario } from '../../restore/test/golden-fixtures.ts';
import { renderRestoreStep } from '../render-restore-step.ts';

/**
 * The executor's statements are the DBA script's statements: for every golden scenario and step, the
 * batch the executor sends (key as a parameter) appears in the rendered script (key masked), LiteSpeed
 * and native alike. Then the few things only the executor does: REPLACE on the first step, the key
 * parameter, and recover-only steps as native T-SQL.
 */

function planned(name: string): RestorePlan {
  const { history, request } = loadScenario(name);
  const r = planRestore(history, request);
  if (!r.ok) throw new Error(`${name}: ${r.failure.message}`);
  return r.plan;
}

const withPlans = goldenScenarios().filter(
  (n) => planRestore(loadScenario(n).history, loadScenario(n).request).ok,
);

describe('renderRestoreStep matches the DBA script', () => {
  it.each(withPlans)('%s: LiteSpeed steps, key as @encryptionkey parameter', (name) => {
    const plan = planned(name);
    const script = renderRestoreScript(plan, {
      engine: 'litespeed',
      encryptionKey: new Secret('unused', 'env:K'),
    });
    for (const step of plan.steps) {
      const sql = renderRestoreStep(step, {
        engine: 'litespeed',
        database: plan.target.database,
        replace: false,
        keyParameter: true,
      });
      expect(sql.startsWith('DECLARE @rc int;\nEXEC @rc = master.dbo.xp_restore_')).toBe(true);
      expect(sql.endsWith('\nSELECT @rc AS rc;')).toBe(true);
      const exec = sql.slice(sql.indexOf('EXEC'), sql.lastIndexOf(';', sql.lastIndexOf('SELECT')) + 1);
      expect(script).toContain(
        exec.replace('@encryptionkey = @encryptionkey', "@encryptionkey = N'********'"),
      );
    }
  });

  it.each(withPlans)('%s: native steps', (name) => {
    const plan = planned(name);
    const script = renderRestoreScript(plan, { engine: 'native' });
    for (const step of plan.steps) {
      expect(script).toContain(
        renderRestoreStep(step, {
          engine: 'native',
          database: plan.target.database,
          replace: false,
          keyParameter: false,
        }),
      );
    }
  });
});

describe('renderRestoreStep: what only the executor adds', () => {
  const step: RestoreStep = {
    stage: 1,
    kind: 'database',
    backup_set_id: 7,
    filegroups: ['PRIMARY', 'A'],
    partial: true,
    recovery: false,
    stop_at: '2026-03-01T14:30:00+01:00',
    files: ["Y:\\it's\\a.bak", 'Y:\\b.bak'],
    position: 2,
    device_type: 7,
    move: [{ logical: 'DW', physical: 'E:\\r\\DW.mdf' }],
    reason: 'test',
  };

  it('LiteSpeed: REPLACE after the recovery option, the key as a parameter, values escaped', () => {
    expect(
      renderRestoreStep(step, { engine: 'litespeed', database: 'D]W', replace: true, keyParameter: true }),
    ).toBe(
      [
        'DECLARE @rc int;',
        'EXEC @rc = master.dbo.xp_restore_database',
        "    @database = N'D]W',",
        "    @filename = N'Y:\\it''s\\a.bak',",
        "    @filename = N'Y:\\b.bak',",
        '    @filenumber = 2,',
        "    @filegroup = N'PRIMARY',",
        "    @filegroup = N'A',",
        "    @with = N'PARTIAL',",
        "    @with = N'NORECOVERY',",
        "    @with = N'REPLACE',",
        "    @with = N'MOVE N''DW'' TO N''E:\\r\\DW.mdf''',",
        "    @with = N'STOPAT = ''2026-03-01T14:30:00''',",
        '    @encryptionkey = @encryptionkey;',
        'SELECT @rc AS rc;',
      ].join('\n'),
    );
  });

  it('native: REPLACE among the WITH options, brackets doubled in the database name', () => {
    expect(
      renderRestoreStep(step, { engine: 'native', database: 'D]W', replace: true, keyParameter: false }),
    ).toBe(
      [
        "RESTORE DATABASE [D]]W] FILEGROUP = N'PRIMARY', FILEGROUP = N'A'",
        "FROM DISK = N'Y:\\it''s\\a.bak',",
        "     DISK = N'Y:\\b.bak'",
        'WITH FILE = 2, PARTIAL, NORECOVERY, REPLACE,',
        "     MOVE N'DW' TO N'E:\\r\\DW.mdf',",
        "     STOPAT = '2026-03-01T14:30:00';",
      ].join('\n'),
    );
  });

  it('a recover-only step is native T-SQL in both engines', () => {
    const recover: RestoreStep = {
      ...step,
      kind: 'recover',
      backup_set_id: null,
      filegroups: ['B'],
      partial: false,
      recovery: true,
      files: [],
      position: null,
      move: [],
    };
    const expected = "RESTORE DATABASE [DW] FILEGROUP = N'B' WITH RECOVERY;";
    expect(
      renderRestoreStep(recover, {
        engine: 'litespeed',
        database: 'DW',
        replace: false,
        keyParameter: false,
      }),
    ).toBe(expected);
    expect(
      renderRestoreStep(recover, { engine: 'native', database: 'DW', replace: false, keyParameter: false }),
    ).toBe(expected);
  });
});
