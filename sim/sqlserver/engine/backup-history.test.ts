import { readFile, stat } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorNumbers, newTestSim, ok, returnCode, xp, type TestSim } from './test-helpers.ts';

const KEY = 'IMMAENCRYPTCHYU';
const dir = 'Y:\\SQL_BACKUPS\\DW';

describe('LiteSpeed backups land in msdb as SQL Server records them (DW, SIMPLE)', () => {
  let t: TestSim;
  beforeEach(async () => {
    t = await newTestSim('default');
  });
  afterEach(async () => t.cleanup());

  const set = (i: number) => t.server.msdb.backupset[i]!;

  it('a read-only filegroup backup is type F with read_only_lsn per file, device type 7, and a real file', async () => {
    const r = await ok(
      t.sim,
      xp('xp_backup_database', {
        database: 'DW',
        filename: `${dir}\\FG2019.bak`,
        filegroup: 'FG_2019',
        compressionlevel: 4,
        cryptlevel: 8,
        encryptionkey: KEY,
        init: 1,
        with: 'CHECKSUM',
      }),
    );
    expect(returnCode(r)).toBe(0);
    const bs = set(0);
    expect(bs.type).toBe('F');
    expect(bs.has_backup_checksums).toBe(true);
    expect(bs.recovery_model).toBe('SIMPLE');
    expect(bs.first_recovery_fork_guid).toBe(bs.last_recovery_fork_guid);
    expect(bs.fork_point_lsn).toBeNull();
    const files = t.server.msdb.backupfile.filter((f) => f.backup_set_id === bs.backup_set_id);
    const fg2019 = files.find((f) => f.filegroup_name === 'FG_2019')!;
    expect(fg2019.is_present).toBe(true);
    expect(fg2019.is_readonly).toBe(true);
    expect(fg2019.read_only_lsn).toBe(
      BigInt(t.sim.database('DW').files.find((f) => f.filegroup === 'FG_2019')!.readOnlyLsn!),
    );
    expect(files.find((f) => f.filegroup_name === 'FG_CURRENT')!.is_present).toBe(false);
    const media = t.server.msdb.backupmediafamily.filter((m) => m.media_set_id === bs.media_set_id);
    expect(media).toEqual([
      expect.objectContaining({
        family_sequence_number: 1,
        mirror: 0,
        device_type: 7,
        physical_device_name: `${dir}\\FG2019.bak`,
      }),
    ]);
    const host = t.sim.hostPath(`${dir}\\FG2019.bak`);
    expect(host.startsWith(t.dataDir)).toBe(true);
    const bytes = await readFile(host);
    expect(bytes.subarray(0, 6).toString('latin1')).toBe('SLSSIM');
    expect(bytes.length).toBeLessThan(200_000);
    expect(bs.backup_size).toBeGreaterThan(100 * 1024 ** 3);
    expect(bs.compressed_backup_size).toBeLessThan(bs.backup_size);
  });

  it('a partial is P with PRIMARY + read-write filegroups; its differential Q points at it', async () => {
    await ok(
      t.sim,
      xp('xp_backup_database', {
        database: 'DW',
        filename: `${dir}\\P1.bak`,
        read_write_filegroups: 1,
        with: 'CHECKSUM',
      }),
    );
    t.sim.write('DW', 'FG_CURRENT', '300MB');
    await ok(
      t.sim,
      xp('xp_backup_database', {
        database: 'DW',
        filename: `${dir}\\Q1.bak`,
        read_write_filegroups: 1,
        with: ['CHECKSUM', 'DIFFERENTIAL'],
      }),
    );
    const [p, q] = [set(0), set(1)];
    expect(p.type).toBe('P');
    expect(q.type).toBe('Q');
    const present = (id: number) =>
      t.server.msdb.backupfile
        .filter((f) => f.backup_set_id === id && f.is_present && f.file_type === 'D')
        .map((f) => f.filegroup_name);
    expect(present(p.backup_set_id)).toEqual(['PRIMARY', 'FG_CURRENT']);
    expect(present(q.backup_set_id)).toEqual(['PRIMARY', 'FG_CURRENT']);
    expect(q.differential_base_lsn).toBe(p.checkpoint_lsn);
    expect(q.differential_base_guid).toBe(p.backup_set_uuid);
    expect(q.database_backup_lsn).toBe(p.checkpoint_lsn);
    expect(q.first_lsn > p.last_lsn).toBe(true);
    expect(q.backup_size).toBeLessThan(p.backup_size);
    const qFiles = t.server.msdb.backupfile.filter(
      (f) => f.backup_set_id === q.backup_set_id && f.is_present && f.file_type === 'D',
    );
    expect(qFiles.every((f) => f.differential_base_guid === p.backup_set_uuid)).toBe(true);
  });

  it('full, differential and copy-only: copy-only never becomes the base', async () => {
    await ok(t.sim, xp('xp_backup_database', { database: 'DW', filename: `${dir}\\F1.bak` }));
    await ok(
      t.sim,
      xp('xp_backup_database', { database: 'DW', filename: `${dir}\\C1.bak`, with: 'COPY_ONLY' }),
    );
    await ok(
      t.sim,
      xp('xp_backup_database', {
        database: 'DW',
        filename: `${dir}\\D1.bak`,
        with: 'DIFFERENTIAL, CHECKSUM',
      }),
    );
    const [f1, c1, d1] = [set(0), set(1), set(2)];
    expect([f1.type, c1.type, d1.type]).toEqual(['D', 'D', 'I']);
    expect(c1.is_copy_only).toBe(true);
    expect(d1.differential_base_guid).toBe(f1.backup_set_uuid);
    expect(d1.differential_base_lsn).toBe(f1.checkpoint_lsn);
    expect(c1.database_backup_lsn).toBe(f1.checkpoint_lsn);
  });

  it('refuses what SQL Server refuses in SIMPLE', async () => {
    const log = await t.sim.run(xp('xp_backup_log', { database: 'DW', filename: `${dir}\\L.trn` }));
    expect(errorNumbers(log)).toEqual([4208, 3013]);
    expect(returnCode(log)).toBe(1);
    const primary = await t.sim.run(
      xp('xp_backup_database', { database: 'DW', filename: `${dir}\\x.bak`, filegroup: 'PRIMARY' }),
    );
    expect(errorNumbers(primary)).toEqual([3004, 3013]);
    const rw = await t.sim.run(
      xp('xp_backup_database', { database: 'DW', filename: `${dir}\\x.bak`, filegroup: 'FG_CURRENT' }),
    );
    expect(errorNumbers(rw)).toEqual([3022, 3013]);
    const diffNoBase = await t.sim.run(
      xp('xp_backup_database', {
        database: 'DW',
        filename: `${dir}\\x.bak`,
        read_write_filegroups: 1,
        with: 'DIFFERENTIAL',
      }),
    );
    expect(errorNumbers(diffNoBase)).toEqual([3035, 3013]);
    const fileDiff = await t.sim.run(
      xp('xp_backup_database', {
        database: 'DW',
        filename: `${dir}\\x.bak`,
        filegroup: 'FG_CURRENT',
        with: 'DIFFERENTIAL',
      }),
    );
    expect(errorNumbers(fileDiff)).toEqual([3054, 3013]);
    const missing = await t.sim.run(
      xp('xp_backup_database', { database: 'DW', filename: `${dir}\\x.bak`, filegroup: 'FG_1999' }),
    );
    expect(errorNumbers(missing)).toEqual([3027, 3013]);
    expect(t.server.msdb.backupset).toHaveLength(0);
    await expect(stat(t.sim.hostPath(`${dir}\\x.bak`))).rejects.toThrow();
  });

  it('a differential partial fails once the filegroup set changed under it (multi-based, 3006) or the database went read-only → read-write', async () => {
    await ok(
      t.sim,
      xp('xp_backup_database', { database: 'DW', filename: `${dir}\\P1.bak`, read_write_filegroups: 1 }),
    );
    t.sim.setFilegroupReadOnly('DW', 'FG_2021', false);
    const q = await t.sim.run(
      xp('xp_backup_database', {
        database: 'DW',
        filename: `${dir}\\Q.bak`,
        read_write_filegroups: 1,
        with: 'DIFFERENTIAL',
      }),
    );
    expect(errorNumbers(q)).toEqual([3006, 3013]);

    const t2 = await newTestSim('default');
    try {
      t2.sim.setDatabaseReadOnly('DW', true);
      await ok(
        t2.sim,
        xp('xp_backup_database', { database: 'DW', filename: `${dir}\\P.bak`, read_write_filegroups: 1 }),
      );
      const p = t2.server.msdb.backupset[0]!;
      const present = t2.server.msdb.backupfile.filter(
        (f) => f.backup_set_id === p.backup_set_id && f.is_present && f.file_type === 'D',
      );
      expect(present.map((f) => f.filegroup_name)).toEqual(['PRIMARY']);
      t2.sim.setDatabaseReadOnly('DW', false);
      const q2 = await t2.sim.run(
        xp('xp_backup_database', {
          database: 'DW',
          filename: `${dir}\\Q.bak`,
          read_write_filegroups: 1,
          with: 'DIFFERENTIAL',
        }),
      );
      expect(errorNumbers(q2)[0]).toBe(3035);
    } finally {
      await t2.cleanup();
    }
  });

  it('read_only_lsn and read_write_lsn move with filegroup flips and are recorded per backup', async () => {
    const before = t.sim.database('DW').files.find((f) => f.filegroup === 'FG_2020')!.readOnlyLsn!;
    const rwLsn = t.sim.setFilegroupReadOnly('DW', 'FG_2020', false)!;
    t.sim.write('DW', 'FG_2020', '10MB');
    const roLsn = t.sim.setFilegroupReadOnly('DW', 'FG_2020', true)!;
    expect(BigInt(rwLsn) > BigInt(before)).toBe(true);
    expect(BigInt(roLsn) > BigInt(rwLsn)).toBe(true);
    await ok(
      t.sim,
      xp('xp_backup_database', { database: 'DW', filename: `${dir}\\FG2020.bak`, filegroup: 'FG_2020' }),
    );
    const row = t.server.msdb.backupfile.find((f) => f.filegroup_name === 'FG_2020')!;
    expect(row.read_only_lsn).toBe(BigInt(roLsn));
    expect(row.read_write_lsn).toBe(BigInt(rwLsn));
  });
});

describe('LiteSpeed backups in FULL recovery: log chain', () => {
  let t: TestSim;
  beforeEach(async () => {
    t = await newTestSim('empty');
    t.sim.createDatabase({
      name: 'Sales',
      recoveryModel: 'FULL',
      filegroups: [
        {
          name: 'PRIMARY',
          files: [{ logicalName: 'Sales', physicalName: 'D:\\data\\Sales.mdf', size: '1GB' }],
        },
      ],
      log: { logicalName: 'Sales_log', physicalName: 'L:\\log\\Sales_log.ldf', size: '256MB' },
    });
  });
  afterEach(async () => t.cleanup());

  it('logs chain by first_lsn = previous last_lsn; the first begins the chain; a copy-only log does not move it', async () => {
    const early = await t.sim.run(xp('xp_backup_log', { database: 'Sales', filename: 'Y:\\b\\L0.trn' }));
    expect(errorNumbers(early)).toEqual([4214, 3013]);
    await ok(t.sim, xp('xp_backup_database', { database: 'Sales', filename: 'Y:\\b\\F.bak' }));
    t.sim.write('Sales', 'PRIMARY', '5MB');
    await ok(t.sim, xp('xp_backup_log', { database: 'Sales', filename: 'Y:\\b\\L1.trn' }));
    t.sim.write('Sales', 'PRIMARY', '5MB');
    await ok(t.sim, xp('xp_backup_log', { database: 'Sales', filename: 'Y:\\b\\C.trn', with: 'COPY_ONLY' }));
    await ok(t.sim, xp('xp_backup_log', { database: 'Sales', filename: 'Y:\\b\\L2.trn' }));
    const [f, l1, c, l2] = t.server.msdb.backupset;
    expect(l1!.type).toBe('L');
    expect(l1!.begins_log_chain).toBe(true);
    expect(l1!.first_lsn).toBe(f!.first_lsn);
    expect(l1!.database_backup_lsn).toBe(f!.checkpoint_lsn);
    expect(c!.is_copy_only).toBe(true);
    expect(l2!.first_lsn).toBe(l1!.last_lsn);
    expect(l2!.begins_log_chain).toBe(false);
    expect(l2!.last_lsn >= c!.last_lsn).toBe(true);
  });

  it('a file differential (G) is based on the file backup of its filegroup and restores on it', async () => {
    t.sim.addFilegroup('Sales', 'HIST', [
      { logicalName: 'Sales_Hist', physicalName: 'D:\\data\\Sales_Hist.ndf', size: '2GB', used: '1GB' },
    ]);
    await ok(t.sim, xp('xp_backup_database', { database: 'Sales', filename: 'Y:\\b\\F.bak' }));
    await ok(
      t.sim,
      xp('xp_backup_database', { database: 'Sales', filename: 'Y:\\b\\FG.bak', filegroup: 'HIST' }),
    );
    t.sim.write('Sales', 'HIST', '30MB');
    await ok(
      t.sim,
      xp('xp_backup_database', {
        database: 'Sales',
        filename: 'Y:\\b\\G.bak',
        filegroup: 'HIST',
        with: 'DIFFERENTIAL',
      }),
    );
    await ok(t.sim, xp('xp_backup_log', { database: 'Sales', filename: 'Y:\\b\\L.trn' }));
    const [full, f, g] = t.server.msdb.backupset;
    expect([f!.type, g!.type]).toEqual(['F', 'G']);
    expect(g!.differential_base_guid).toBe(f!.backup_set_uuid);
    expect(g!.differential_base_lsn).toBe(f!.checkpoint_lsn);
    expect(g!.differential_base_guid).not.toBe(full!.backup_set_uuid);
    expect(g!.backup_size).toBeLessThan(f!.backup_size);
    t.sim.setFileOffline('Sales', 'Sales_Hist');
    await ok(
      t.sim,
      xp('xp_restore_database', {
        database: 'Sales',
        filename: 'Y:\\b\\FG.bak',
        filegroup: 'HIST',
        with: 'NORECOVERY',
      }),
    );
    await ok(
      t.sim,
      xp('xp_restore_database', {
        database: 'Sales',
        filename: 'Y:\\b\\G.bak',
        filegroup: 'HIST',
        with: 'NORECOVERY',
      }),
    );
    await ok(t.sim, xp('xp_backup_log', { database: 'Sales', filename: 'Y:\\b\\L2.trn' }));
    // L ends where G ends (nothing was logged in between): already covered by G, so too early (4326).
    expect(
      errorNumbers(
        await t.sim.run(
          xp('xp_restore_log', { database: 'Sales', filename: 'Y:\\b\\L.trn', with: 'NORECOVERY' }),
        ),
      ),
    ).toEqual([4326, 3013]);
    await ok(t.sim, xp('xp_restore_log', { database: 'Sales', filename: 'Y:\\b\\L2.trn', with: 'RECOVERY' }));
    expect(t.sim.database('Sales').files.every((x) => x.state === 'ONLINE')).toBe(true);
  });

  it('switching to SIMPLE and back breaks the chain until the next data backup', async () => {
    await ok(t.sim, xp('xp_backup_database', { database: 'Sales', filename: 'Y:\\b\\F.bak' }));
    await ok(t.sim, xp('xp_backup_log', { database: 'Sales', filename: 'Y:\\b\\L1.trn' }));
    t.sim.setRecoveryModel('Sales', 'SIMPLE');
    t.sim.setRecoveryModel('Sales', 'FULL');
    expect(
      errorNumbers(await t.sim.run(xp('xp_backup_log', { database: 'Sales', filename: 'Y:\\b\\L2.trn' }))),
    ).toEqual([4214, 3013]);
    await ok(
      t.sim,
      xp('xp_backup_database', { database: 'Sales', filename: 'Y:\\b\\D.bak', with: 'DIFFERENTIAL' }),
    );
    await ok(t.sim, xp('xp_backup_log', { database: 'Sales', filename: 'Y:\\b\\L3.trn' }));
    const l3 = t.server.msdb.backupset.at(-1)!;
    expect(l3.begins_log_chain).toBe(true);
  });

  it('a tail-log backup WITH NORECOVERY leaves the database RESTORING', async () => {
    await ok(t.sim, xp('xp_backup_database', { database: 'Sales', filename: 'Y:\\b\\F.bak' }));
    await ok(
      t.sim,
      xp('xp_backup_log', {
        database: 'Sales',
        filename: 'Y:\\b\\T.trn',
        with: ['NORECOVERY', 'NO_TRUNCATE'],
      }),
    );
    expect(t.sim.database('Sales').state).toBe('RESTORING');
    const again = await t.sim.run(xp('xp_backup_database', { database: 'Sales', filename: 'Y:\\b\\F2.bak' }));
    expect(errorNumbers(again)).toEqual([927, 3013]);
    await ok(t.sim, 'RESTORE DATABASE Sales WITH RECOVERY');
    expect(t.sim.database('Sales').state).toBe('ONLINE');
  });
});

describe('database and file states', () => {
  let t: TestSim;
  beforeEach(async () => {
    t = await newTestSim('empty');
    t.sim.createDatabase({
      name: 'Ops',
      recoveryModel: 'FULL',
      filegroups: [
        {
          name: 'PRIMARY',
          files: [{ logicalName: 'Ops', physicalName: 'D:\\data\\Ops.mdf', size: '512MB' }],
        },
        { name: 'A', files: [{ logicalName: 'Ops_A', physicalName: 'D:\\data\\Ops_A.ndf', size: '512MB' }] },
      ],
      log: { logicalName: 'Ops_log', physicalName: 'L:\\log\\Ops_log.ldf', size: '128MB' },
    });
  });
  afterEach(async () => t.cleanup());

  it('an OFFLINE database cannot be backed up (942); expiration dates are recorded', async () => {
    await ok(t.sim, xp('xp_backup_database', { database: 'Ops', filename: 'Y:\\o\\F.bak', retaindays: 14 }));
    await ok(
      t.sim,
      "BACKUP DATABASE Ops TO DISK = 'C:\\SQLBackup\\Ops.bak' WITH EXPIREDATE = '2026-04-01 00:00:00', INIT",
    );
    expect(t.server.msdb.backupset.map((b) => b.expiration_date?.toISOString())).toEqual([
      '2026-03-15T00:00:00.000Z',
      '2026-04-01T00:00:00.000Z',
    ]);
    t.sim.setDatabaseState('Ops', 'OFFLINE');
    expect(
      errorNumbers(await t.sim.run(xp('xp_backup_database', { database: 'Ops', filename: 'Y:\\o\\F2.bak' }))),
    ).toEqual([942, 3013]);
    t.sim.setDatabaseState('Ops', 'ONLINE');
  });

  it('damaged pages: CHECKSUM finds them (3043), CONTINUE_AFTER_ERROR marks the set is_damaged, restoring it needs CONTINUE_AFTER_ERROR (3182)', async () => {
    await ok(t.sim, xp('xp_backup_database', { database: 'Ops', filename: 'Y:\\o\\F.bak' }));
    t.sim.damageFile('Ops', 'Ops_A');
    expect(
      errorNumbers(
        await t.sim.run(
          xp('xp_backup_database', { database: 'Ops', filename: 'Y:\\o\\D1.bak', with: 'CHECKSUM' }),
        ),
      ),
    ).toEqual([3043, 3013]);
    await ok(t.sim, xp('xp_backup_database', { database: 'Ops', filename: 'Y:\\o\\D2.bak' }));
    const r = await ok(
      t.sim,
      xp('xp_backup_database', {
        database: 'Ops',
        filename: 'Y:\\o\\D3.bak',
        with: 'CHECKSUM, CONTINUE_AFTER_ERROR',
      }),
    );
    expect(r.infos.some((m) => m.startsWith('BACKUP WITH CONTINUE_AFTER_ERROR successfully generated'))).toBe(
      true,
    );
    expect(t.server.msdb.backupset.map((b) => b.is_damaged)).toEqual([false, false, true]);
    const n = await newTestSim('empty', t.dataDir);
    try {
      expect(
        errorNumbers(
          await n.sim.run(
            xp('xp_restore_database', { database: 'Ops', filename: 'Y:\\o\\D3.bak', with: 'RECOVERY' }),
          ),
        ),
      ).toEqual([3182, 3013]);
      await ok(
        n.sim,
        xp('xp_restore_database', {
          database: 'Ops',
          filename: 'Y:\\o\\D3.bak',
          with: ['RECOVERY', 'CONTINUE_AFTER_ERROR'],
        }),
      );
    } finally {
      await n.cleanup();
    }
  });

  it('a database that cannot start (RECOVERY_PENDING) allows only a NO_TRUNCATE tail-log backup, with incomplete metadata', async () => {
    await ok(t.sim, xp('xp_backup_database', { database: 'Ops', filename: 'Y:\\o\\F.bak' }));
    t.sim.write('Ops', 'PRIMARY', '1MB');
    t.sim.setDatabaseState('Ops', 'RECOVERY_PENDING');
    expect(
      errorNumbers(await t.sim.run(xp('xp_backup_log', { database: 'Ops', filename: 'Y:\\o\\T.trn' }))),
    ).toEqual([942, 3013]);
    await ok(
      t.sim,
      xp('xp_backup_log', { database: 'Ops', filename: 'Y:\\o\\T.trn', with: ['NO_TRUNCATE', 'NORECOVERY'] }),
    );
    expect(t.server.msdb.backupset.at(-1)!.has_incomplete_metadata).toBe(true);
    expect(t.sim.database('Ops').state).toBe('RESTORING');
  });

  it('an OFFLINE file fails backups (3007) until restored online from its backup and the logs up to now', async () => {
    await ok(t.sim, xp('xp_backup_database', { database: 'Ops', filename: 'Y:\\o\\F.bak' }));
    t.sim.write('Ops', 'A', '5MB');
    await ok(t.sim, xp('xp_backup_log', { database: 'Ops', filename: 'Y:\\o\\L1.trn' }));
    t.sim.setFileOffline('Ops', 'Ops_A');
    expect(
      errorNumbers(await t.sim.run(xp('xp_backup_database', { database: 'Ops', filename: 'Y:\\o\\D.bak' }))),
    ).toEqual([3007, 3013]);
    await ok(
      t.sim,
      xp('xp_restore_database', {
        database: 'Ops',
        filename: 'Y:\\o\\F.bak',
        filegroup: 'A',
        with: 'NORECOVERY',
      }),
    );
    await ok(t.sim, xp('xp_restore_log', { database: 'Ops', filename: 'Y:\\o\\L1.trn', with: 'NORECOVERY' }));
    const early = await t.sim.run(
      xp('xp_restore_log', { database: 'Ops', filename: 'Y:\\o\\L1.trn', with: 'RECOVERY' }),
    );
    expect(errorNumbers(early)).toEqual([4326, 3013]);
    await ok(t.sim, xp('xp_backup_log', { database: 'Ops', filename: 'Y:\\o\\L2.trn' }));
    await ok(t.sim, xp('xp_restore_log', { database: 'Ops', filename: 'Y:\\o\\L2.trn', with: 'RECOVERY' }));
    expect(t.sim.database('Ops').files.map((f) => f.state)).toEqual(['ONLINE', 'ONLINE', 'ONLINE']);
  });
});
