import { stat } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LiteSpeedError } from './litespeed-errors.ts';
import { errorNumbers, newTestSim, ok, returnCode, rows, xp, type TestSim } from './test-helpers.ts';

const KEY = 'IMMAENCRYPTCHYU';
const F = (name: string) => `Y:\\SQL_BACKUPS\\${name}`;

describe('LiteSpeed parameters', () => {
  let t: TestSim;
  beforeEach(async () => {
    t = await newTestSim('default');
  });
  afterEach(async () => t.cleanup());

  const attempt = (params: Record<string, string | number | Array<string | number>>) =>
    t.sim.run(xp('xp_backup_database', { database: 'DW', filename: F('x.bak'), ...params }));

  it("refuses @read_write_filegroups = 0 together with @filegroup (the source documents' gotcha)", async () => {
    const r = await attempt({ filegroup: 'FG_2019', read_write_filegroups: 0 });
    expect(errorNumbers(r)).toEqual([LiteSpeedError.ReadWriteFilegroupsZero]);
    expect(r.errors[0]!.message).toMatch(/full database backup/);
    expect(returnCode(r)).toBe(1);
    expect(t.server.msdb.backupset).toHaveLength(0);
  });

  it.each([
    [{ compressionlevel: 12 }, '@compressionlevel'],
    [{ cryptlevel: 9, encryptionkey: KEY }, '@cryptlevel'],
    [{ threads: 33 }, '@threads'],
    [{ threads: 0 }, '@threads'],
    [{ throttle: 101 }, '@throttle'],
    [{ maxtransfersize: 65535 }, '@maxtransfersize'],
    [{ maxtransfersize: 4194305 }, '@maxtransfersize'],
    [{ maxtransfersize: 100000 }, '@maxtransfersize'],
    [{ desc: 'x'.repeat(129) }, '@desc'],
    [{ adaptivecompression: 'Fast' }, '@adaptivecompression'],
    [{ init: 2 }, '@init'],
    [{ buffercount: 0 }, '@buffercount'],
    [{ cryptlevel: 8 }, '@cryptlevel'],
    [{ compressionlevel: 4, adaptivecompression: 'Size' }, '@adaptivecompression'],
    [{ with: 'DIFERENTIAL' }, '@with'],
    [{ with: "MOVE N'DW' TO N'x'" }, '@with'],
  ] as Array<[Record<string, string | number>, string]>)('refuses %j naming %s', async (params, name) => {
    const r = await attempt(params);
    expect(errorNumbers(r)).toEqual([LiteSpeedError.Parameter]);
    expect(r.errors[0]!.message).toContain(name);
    expect(returnCode(r)).toBe(1);
  });

  it('refuses unknown and repeated parameters, and a missing @filename', async () => {
    expect(errorNumbers(await attempt({ compression: 4 }))).toEqual([LiteSpeedError.UnknownParameter]);
    expect(
      errorNumbers(
        await t.sim.run(
          "EXEC master.dbo.xp_backup_database @database = N'DW', @database = N'DW', @filename = N'Y:\\x.bak'",
        ),
      ),
    ).toEqual([LiteSpeedError.Parameter]);
    const r = await t.sim.run(xp('xp_backup_database', { database: 'DW' }));
    expect(r.errors[0]!.message).toContain('@filename');
  });

  it('accepts the documented ranges, @with repeated and comma-separated, and legacy compression levels', async () => {
    await ok(
      t.sim,
      xp('xp_backup_database', {
        database: 'DW',
        filename: F('ok.bak'),
        read_write_filegroups: 1,
        compressionlevel: 11,
        threads: 32,
        throttle: 100,
        maxtransfersize: 4194304,
        buffercount: 64,
        desc: 'x'.repeat(128),
        logging: 2,
        olrmap: 1,
        priority: 2,
        affinity: 0,
        init: 1,
        format: 1,
        with: ['CHECKSUM', 'STATS = 10'],
        returndetails: 1,
      }),
    );
    const bs = t.server.msdb.backupset[0]!;
    expect(bs.description).toBe('x'.repeat(128));
    await ok(
      t.sim,
      xp('xp_backup_database', {
        database: 'DW',
        filename: F('ok2.bak'),
        read_write_filegroups: 1,
        with: 'CHECKSUM, DIFFERENTIAL',
        adaptivecompression: 'Speed',
      }),
    );
    expect(t.server.msdb.backupset[1]!.type).toBe('Q');
  });

  it('reports progress as INFO messages, @returndetails as a row, and show_help lists the parameters', async () => {
    const r = await ok(
      t.sim,
      xp('xp_backup_database', {
        database: 'DW',
        filename: F('p.bak'),
        read_write_filegroups: 1,
        returndetails: 1,
      }),
    );
    expect(r.infos).toContain('Backup progress: 50%');
    expect(r.infos).toContain('Backup progress: 100%');
    const details = rows(r, 0)[0]!;
    expect(details).toMatchObject({ Database: 'DW', BackupType: 'P', Position: 1, Stripes: 1 });
    expect(typeof details.FirstLSN).toBe('string');
    const help = await t.sim.run('EXEC master.dbo.xp_backup_database show_help');
    expect(rows(help).map((h) => h.Parameter)).toContain('@read_write_filegroups');
  });

  it('needs one @mirror per @filename', async () => {
    const r = await attempt({ read_write_filegroups: 1, mirror: ['Z:\\m1.bak', 'Z:\\m2.bak'] });
    expect(errorNumbers(r)).toEqual([LiteSpeedError.Parameter]);
    expect(r.errors[0]!.message).toContain('@mirror');
  });

  it('the seed script runs as written (filegroup backup, partial, differential, restores)', async () => {
    await ok(
      t.sim,
      `EXEC master.dbo.xp_backup_database @database = 'DW',
@filename = 'Y:\\SQL_BACKUPS\\DW_FG2019.bak', @filegroup = 'FG_2019'
, @compressionlevel = 4, @cryptlevel = 8, @encryptionkey = N'IMMAENCRYPTCHYU'
, @verify = 1, @returndetails = 1, @init = 1, @with = 'CHECKSUM';`,
    );
    await ok(
      t.sim,
      `EXEC master.dbo.xp_backup_database @database = 'DW', @filename = 'Y:\\SQL_BACKUPS\\DW_RW.bak'
, @compressionlevel = 4, @cryptlevel = 8, @encryptionkey = N'IMMAENCRYPTCHYU'
, @read_write_filegroups = 1, @verify = 1, @returndetails = 1, @init = 1, @with = 'CHECKSUM';`,
    );
    t.sim.write('DW', 'FG_CURRENT', '20MB');
    await ok(
      t.sim,
      `EXEC master.dbo.xp_backup_database @database = 'DW', @filename = 'Y:\\SQL_BACKUPS\\DW_RW_DIFF.bak'
, @compressionlevel = 4, @cryptlevel = 8, @encryptionkey = N'IMMAENCRYPTCHYU'
, @read_write_filegroups = 1, @verify = 1, @returndetails = 1
, @init = 1, @with = 'CHECKSUM', @with = 'DIFFERENTIAL';`,
    );
    const n = await newTestSim('empty', t.dataDir);
    try {
      await ok(
        n.sim,
        `EXEC master.dbo.xp_restore_database @database = 'DW', @filename = 'Y:\\SQL_BACKUPS\\DW_RW.bak'
, @encryptionkey = N'IMMAENCRYPTCHYU', @read_write_filegroups = 1
, @with = 'NORECOVERY', @returndetails = 1;`,
      );
      await ok(
        n.sim,
        `EXEC master.dbo.xp_restore_database @database = 'DW', @filename = 'Y:\\SQL_BACKUPS\\DW_RW_DIFF.bak'
, @encryptionkey = N'IMMAENCRYPTCHYU', @read_write_filegroups = 1
, @with = 'RECOVERY', @returndetails = 1;`,
      );
      await ok(
        n.sim,
        `EXEC master.dbo.xp_restore_database @database = 'DW', @filename = 'Y:\\SQL_BACKUPS\\DW_FG2019.bak'
, @filegroup = 'FG_2019', @encryptionkey = N'IMMAENCRYPTCHYU', @with = 'RECOVERY'
, @with = 'MOVE ''DW_FG2019'' TO ''F:\\data\\DW_FG2019.ndf''', @returndetails = 1`,
      );
      const fg = n.sim.database('DW').files.find((f) => f.logicalName === 'DW_FG2019')!;
      expect(fg.state).toBe('ONLINE');
      expect(fg.physicalName).toBe('F:\\data\\DW_FG2019.ndf');
    } finally {
      await n.cleanup();
    }
  });
});

describe('backup files: keys, stripes, damage', () => {
  let t: TestSim;
  beforeEach(async () => {
    t = await newTestSim('default');
    await ok(
      t.sim,
      xp('xp_backup_database', {
        database: 'DW',
        filename: [F('s1.bak'), F('s2.bak')],
        read_write_filegroups: 1,
        cryptlevel: 8,
        encryptionkey: KEY,
      }),
    );
  });
  afterEach(async () => t.cleanup());

  const verify = (files: string[], key?: string) =>
    t.sim.run(xp('xp_restore_verifyonly', { filename: files, ...(key ? { encryptionkey: key } : {}) }));

  it('verifies with the right key; a wrong or missing key fails (60605)', async () => {
    expect(
      (
        await ok(
          t.sim,
          xp('xp_restore_verifyonly', { filename: [F('s1.bak'), F('s2.bak')], encryptionkey: KEY }),
        )
      ).infos,
    ).toContain('The backup set on file 1 is valid.');
    expect(errorNumbers(await verify([F('s1.bak'), F('s2.bak')], 'wrong'))).toEqual([
      LiteSpeedError.EncryptionKey,
    ]);
    expect(errorNumbers(await verify([F('s1.bak'), F('s2.bak')]))).toEqual([LiteSpeedError.EncryptionKey]);
    const restore = await t.sim.run(
      xp('xp_restore_database', {
        database: 'DW2',
        filename: [F('s1.bak'), F('s2.bak')],
        encryptionkey: 'wrong',
      }),
    );
    expect(errorNumbers(restore)).toEqual([LiteSpeedError.EncryptionKey]);
  });

  it('a missing stripe fails 3132; a missing file 3201', async () => {
    expect(errorNumbers(await verify([F('s1.bak')], KEY))).toEqual([3132, 3013]);
    expect(errorNumbers(await verify([F('s1.bak'), F('nope.bak')], KEY))).toEqual([3201, 3013]);
  });

  it('a damaged file fails verify and restore (60606)', async () => {
    await t.sim.corruptBackupFile(F('s2.bak'));
    expect(errorNumbers(await verify([F('s1.bak'), F('s2.bak')], KEY))).toEqual([LiteSpeedError.Damaged]);
    const restore = await t.sim.run(
      xp('xp_restore_database', {
        database: 'DW2',
        filename: [F('s1.bak'), F('s2.bak')],
        encryptionkey: KEY,
      }),
    );
    expect(errorNumbers(restore)).toEqual([LiteSpeedError.Damaged]);
  });

  it('headeronly and filelistonly read the set with the key', async () => {
    const h = await ok(t.sim, xp('xp_restore_headeronly', { filename: F('s1.bak'), encryptionkey: KEY }));
    expect(rows(h)[0]).toMatchObject({ BackupType: 7, DeviceType: 7, DatabaseName: 'DW', Position: 1 });
    const f = await ok(t.sim, xp('xp_restore_filelistonly', { filename: F('s1.bak'), encryptionkey: KEY }));
    expect(
      rows(f)
        .filter((x) => x.IsPresent)
        .map((x) => x.LogicalName),
    ).toEqual(['DW', 'DW_log', 'DW_CURRENT']);
  });

  it('appends (@init = 0) as the next position; @filenumber picks it', async () => {
    await ok(
      t.sim,
      xp('xp_backup_database', { database: 'DW', filename: F('multi.bak'), filegroup: 'FG_2019', init: 1 }),
    );
    await ok(
      t.sim,
      xp('xp_backup_database', { database: 'DW', filename: F('multi.bak'), filegroup: 'FG_2020', init: 0 }),
    );
    const sets = t.server.msdb.backupset.slice(-2);
    expect(sets.map((s) => s.position)).toEqual([1, 2]);
    const h = await ok(t.sim, xp('xp_restore_headeronly', { filename: F('multi.bak') }));
    expect(rows(h).map((r) => r.Position)).toEqual([1, 2]);
    const f = await ok(t.sim, xp('xp_restore_filelistonly', { filename: F('multi.bak'), filenumber: 2 }));
    expect(
      rows(f)
        .filter((x) => x.IsPresent && x.Type === 'D')
        .map((x) => x.LogicalName),
    ).toEqual(['DW_FG2020']);
    expect(
      errorNumbers(await t.sim.run(xp('xp_restore_verifyonly', { filename: F('multi.bak'), filenumber: 3 }))),
    ).toEqual([4038, 3013]);
  });
});

describe('engine faults', () => {
  let t: TestSim;
  beforeEach(async () => {
    t = await newTestSim('default');
  });
  afterEach(async () => t.cleanup());

  it('fails the n-th call with a chosen error and nothing else', async () => {
    t.server.faults.failCall(
      { operation: 'xp_backup_database', nth: 2 },
      { number: 60601, message: 'LiteSpeed: Could not read the drive.' },
    );
    await ok(
      t.sim,
      xp('xp_backup_database', { database: 'DW', filename: F('1.bak'), read_write_filegroups: 1 }),
    );
    const second = await t.sim.run(
      xp('xp_backup_database', { database: 'DW', filename: F('2.bak'), read_write_filegroups: 1 }),
    );
    expect(errorNumbers(second)).toEqual([60601]);
    expect(returnCode(second)).toBe(1);
    await ok(
      t.sim,
      xp('xp_backup_database', { database: 'DW', filename: F('3.bak'), read_write_filegroups: 1 }),
    );
    expect(t.server.msdb.backupset).toHaveLength(2);
  });

  it('disk full during a backup: error 112, no msdb row, no partial file, appended media restored', async () => {
    await ok(
      t.sim,
      xp('xp_backup_database', { database: 'DW', filename: F('media.bak'), filegroup: 'FG_2019' }),
    );
    const before = (await stat(t.sim.hostPath(F('media.bak')))).size;
    t.server.faults.diskFull({ operation: 'xp_backup_database' });
    const r = await t.sim.run(
      xp('xp_backup_database', {
        database: 'DW',
        filename: [F('full1.bak'), F('full2.bak')],
        read_write_filegroups: 1,
      }),
    );
    expect(errorNumbers(r)).toEqual([LiteSpeedError.DiskFull]);
    expect(r.errors[0]!.message).toContain('112(There is not enough space on the disk.)');
    await expect(stat(t.sim.hostPath(F('full1.bak')))).rejects.toThrow();
    await expect(stat(t.sim.hostPath(F('full2.bak')))).rejects.toThrow();
    const append = await t.sim.run(
      xp('xp_backup_database', { database: 'DW', filename: F('media.bak'), filegroup: 'FG_2020' }),
    );
    expect(errorNumbers(append)).toEqual([LiteSpeedError.DiskFull]);
    expect((await stat(t.sim.hostPath(F('media.bak')))).size).toBe(before);
    expect(t.server.msdb.backupset).toHaveLength(1);
    t.server.faults.diskFull({ operation: 'BACKUP DATABASE', once: true });
    const native = await t.sim.run(
      "BACKUP DATABASE DW READ_WRITE_FILEGROUPS TO DISK = 'C:\\SQLBackup\\n.bak'",
    );
    expect(errorNumbers(native)).toEqual([3202, 3013]);
  });

  it('a failed verify: the file is damaged before the verify reads it', async () => {
    t.server.faults.failVerify();
    const r = await t.sim.run(
      xp('xp_backup_database', { database: 'DW', filename: F('v.bak'), read_write_filegroups: 1, verify: 1 }),
    );
    expect(errorNumbers(r)).toEqual([LiteSpeedError.Damaged]);
    expect(t.server.msdb.backupset).toHaveLength(1);
  });

  it('a corrupted backup: the backup succeeds, a later restore fails', async () => {
    t.server.faults.corruptBackup({ operation: 'xp_backup_database', nth: 1 });
    await ok(
      t.sim,
      xp('xp_backup_database', { database: 'DW', filename: F('c.bak'), read_write_filegroups: 1 }),
    );
    expect(errorNumbers(await t.sim.run(xp('xp_restore_verifyonly', { filename: F('c.bak') })))).toEqual([
      LiteSpeedError.Damaged,
    ]);
  });

  it('slowness per call, and an offline drive (60601)', async () => {
    t.server.faults.slow({ operation: 'xp_backup_database' }, 120);
    const started = Date.now();
    await ok(
      t.sim,
      xp('xp_backup_database', { database: 'DW', filename: F('s.bak'), read_write_filegroups: 1 }),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    t.sim.setDriveOffline('Q');
    const r = await t.sim.run(
      xp('xp_backup_database', { database: 'DW', filename: 'Q:\\x.bak', read_write_filegroups: 1 }),
    );
    expect(errorNumbers(r)).toEqual([LiteSpeedError.Drive]);
  });
});

describe('xp_slssqlmaint, xp_fileexist, xp_create_subdir', () => {
  let t: TestSim;
  beforeEach(async () => {
    t = await newTestSim('default');
  });
  afterEach(async () => t.cleanup());

  it('deletes files older than the cutoff by the simulator clock, and single files', async () => {
    await ok(
      t.sim,
      xp('xp_backup_database', { database: 'DW', filename: F('DW\\old.bak'), read_write_filegroups: 1 }),
    );
    t.sim.advanceClock('3d');
    await ok(
      t.sim,
      xp('xp_backup_database', { database: 'DW', filename: F('DW\\new.bak'), read_write_filegroups: 1 }),
    );
    await ok(
      t.sim,
      xp('xp_backup_database', { database: 'DW', filename: F('DW\\keep.trn.bak'), read_write_filegroups: 1 }),
    );
    const r = await ok(
      t.sim,
      `EXECUTE master.dbo.xp_slssqlmaint N'-MAINTDEL -DELFOLDER "Y:\\SQL_BACKUPS\\DW" -DELEXTENSION "bak" -DELUNIT "48" -DELUNITTYPE "hours" -DELUSEAGE'`,
    );
    expect(r.infos).toContain('Deleted file: Y:\\SQL_BACKUPS\\DW\\old.bak');
    await expect(stat(t.sim.hostPath(F('DW\\old.bak')))).rejects.toThrow();
    expect((await stat(t.sim.hostPath(F('DW\\new.bak')))).isFile()).toBe(true);
    await ok(t.sim, `EXEC master.dbo.xp_slssqlmaint N'-MAINTDEL -DELFILE "Y:\\SQL_BACKUPS\\DW\\new.bak"'`);
    await expect(stat(t.sim.hostPath(F('DW\\new.bak')))).rejects.toThrow();
    const bad = await t.sim.run(
      `EXEC master.dbo.xp_slssqlmaint N'-MAINTDEL -DELFOLDER "Y:\\SQL_BACKUPS\\DW" -DELUNIT "x"'`,
    );
    expect(errorNumbers(bad)).toEqual([LiteSpeedError.Maintenance]);
  });

  it('xp_fileexist reports files and folders; xp_create_subdir makes folders', async () => {
    await ok(t.sim, "EXEC master.dbo.xp_create_subdir N'Y:\\SQL_BACKUPS\\NEW\\SUB'");
    const dirRow = rows(await ok(t.sim, "EXEC master.dbo.xp_fileexist N'Y:\\SQL_BACKUPS\\NEW\\SUB'"))[0];
    expect(dirRow).toEqual({ 'File Exists': 0, 'File is a Directory': 1, 'Parent Directory Exists': 1 });
    const out = await ok(
      t.sim,
      "DECLARE @e int; EXEC master.dbo.xp_fileexist N'Y:\\SQL_BACKUPS\\none.bak', @e OUTPUT; SELECT @e AS e;",
    );
    expect(rows(out)[0]).toEqual({ e: 0 });
  });
});
