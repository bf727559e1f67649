import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DW_KEY, DW_PARTIAL_SPEC, outcome, startEstate, type Estate } from './estate.ts';

/** Faults mark the step failed, record nothing as a good backup, and the next run recovers. */
describe('faults during backups', () => {
  let estate: Estate;
  let job: string;
  beforeEach(async () => {
    estate = await startEstate();
    job = estate.writeJob('dw-partial', DW_PARTIAL_SPEC);
  });
  afterEach(async () => estate?.close());

  it('LiteSpeed error 60601 on the partial: the step fails with the error, nothing after it runs, the next run takes the partial', async () => {
    estate.sim.faults.engine.failCall(
      { operation: 'xp_backup_database', nth: 4 },
      {
        number: 60601,
        message: "LiteSpeed: Could not read the drive for 'Y:\\SQL_BACKUPS': 21(The device is not ready.)",
      },
    );
    const { result } = await estate.run(job);
    expect(outcome(result)).toEqual([
      'backup-filegroup:FG_2019 succeeded',
      'backup-filegroup:FG_2020 succeeded',
      'backup-filegroup:FG_2021 succeeded',
      'backup-partial failed',
    ]);
    expect(result.status).toBe('partly-failed');
    const failed = result.steps[3]!;
    expect(failed.summary).toMatch(/Msg 60601: LiteSpeed: Could not read the drive/);
    expect(failed.error?.code).toBe('SERVER_ERROR');
    expect(estate.msdbTypes()).toEqual(['F', 'F', 'F']);
    expect(estate.artifacts().map((a) => a.type)).toEqual(['F', 'F', 'F']);

    estate.clock.set('2026-03-01T02:00:00Z');
    const next = await estate.run(job);
    expect(outcome(next.result)).toEqual(['backup-partial succeeded']);
    expect(next.plan.steps[0]!.reason).toBe('DW has no partial backup in msdb yet');
  });

  it('a failed verify fails the step; the backup set is in msdb but not recorded as good, and the next run takes it again', async () => {
    estate.sim.faults.engine.failVerify({ operation: 'xp_restore_verifyonly', nth: 4 });
    const { result } = await estate.run(job);
    expect(outcome(result).at(-1)).toBe('backup-partial failed');
    expect(result.steps[3]!.error?.code).toBe('VERIFICATION_FAILED');
    expect(result.steps[3]!.summary).toMatch(
      /the partial backup of DW \(backup set 4\) failed verification: .*Msg 6060\d.*; it is not recorded as a good backup/,
    );
    expect(estate.msdbTypes()).toEqual(['F', 'F', 'F', 'P']);
    expect(estate.artifacts().map((a) => a.type)).toEqual(['F', 'F', 'F']);

    estate.clock.set('2026-03-01T02:00:00Z');
    const next = await estate.run(job);
    expect(outcome(next.result)).toEqual(['backup-partial succeeded']);
    expect(next.plan.steps[0]!.reason).toMatch(
      /^the current base, backup set 4 \(partial, 2026-03-01T01:00:00Z\), is not recorded as good in holdfast's catalog/,
    );
    const base = estate.artifacts().at(-1)!;
    expect(base.metadata.backupSetId).toBe(5);
    // the next day's differential is based on the good partial, not on the unverified one
    estate.clock.set('2026-03-02T01:00:00Z');
    expect(outcome((await estate.run(job)).result)).toEqual(['backup-differential-partial succeeded']);
    expect(estate.artifacts().at(-1)!.dependsOn).toEqual([base.id]);
  });

  it('the connection dropped in the middle of a backup: the step fails, nothing is recorded, the next run recovers', async () => {
    estate.sim.faults.connection.dropConnectionOnCall(
      { sqlContains: 'EXEC @rc = master.dbo.xp_backup_database', nth: 2 },
      { at: 'mid-response' },
    );
    const { result } = await estate.run(job);
    expect(outcome(result)).toEqual([
      'backup-filegroup:FG_2019 succeeded',
      'backup-filegroup:FG_2020 failed',
      'backup-filegroup:FG_2021 not-executed',
      'backup-partial not-executed',
    ]);
    expect(result.steps[1]!.summary).toMatch(/the connection to SQL Server was lost/);
    expect(result.steps[3]!.skippedBecause).toMatch(/failed|did not run/);
    // the server finished the backup it had started, but holdfast never confirmed it: not a good backup
    expect(estate.msdbTypes()).toEqual(['F', 'F']);
    expect(estate.artifacts().map((a) => a.type)).toEqual(['F']);

    estate.clock.set('2026-03-01T02:00:00Z');
    const next = await estate.run(job);
    expect(outcome(next.result)).toEqual([
      'backup-filegroup:FG_2020 succeeded',
      'backup-filegroup:FG_2021 succeeded',
      'backup-partial succeeded',
    ]);
    expect(next.plan.steps[0]!.reason).toMatch(
      /^the backup of filegroup FG_2020 that matches it, backup set 2 .*is not recorded as good/,
    );
    expect(estate.artifacts().map((a) => a.type)).toEqual(['F', 'F', 'F', 'P']);
  });

  it('a server message that echoes the encryption key is masked in the step, its error and every log line', async () => {
    estate.sim.faults.engine.failCall(
      { operation: 'xp_backup_database', once: true },
      { number: 60605, message: `LiteSpeed: the key '${DW_KEY}' is not accepted` },
    );
    const { result } = await estate.run(job);
    const failed = result.steps[0]!;
    expect(failed.status).toBe('failed');
    expect(failed.summary).toContain("Msg 60605: LiteSpeed: the key '********' is not accepted");
    expect(JSON.stringify(result)).not.toContain(DW_KEY);
    const logs = estate.logs.join('');
    expect(logs).toContain('Msg 60605');
    expect(logs).not.toContain(DW_KEY);
  });
});
