import { afterEach, describe, expect, it } from 'vitest';
import type { RecoveryModel } from './model.ts';
import { errorNumbers, newTestSim, ok, xp, type TestSim } from './test-helpers.ts';

/**
 * The example restore sequences of the reference (§5): each succeeds in the documented order on a
 * second simulated server that shares the backup files ("restore to a new server"), and fails with
 * SQL Server's error number when steps are swapped, skipped or repeated.
 */

const sims: TestSim[] = [];
afterEach(async () => {
  for (const s of sims.splice(0)) await s.cleanup();
});

async function source(): Promise<TestSim> {
  const t = await newTestSim('empty');
  sims.push(t);
  return t;
}

async function newServer(from: TestSim): Promise<TestSim> {
  const t = await newTestSim('empty', from.dataDir);
  sims.push(t);
  return t;
}

function piecemealDatabase(t: TestSim, model: RecoveryModel, bReadOnly: boolean): void {
  const file = (name: string, size: string) => ({
    logicalName: `PM_${name}`,
    physicalName: `D:\\data\\PM_${name}.ndf`,
    size,
  });
  t.sim.createDatabase({
    name: 'PM',
    recoveryModel: model,
    filegroups: [
      { name: 'PRIMARY', files: [{ logicalName: 'PM', physicalName: 'D:\\data\\PM.mdf', size: '1GB' }] },
      { name: 'A', files: [file('A', '4GB')] },
      { name: 'B', readOnly: bReadOnly, files: [file('B', '8GB')] },
      { name: 'C', files: [file('C', '4GB')] },
    ],
    log: { logicalName: 'PM_log', physicalName: 'L:\\log\\PM_log.ldf', size: '1GB' },
  });
}

const B = (name: string) => `Y:\\SQL_BACKUPS\\PM\\${name}`;
const backup = (t: TestSim, file: string, extra: Record<string, string | number | string[]> = {}) =>
  ok(t.sim, xp('xp_backup_database', { database: 'PM', filename: B(file), ...extra }));
const backupLog = (t: TestSim, file: string, extra: Record<string, string | number | string[]> = {}) =>
  ok(t.sim, xp('xp_backup_log', { database: 'PM', filename: B(file), ...extra }));
const restore = (t: TestSim, file: string, extra: Record<string, string | number | string[]> = {}) =>
  t.sim.run(xp('xp_restore_database', { database: 'PM', filename: B(file), ...extra }));
const restoreLog = (
  t: TestSim,
  file: string,
  recovery = 'NORECOVERY',
  extra: Record<string, string | number | string[]> = {},
) => t.sim.run(xp('xp_restore_log', { database: 'PM', filename: B(file), with: recovery, ...extra }));
const states = (t: TestSim) =>
  Object.fromEntries(
    t.sim
      .database('PM')
      .files.filter((f) => f.type === 'ROWS')
      .map((f) => [f.filegroup, f.state]),
  );

describe('S1: piecemeal restore, SIMPLE, whole database', () => {
  async function history() {
    const t = await source();
    piecemealDatabase(t, 'SIMPLE', true);
    await backup(t, 'F_B.bak', { filegroup: 'B' });
    t.sim.write('PM', 'A', '100MB');
    t.sim.write('PM', 'C', '100MB');
    await backup(t, 'P1.bak', { read_write_filegroups: 1 });
    return t;
  }

  it('restores A and C from the partial WITH PARTIAL, RECOVERY, then B from its filegroup backup', async () => {
    const n = await newServer(await history());
    expect(
      errorNumbers(await restore(n, 'P1.bak', { filegroup: ['A', 'C'], with: ['PARTIAL', 'RECOVERY'] })),
    ).toEqual([]);
    expect(n.sim.database('PM').state).toBe('ONLINE');
    expect(states(n)).toEqual({ PRIMARY: 'ONLINE', A: 'ONLINE', B: 'RECOVERY_PENDING', C: 'ONLINE' });
    expect(errorNumbers(await restore(n, 'F_B.bak', { filegroup: 'B', with: 'RECOVERY' }))).toEqual([]);
    expect(states(n)).toEqual({ PRIMARY: 'ONLINE', A: 'ONLINE', B: 'ONLINE', C: 'ONLINE' });
  });

  it('swapped: the filegroup backup first cannot create the database (3118)', async () => {
    const n = await newServer(await history());
    expect(errorNumbers(await restore(n, 'F_B.bak', { filegroup: 'B', with: 'RECOVERY' }))).toEqual([
      3118, 3013,
    ]);
  });

  it('a read-write filegroup left out of the first stage becomes DEFUNCT (3127) and can never be restored (3172)', async () => {
    const n = await newServer(await history());
    const r = await restore(n, 'P1.bak', { filegroup: 'A', with: ['PARTIAL', 'RECOVERY'] });
    expect(errorNumbers(r)).toEqual([]);
    expect(r.infos.some((m) => m.includes("'PM_C'") && m.includes('defunct'))).toBe(true);
    expect(states(n).C).toBe('DEFUNCT');
    expect(errorNumbers(await restore(n, 'P1.bak', { filegroup: 'C', with: 'RECOVERY' }))).toEqual([
      3172, 3013,
    ]);
  });

  it('a read-only filegroup backup taken before the filegroup was changed is no longer valid (3125)', async () => {
    const t = await source();
    piecemealDatabase(t, 'SIMPLE', true);
    await backup(t, 'F_B.bak', { filegroup: 'B' });
    t.sim.setFilegroupReadOnly('PM', 'B', false);
    t.sim.write('PM', 'B', '10MB');
    t.sim.setFilegroupReadOnly('PM', 'B', true);
    await backup(t, 'P1.bak', { read_write_filegroups: 1 });
    const n = await newServer(t);
    expect(
      errorNumbers(await restore(n, 'P1.bak', { with: ['PARTIAL', 'RECOVERY'], read_write_filegroups: 1 })),
    ).toEqual([]);
    expect(errorNumbers(await restore(n, 'F_B.bak', { filegroup: 'B', with: 'RECOVERY' }))).toEqual([
      3125, 3013,
    ]);
    await backup(t, 'F_B2.bak', { filegroup: 'B' });
    expect(errorNumbers(await restore(n, 'F_B2.bak', { filegroup: 'B', with: 'RECOVERY' }))).toEqual([]);
    expect(states(n).B).toBe('ONLINE');
  });
});

describe('S3: piecemeal restore, FULL recovery, to a new server', () => {
  async function history() {
    const t = await source();
    piecemealDatabase(t, 'FULL', false);
    await backup(t, 'D0.bak');
    t.sim.write('PM', 'B', '50MB');
    t.sim.setFilegroupReadOnly('PM', 'B', true);
    await backup(t, 'backup1.bak', { filegroup: 'PRIMARY' });
    t.sim.write('PM', 'A', '50MB');
    await backup(t, 'backup2.bak', { filegroup: 'A' });
    t.sim.write('PM', 'C', '50MB');
    await backup(t, 'backup2a.bak', { filegroup: 'C' });
    await backup(t, 'backup2b.bak', { filegroup: 'B' });
    t.sim.write('PM', 'A', '20MB');
    await backupLog(t, 'L3.trn');
    t.sim.write('PM', 'C', '20MB');
    await backupLog(t, 'L4.trn');
    t.sim.write('PM', 'PRIMARY', '20MB');
    await backupLog(t, 'L5.trn');
    t.sim.write('PM', 'A', '20MB');
    await backupLog(t, 'T.trn', { with: ['NORECOVERY', 'NO_TRUNCATE'] });
    return t;
  }

  async function stage1(n: TestSim) {
    expect(
      errorNumbers(
        await restore(n, 'backup1.bak', { filegroup: 'PRIMARY', with: ['PARTIAL', 'NORECOVERY'] }),
      ),
    ).toEqual([]);
    expect(errorNumbers(await restore(n, 'backup2.bak', { filegroup: 'A', with: 'NORECOVERY' }))).toEqual([]);
    for (const l of ['L3.trn', 'L4.trn', 'L5.trn']) expect(errorNumbers(await restoreLog(n, l))).toEqual([]);
    expect(errorNumbers(await restoreLog(n, 'T.trn', 'RECOVERY'))).toEqual([]);
  }

  it('stage 1 (PRIMARY, A, logs, tail), stage 2 (C and the same logs), stage 3 (B, no logs)', async () => {
    const n = await newServer(await history());
    await stage1(n);
    expect(n.sim.database('PM').state).toBe('ONLINE');
    expect(states(n)).toEqual({
      PRIMARY: 'ONLINE',
      A: 'ONLINE',
      B: 'RECOVERY_PENDING',
      C: 'RECOVERY_PENDING',
    });
    expect(errorNumbers(await restore(n, 'backup2a.bak', { filegroup: 'C', with: 'NORECOVERY' }))).toEqual(
      [],
    );
    expect(states(n).C).toBe('RESTORING');
    for (const l of ['L3.trn', 'L4.trn', 'L5.trn']) expect(errorNumbers(await restoreLog(n, l))).toEqual([]);
    expect(errorNumbers(await restoreLog(n, 'T.trn', 'RECOVERY'))).toEqual([]);
    expect(states(n).C).toBe('ONLINE');
    expect(errorNumbers(await restore(n, 'backup2b.bak', { filegroup: 'B', with: 'RECOVERY' }))).toEqual([]);
    expect(states(n)).toEqual({ PRIMARY: 'ONLINE', A: 'ONLINE', B: 'ONLINE', C: 'ONLINE' });
  });

  it('a skipped log is a gap (4305); a repeated log is too early (4326)', async () => {
    const t = await history();
    const n = await newServer(t);
    await restore(n, 'backup1.bak', { filegroup: 'PRIMARY', with: ['PARTIAL', 'NORECOVERY'] });
    await restore(n, 'backup2.bak', { filegroup: 'A', with: 'NORECOVERY' });
    expect(errorNumbers(await restoreLog(n, 'L3.trn'))).toEqual([]);
    expect(errorNumbers(await restoreLog(n, 'L3.trn'))).toEqual([4326, 3013]);
    expect(errorNumbers(await restoreLog(n, 'L5.trn'))).toEqual([4305, 3013]);
    expect(errorNumbers(await restoreLog(n, 'L4.trn'))).toEqual([]);
  });

  it('after RECOVERY no log can follow (3117); stage 2 cannot skip its logs (4305)', async () => {
    const n = await newServer(await history());
    await stage1(n);
    expect(errorNumbers(await restoreLog(n, 'L5.trn'))).toEqual([3117, 3013]);
    expect(errorNumbers(await restore(n, 'backup2a.bak', { filegroup: 'C', with: 'NORECOVERY' }))).toEqual(
      [],
    );
    expect(errorNumbers(await restoreLog(n, 'T.trn', 'RECOVERY'))).toEqual([4305, 3013]);
  });

  it('RECOVERY on a file restore that still needs the logs leaves it RESTORING (4303, 4339)', async () => {
    const n = await newServer(await history());
    await stage1(n);
    const r = await restore(n, 'backup2a.bak', { filegroup: 'C', with: 'RECOVERY' });
    expect(errorNumbers(r)).toEqual([]);
    expect(
      r.infos.some((m) => m.startsWith('This RESTORE statement successfully performed some actions')),
    ).toBe(true);
    expect(states(n).C).toBe('RESTORING');
  });
});

describe('S5: differential partial', () => {
  async function history() {
    const t = await source();
    piecemealDatabase(t, 'SIMPLE', true);
    await backup(t, 'P1.bak', { read_write_filegroups: 1 });
    t.sim.write('PM', 'A', '100MB');
    await backup(t, 'Q1.bak', { read_write_filegroups: 1, with: 'DIFFERENTIAL' });
    t.sim.write('PM', 'C', '100MB');
    await backup(t, 'Q2.bak', { read_write_filegroups: 1, with: 'DIFFERENTIAL' });
    await backup(t, 'F_B.bak', { filegroup: 'B' });
    return t;
  }

  it('P1 PARTIAL NORECOVERY, Q2 RECOVERY (Q1 skipped), B from F_B', async () => {
    const t = await history();
    const [, q1, q2] = t.server.msdb.backupset;
    expect(q2!.differential_base_guid).toBe(q1!.differential_base_guid);
    const n = await newServer(t);
    expect(
      errorNumbers(await restore(n, 'P1.bak', { read_write_filegroups: 1, with: 'NORECOVERY' })),
    ).toEqual([]);
    expect(errorNumbers(await restore(n, 'Q2.bak', { with: 'RECOVERY' }))).toEqual([]);
    expect(errorNumbers(await restore(n, 'F_B.bak', { filegroup: 'B', with: 'RECOVERY' }))).toEqual([]);
    expect(states(n)).toEqual({ PRIMARY: 'ONLINE', A: 'ONLINE', B: 'ONLINE', C: 'ONLINE' });
  });

  it('a differential after RECOVERY fails (3117); before its base it cannot create the database (3118)', async () => {
    const t = await history();
    const n = await newServer(t);
    expect(errorNumbers(await restore(n, 'Q2.bak', { with: 'NORECOVERY' }))).toEqual([3118, 3013]);
    await restore(n, 'P1.bak', { read_write_filegroups: 1, with: 'NORECOVERY' });
    expect(errorNumbers(await restore(n, 'Q2.bak', { with: 'RECOVERY' }))).toEqual([]);
    expect(errorNumbers(await restore(n, 'Q1.bak', { with: 'RECOVERY' }))).toEqual([3117, 3013]);
  });

  it('an older differential after a newer one is refused (3120)', async () => {
    const n = await newServer(await history());
    await restore(n, 'P1.bak', { read_write_filegroups: 1, with: 'NORECOVERY' });
    expect(errorNumbers(await restore(n, 'Q2.bak', { with: 'NORECOVERY' }))).toEqual([]);
    expect(errorNumbers(await restore(n, 'Q1.bak', { with: 'NORECOVERY' }))).toEqual([3120, 3013]);
  });

  it('PARTIAL is only for the first step (3103)', async () => {
    const n = await newServer(await history());
    await restore(n, 'P1.bak', { read_write_filegroups: 1, with: 'NORECOVERY' });
    expect(errorNumbers(await restore(n, 'Q2.bak', { with: ['PARTIAL', 'RECOVERY'] }))).toEqual([3103, 3013]);
  });
});

describe('S6: a new base invalidates the old differentials', () => {
  it('P2 + Q3 restores; Q3 on P1 fails 3136', async () => {
    const t = await source();
    piecemealDatabase(t, 'SIMPLE', true);
    await backup(t, 'P1.bak', { read_write_filegroups: 1 });
    t.sim.write('PM', 'A', '10MB');
    await backup(t, 'Q1.bak', { read_write_filegroups: 1, with: 'DIFFERENTIAL' });
    await backup(t, 'P2.bak', { read_write_filegroups: 1 });
    t.sim.write('PM', 'A', '10MB');
    await backup(t, 'Q3.bak', { read_write_filegroups: 1, with: 'DIFFERENTIAL' });
    const n = await newServer(t);
    await restore(n, 'P1.bak', { read_write_filegroups: 1, with: 'NORECOVERY' });
    expect(errorNumbers(await restore(n, 'Q3.bak', { with: 'RECOVERY' }))).toEqual([3136, 3013]);
    expect(
      errorNumbers(await restore(n, 'P2.bak', { read_write_filegroups: 1, with: 'NORECOVERY' })),
    ).toEqual([]);
    expect(errorNumbers(await restore(n, 'Q3.bak', { with: 'RECOVERY' }))).toEqual([]);
    expect(n.sim.database('PM').state).toBe('ONLINE');
  });
});

describe('S7: copy-only full', () => {
  it('F1 + D1 restores; C1 + D1 fails 3136; C1 alone is a valid restore', async () => {
    const t = await source();
    piecemealDatabase(t, 'FULL', false);
    await backup(t, 'F1.bak');
    t.sim.write('PM', 'A', '10MB');
    await backup(t, 'C1.bak', { with: 'COPY_ONLY' });
    t.sim.write('PM', 'A', '10MB');
    await backup(t, 'D1.bak', { with: 'DIFFERENTIAL' });
    const n = await newServer(t);
    await restore(n, 'C1.bak', { with: 'NORECOVERY' });
    expect(errorNumbers(await restore(n, 'D1.bak', { with: 'RECOVERY' }))).toEqual([3136, 3013]);
    expect(errorNumbers(await restore(n, 'F1.bak', { with: 'NORECOVERY' }))).toEqual([]);
    expect(errorNumbers(await restore(n, 'D1.bak', { with: 'RECOVERY' }))).toEqual([]);
    const m = await newServer(t);
    expect(errorNumbers(await restore(m, 'C1.bak', { with: 'RECOVERY' }))).toEqual([]);
    expect(m.sim.database('PM').state).toBe('ONLINE');
  });
});

describe('S9: a log that overlaps the full it follows', () => {
  it('F, L1 (started during F, older database_backup_lsn), L2 restore in that order', async () => {
    const t = await source();
    piecemealDatabase(t, 'FULL', false);
    await backup(t, 'F0.bak');
    t.sim.write('PM', 'A', '10MB');
    await backupLog(t, 'L0.trn');
    t.server.faults.slow({ operation: 'xp_backup_database', nth: 1 }, 60);
    t.server.faults.slow({ operation: 'xp_backup_log', nth: 1 }, 150);
    const full = t.sim.run(xp('xp_backup_database', { database: 'PM', filename: B('F.bak') }));
    t.sim.write('PM', 'A', '10MB');
    const l1 = t.sim.run(xp('xp_backup_log', { database: 'PM', filename: B('L1.trn') }));
    await new Promise((r) => setTimeout(r, 100));
    t.sim.write('PM', 'C', '10MB');
    expect(errorNumbers(await full)).toEqual([]);
    expect(errorNumbers(await l1)).toEqual([]);
    t.sim.write('PM', 'A', '10MB');
    await backupLog(t, 'L2.trn');
    const [f0, , f, L1, L2] = t.server.msdb.backupset;
    expect(L1!.first_lsn < f!.last_lsn).toBe(true);
    expect(L1!.last_lsn > f!.last_lsn).toBe(true);
    expect(L1!.database_backup_lsn).toBe(f0!.checkpoint_lsn);
    expect(L1!.database_backup_lsn).not.toBe(f!.checkpoint_lsn);
    expect(L2!.first_lsn).toBe(L1!.last_lsn);
    const n = await newServer(t);
    expect(errorNumbers(await restore(n, 'F.bak', { with: 'NORECOVERY' }))).toEqual([]);
    expect(errorNumbers(await restoreLog(n, 'L2.trn'))).toEqual([4305, 3013]);
    expect(errorNumbers(await restoreLog(n, 'L0.trn'))).toEqual([4326, 3013]);
    expect(errorNumbers(await restoreLog(n, 'L1.trn'))).toEqual([]);
    expect(errorNumbers(await restoreLog(n, 'L1.trn'))).toEqual([4326, 3013]);
    expect(errorNumbers(await restoreLog(n, 'L2.trn', 'RECOVERY'))).toEqual([]);
    expect(n.sim.database('PM').state).toBe('ONLINE');
  });
});

describe('S11: stripes and mirrors', () => {
  it('restores from the 4 families of one mirror; 8 files (3231), 3 files (3132) or a family twice (3227) fail', async () => {
    const t = await source();
    piecemealDatabase(t, 'SIMPLE', false);
    const stripes = [1, 2, 3, 4].map((i) => B(`S11_${i}.bak`));
    const mirrors = [1, 2, 3, 4].map((i) => `Z:\\MIRROR\\S11_${i}.bak`);
    await ok(t.sim, xp('xp_backup_database', { database: 'PM', filename: stripes, mirror: mirrors }));
    const bs = t.server.msdb.backupset[0]!;
    const media = t.server.msdb.backupmediafamily.filter((m) => m.media_set_id === bs.media_set_id);
    expect(media).toHaveLength(8);
    expect(media.filter((m) => m.mirror === 1).map((m) => m.family_sequence_number)).toEqual([1, 2, 3, 4]);
    const n = await newServer(t);
    const restoreFiles = (files: string[]) =>
      n.sim.run(xp('xp_restore_database', { database: 'PM', filename: files, with: 'RECOVERY' }));
    expect(errorNumbers(await restoreFiles([...stripes, ...mirrors]))).toEqual([3231, 3013]);
    expect(errorNumbers(await restoreFiles(stripes.slice(0, 3)))).toEqual([3132, 3013]);
    expect(errorNumbers(await restoreFiles([stripes[0]!, mirrors[0]!, stripes[2]!, stripes[3]!]))).toEqual([
      3227, 3013,
    ]);
    expect(errorNumbers(await restoreFiles([stripes[3]!, stripes[1]!, stripes[0]!, stripes[2]!]))).toEqual(
      [],
    );
    expect(n.sim.database('PM').state).toBe('ONLINE');
    const m = await newServer(t);
    expect(
      errorNumbers(
        await m.sim.run(
          xp('xp_restore_database', {
            database: 'PM',
            filename: [stripes[0]!, mirrors[1]!, stripes[2]!, mirrors[3]!],
            with: 'RECOVERY',
          }),
        ),
      ),
    ).toEqual([]);
  });
});
