import { afterEach, describe, expect, it } from 'vitest';
import * as q from '../../../plugins/litespeed/queries.ts';
import { errorNumbers, newTestSim, ok, rows, xp, type TestSim } from './test-helpers.ts';

const sims: TestSim[] = [];
afterEach(async () => {
  for (const s of sims.splice(0)) await s.cleanup();
});

async function fresh(scenario = 'empty', dataDir?: string): Promise<TestSim> {
  const t = await newTestSim(scenario, dataDir);
  sims.push(t);
  return t;
}

function sales(t: TestSim, name = 'Sales'): void {
  t.sim.createDatabase({
    name,
    recoveryModel: 'FULL',
    filegroups: [
      { name: 'PRIMARY', files: [{ logicalName: name, physicalName: `D:\\data\\${name}.mdf`, size: '1GB' }] },
    ],
    log: { logicalName: `${name}_log`, physicalName: `L:\\log\\${name}_log.ldf`, size: '256MB' },
  });
}

describe('restoring over an existing database', () => {
  it('FULL recovery with an unsaved log tail needs a tail backup or REPLACE (3159)', async () => {
    const t = await fresh();
    sales(t);
    await ok(t.sim, xp('xp_backup_database', { database: 'Sales', filename: 'Y:\\b\\F.bak' }));
    await ok(t.sim, xp('xp_backup_log', { database: 'Sales', filename: 'Y:\\b\\L.trn' }));
    t.sim.write('Sales', 'PRIMARY', '1MB');
    const r = await t.sim.run(
      xp('xp_restore_database', { database: 'Sales', filename: 'Y:\\b\\F.bak', with: 'RECOVERY' }),
    );
    expect(errorNumbers(r)).toEqual([3159, 3013]);
    expect(
      errorNumbers(
        await t.sim.run(
          xp('xp_restore_database', {
            database: 'Sales',
            filename: 'Y:\\b\\F.bak',
            with: ['RECOVERY', 'REPLACE'],
          }),
        ),
      ),
    ).toEqual([]);
    t.sim.write('Sales', 'PRIMARY', '1MB');
    await ok(t.sim, xp('xp_backup_log', { database: 'Sales', filename: 'Y:\\b\\T.trn', with: 'NORECOVERY' }));
    expect(
      errorNumbers(
        await t.sim.run(
          xp('xp_restore_database', { database: 'Sales', filename: 'Y:\\b\\F.bak', with: 'RECOVERY' }),
        ),
      ),
    ).toEqual([]);
  });

  it('a backup of another database needs REPLACE (3154); its files must not collide with another database (1834)', async () => {
    const t = await fresh();
    sales(t);
    sales(t, 'Other');
    await ok(t.sim, xp('xp_backup_database', { database: 'Other', filename: 'Y:\\b\\Other.bak' }));
    const r = await t.sim.run(
      xp('xp_restore_database', { database: 'Sales', filename: 'Y:\\b\\Other.bak', with: 'RECOVERY' }),
    );
    expect(errorNumbers(r)).toEqual([3154, 3013]);
    const copy = await t.sim.run(
      xp('xp_restore_database', { database: 'Other_copy', filename: 'Y:\\b\\Other.bak', with: 'RECOVERY' }),
    );
    expect(errorNumbers(copy)).toEqual([1834, 3156, 3013]);
    const moved = await t.sim.run(
      xp('xp_restore_database', {
        database: 'Other_copy',
        filename: 'Y:\\b\\Other.bak',
        with: [
          'RECOVERY',
          "MOVE N'Other' TO N'E:\\copy\\Other.mdf'",
          "MOVE N'Other_log' TO N'E:\\copy\\Other_log.ldf'",
        ],
      }),
    );
    expect(errorNumbers(moved)).toEqual([]);
    expect(t.sim.database('Other_copy').files.map((f) => f.physicalName)).toEqual([
      'E:\\copy\\Other.mdf',
      'E:\\copy\\Other_log.ldf',
    ]);
    const badMove = await t.sim.run(
      xp('xp_restore_database', {
        database: 'X',
        filename: 'Y:\\b\\Other.bak',
        with: "MOVE N'Nope' TO N'E:\\x.mdf'",
      }),
    );
    expect(errorNumbers(badMove)).toEqual([3234, 3013]);
  });
});

describe('point in time (STOPAT) and recovery forks', () => {
  async function timeline() {
    const t = await fresh();
    sales(t);
    await ok(t.sim, xp('xp_backup_database', { database: 'Sales', filename: 'Y:\\b\\F.bak' }));
    t.sim.advanceClock('1h');
    t.sim.write('Sales', 'PRIMARY', '1MB'); // 01:00
    t.sim.advanceClock('1h');
    const second = t.sim.write('Sales', 'PRIMARY', '1MB'); // 02:00
    t.sim.advanceClock('1h');
    t.sim.write('Sales', 'PRIMARY', '1MB'); // 03:00
    await ok(t.sim, xp('xp_backup_log', { database: 'Sales', filename: 'Y:\\b\\L1.trn' }));
    return { t, second };
  }

  it('stops inside the log at the first record after the time and recovers there', async () => {
    const { t, second } = await timeline();
    const n = await fresh('empty', t.dataDir);
    await ok(
      n.sim,
      xp('xp_restore_database', { database: 'Sales', filename: 'Y:\\b\\F.bak', with: 'NORECOVERY' }),
    );
    await ok(
      n.sim,
      xp('xp_restore_log', {
        database: 'Sales',
        filename: 'Y:\\b\\L1.trn',
        with: ["STOPAT = '2026-03-01 01:30:00'", 'RECOVERY'],
      }),
    );
    const db = n.sim.database('Sales');
    expect(db.state).toBe('ONLINE');
    expect(BigInt(db.endOfLogLsn) > BigInt(second)).toBe(true);
    const fork = n.server.database('Sales')!.pendingFork!;
    expect(fork.forkPointLsn).toBe(BigInt(second));
  });

  it('a STOPAT before the restored point is too early (4335); after the log it leaves the database RESTORING (4322)', async () => {
    const { t } = await timeline();
    const n = await fresh('empty', t.dataDir);
    await ok(
      n.sim,
      xp('xp_restore_database', { database: 'Sales', filename: 'Y:\\b\\F.bak', with: 'NORECOVERY' }),
    );
    const early = await n.sim.run(
      xp('xp_restore_log', {
        database: 'Sales',
        filename: 'Y:\\b\\L1.trn',
        with: ["STOPAT = '2026-02-28 23:00:00'", 'RECOVERY'],
      }),
    );
    expect(errorNumbers(early)).toEqual([4335, 3013]);
    const late = await n.sim.run(
      xp('xp_restore_log', {
        database: 'Sales',
        filename: 'Y:\\b\\L1.trn',
        with: ["STOPAT = '2026-03-02 00:00:00'", 'RECOVERY'],
      }),
    );
    expect(errorNumbers(late)).toEqual([]);
    expect(late.infos.some((m) => m.includes('logged before the designated point in time'))).toBe(true);
    expect(n.sim.database('Sales').state).toBe('RESTORING');
  });

  it('RESTORE WITH RECOVERY starts a new recovery fork; the next log backup spans it', async () => {
    const t = await fresh();
    sales(t);
    await ok(t.sim, xp('xp_backup_database', { database: 'Sales', filename: 'Y:\\b\\F.bak' }));
    await ok(t.sim, xp('xp_backup_log', { database: 'Sales', filename: 'Y:\\b\\T.trn', with: 'NORECOVERY' }));
    const before = t.sim.database('Sales').recoveryForkGuid;
    await ok(
      t.sim,
      xp('xp_restore_database', { database: 'Sales', filename: 'Y:\\b\\F.bak', with: 'RECOVERY' }),
    );
    const after = t.sim.database('Sales');
    expect(after.recoveryForkGuid).not.toBe(before);
    t.sim.write('Sales', 'PRIMARY', '1MB');
    await ok(t.sim, xp('xp_backup_log', { database: 'Sales', filename: 'Y:\\b\\L2.trn' }));
    const l2 = t.server.msdb.backupset.filter((b) => b.type === 'L').at(-1)!;
    expect(l2.first_recovery_fork_guid).toBe(before);
    expect(l2.last_recovery_fork_guid).toBe(after.recoveryForkGuid);
    expect(l2.fork_point_lsn).not.toBeNull();
    const restored = t.server.msdb.restorehistory;
    expect(restored.map((r) => r.restore_type)).toEqual(['D']);
  });

  it('WITH STANDBY leaves the database readable (ONLINE, in standby, read-only) and open to more logs', async () => {
    const { t } = await timeline();
    t.sim.write('Sales', 'PRIMARY', '1MB');
    await ok(t.sim, xp('xp_backup_log', { database: 'Sales', filename: 'Y:\\b\\L2.trn' }));
    const n = await fresh('empty', t.dataDir);
    await ok(
      n.sim,
      xp('xp_restore_database', { database: 'Sales', filename: 'Y:\\b\\F.bak', with: 'NORECOVERY' }),
    );
    await ok(
      n.sim,
      xp('xp_restore_log', {
        database: 'Sales',
        filename: 'Y:\\b\\L1.trn',
        with: "STANDBY = N'E:\\undo\\Sales.tuf'",
      }),
    );
    const dbs = rows(await ok(n.sim, q.databasesQuery.sql)).find((d) => d.name === 'Sales');
    expect(dbs).toMatchObject({ state_desc: 'ONLINE', is_in_standby: true, is_read_only: true });
    await ok(n.sim, 'USE Sales;');
    expect(
      errorNumbers(
        await n.sim.run(xp('xp_backup_database', { database: 'Sales', filename: 'Y:\\b\\x.bak' })),
      ),
    ).toEqual([3036, 3013]);
    await ok(n.sim, xp('xp_restore_log', { database: 'Sales', filename: 'Y:\\b\\L2.trn', with: 'RECOVERY' }));
    expect(rows(await ok(n.sim, q.databasesQuery.sql)).find((d) => d.name === 'Sales')).toMatchObject({
      state_desc: 'ONLINE',
      is_in_standby: false,
      is_read_only: false,
    });
  });

  it('a log from another recovery path is refused (4330)', async () => {
    const t = await fresh();
    sales(t);
    await ok(t.sim, xp('xp_backup_database', { database: 'Sales', filename: 'Y:\\b\\F.bak' }));
    t.sim.write('Sales', 'PRIMARY', '1MB');
    await ok(
      t.sim,
      xp('xp_backup_log', { database: 'Sales', filename: 'Y:\\b\\L1.trn', with: 'NORECOVERY' }),
    );
    await ok(
      t.sim,
      xp('xp_restore_database', { database: 'Sales', filename: 'Y:\\b\\F.bak', with: 'RECOVERY' }),
    );
    t.sim.write('Sales', 'PRIMARY', '1MB');
    await ok(t.sim, xp('xp_backup_log', { database: 'Sales', filename: 'Y:\\b\\L2.trn' }));
    const n = await fresh('empty', t.dataDir);
    await ok(
      n.sim,
      xp('xp_restore_database', { database: 'Sales', filename: 'Y:\\b\\F.bak', with: 'NORECOVERY' }),
    );
    await ok(
      n.sim,
      xp('xp_restore_log', { database: 'Sales', filename: 'Y:\\b\\L1.trn', with: 'NORECOVERY' }),
    );
    expect(
      errorNumbers(
        await n.sim.run(
          xp('xp_restore_log', { database: 'Sales', filename: 'Y:\\b\\L2.trn', with: 'RECOVERY' }),
        ),
      ),
    ).toEqual([4330, 3013]);
  });
});

describe('recover-only and in-place piecemeal restore (native T-SQL)', () => {
  it('RESTORE DATABASE ... FILEGROUP = ... WITH RECOVERY brings intact read-only filegroups online', async () => {
    const t = await fresh('default');
    await ok(
      t.sim,
      xp('xp_backup_database', {
        database: 'DW',
        filename: 'Y:\\SQL_BACKUPS\\DW\\P1.bak',
        read_write_filegroups: 1,
      }),
    );
    await ok(
      t.sim,
      xp('xp_restore_database', {
        database: 'DW',
        filename: 'Y:\\SQL_BACKUPS\\DW\\P1.bak',
        read_write_filegroups: 1,
        with: ['PARTIAL', 'RECOVERY'],
      }),
    );
    const fgs = () => Object.fromEntries(t.sim.database('DW').filegroups.map((f) => [f.name, f.state]));
    expect(fgs()).toEqual({
      PRIMARY: 'ONLINE',
      FG_2019: 'RECOVERY_PENDING',
      FG_2020: 'RECOVERY_PENDING',
      FG_2021: 'RECOVERY_PENDING',
      FG_CURRENT: 'ONLINE',
    });
    await ok(t.sim, "RESTORE DATABASE [DW] FILEGROUP = N'FG_2019', FILEGROUP = N'FG_2020' WITH RECOVERY;");
    expect(fgs()).toMatchObject({ FG_2019: 'ONLINE', FG_2020: 'ONLINE', FG_2021: 'RECOVERY_PENDING' });
    const again = await t.sim.run("RESTORE DATABASE DW FILEGROUP = 'FG_2019' WITH RECOVERY");
    expect(errorNumbers(again)).toEqual([3149, 3013]);
    const primary = await t.sim.run("RESTORE DATABASE DW FILEGROUP = 'PRIMARY' WITH RECOVERY");
    expect(errorNumbers(primary)).toEqual([3148, 3013]);
    await ok(t.sim, "RESTORE DATABASE DW FILEGROUP = 'FG_2021' WITH RECOVERY");
    expect(t.sim.database('DW').filegroups.every((f) => f.state === 'ONLINE')).toBe(true);
    expect(errorNumbers(await t.sim.run('RESTORE DATABASE DW WITH RECOVERY'))).toEqual([3153, 3013]);
  });

  it('a filegroup that was never on this server cannot be recovered without a backup (3129)', async () => {
    const t = await fresh('default');
    await ok(
      t.sim,
      xp('xp_backup_database', {
        database: 'DW',
        filename: 'Y:\\SQL_BACKUPS\\DW\\P1.bak',
        read_write_filegroups: 1,
      }),
    );
    const n = await fresh('empty', t.dataDir);
    await ok(
      n.sim,
      xp('xp_restore_database', {
        database: 'DW',
        filename: 'Y:\\SQL_BACKUPS\\DW\\P1.bak',
        read_write_filegroups: 1,
        with: ['PARTIAL', 'RECOVERY'],
      }),
    );
    expect(errorNumbers(await n.sim.run("RESTORE DATABASE DW FILEGROUP = 'FG_2019' WITH RECOVERY"))).toEqual([
      3129, 3013,
    ]);
  });

  it('native BACKUP and RESTORE run the same rules; native RESTORE of a LiteSpeed file fails 3241', async () => {
    const t = await fresh('default');
    await ok(
      t.sim,
      "BACKUP DATABASE [DW] FILEGROUP = N'FG_2019' TO DISK = N'C:\\SQLBackup\\DW_FG2019.bak' WITH CHECKSUM, INIT",
    );
    await ok(
      t.sim,
      "BACKUP DATABASE [DW] READ_WRITE_FILEGROUPS TO DISK = N'C:\\SQLBackup\\DW_P1.bak' WITH CHECKSUM, INIT, STATS = 50",
    );
    t.sim.write('DW', 'FG_CURRENT', '10MB');
    await ok(
      t.sim,
      "BACKUP DATABASE DW READ_WRITE_FILEGROUPS TO DISK = 'C:\\SQLBackup\\DW_Q1.bak' WITH DIFFERENTIAL",
    );
    expect(t.server.msdb.backupset.map((b) => b.type)).toEqual(['F', 'P', 'Q']);
    expect(t.server.msdb.backupmediafamily.every((m) => m.device_type === 2)).toBe(true);
    const noDir = await t.sim.run(
      "BACKUP DATABASE DW READ_WRITE_FILEGROUPS TO DISK = 'C:\\NoSuchFolder\\x.bak'",
    );
    expect(errorNumbers(noDir)).toEqual([3201, 3013]);
    const n = await fresh('empty', t.dataDir);
    await ok(
      n.sim,
      "RESTORE DATABASE DW READ_WRITE_FILEGROUPS FROM DISK = N'C:\\SQLBackup\\DW_P1.bak' WITH PARTIAL, NORECOVERY",
    );
    await ok(n.sim, "RESTORE DATABASE DW FROM DISK = N'C:\\SQLBackup\\DW_Q1.bak' WITH RECOVERY");
    await ok(
      n.sim,
      "RESTORE DATABASE DW FILEGROUP = 'FG_2019' FROM DISK = N'C:\\SQLBackup\\DW_FG2019.bak' WITH RECOVERY",
    );
    expect(n.sim.database('DW').filegroups.find((f) => f.name === 'FG_2019')!.state).toBe('ONLINE');
    await ok(
      t.sim,
      xp('xp_backup_database', { database: 'DW', filename: 'Y:\\ls\\DW.bak', read_write_filegroups: 1 }),
    );
    const wrong = await n.sim.run("RESTORE HEADERONLY FROM DISK = N'Y:\\ls\\DW.bak'");
    expect(errorNumbers(wrong)).toEqual([3241, 3013]);
    const header = await n.sim.run("RESTORE HEADERONLY FROM DISK = N'C:\\SQLBackup\\DW_Q1.bak'");
    expect(rows(header)[0]).toMatchObject({
      BackupType: 8,
      DatabaseName: 'DW',
      BackupTypeDescription: 'Differential partial',
    });
    const files = await n.sim.run("RESTORE FILELISTONLY FROM DISK = N'C:\\SQLBackup\\DW_P1.bak'");
    expect(rows(files).map((f) => [f.LogicalName, f.IsPresent])).toEqual([
      ['DW', true],
      ['DW_log', true],
      ['DW_FG2019', false],
      ['DW_FG2020', false],
      ['DW_FG2021', false],
      ['DW_CURRENT', true],
    ]);
    const verify = await n.sim.run("RESTORE VERIFYONLY FROM DISK = N'C:\\SQLBackup\\DW_P1.bak'");
    expect(verify.infos).toContain('The backup set on file 1 is valid.');
  });

  it('native mirrored backups need FORMAT (3215); appending adds positions to the media set', async () => {
    const t = await fresh('default');
    const mirror = await t.sim.run(
      "BACKUP DATABASE DW FILEGROUP = 'FG_2020' TO DISK = 'C:\\SQLBackup\\a.bak' MIRROR TO DISK = 'C:\\SQLBackup\\b.bak'",
    );
    expect(errorNumbers(mirror)).toEqual([3215, 3013]);
    await ok(
      t.sim,
      "BACKUP DATABASE DW FILEGROUP = 'FG_2020' TO DISK = 'C:\\SQLBackup\\a.bak' MIRROR TO DISK = 'C:\\SQLBackup\\b.bak' WITH FORMAT",
    );
    await ok(
      t.sim,
      "BACKUP DATABASE DW FILEGROUP = 'FG_2021' TO DISK = 'C:\\SQLBackup\\a.bak' MIRROR TO DISK = 'C:\\SQLBackup\\b.bak'",
    );
    const [one, two] = t.server.msdb.backupset;
    expect([one!.position, two!.position]).toEqual([1, 2]);
    expect(two!.media_set_id).toBe(one!.media_set_id);
    const header = await t.sim.run("RESTORE HEADERONLY FROM DISK = 'C:\\SQLBackup\\b.bak'");
    expect(rows(header).map((r) => r.Position)).toEqual([1, 2]);
  });
});
