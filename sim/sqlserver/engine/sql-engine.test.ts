import { stat } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as q from '../../../plugins/litespeed/queries.ts';
import type { ExecutionItem, ExecutionResult, RpcParameter, SessionInfo } from '../engine-api.ts';
import { UNSUPPORTED_STATEMENT } from './batch-interpreter.ts';
import { servedTags } from './catalog-handlers.ts';
import { newTestSim, ok, xp, type TestSim } from './test-helpers.ts';

/** The engine through the SqlEngine interface, as the TDS layer calls it. */

const signal = new AbortController().signal;
const nvarchar = { type: 'nvarchar' as const, length: 4000 };

function errorsOf(r: ExecutionResult): number[] {
  return r.items.flatMap((i) => (i.kind === 'message' && i.message.severity >= 11 ? [i.message.number] : []));
}

function firstRows(r: ExecutionResult): Array<Record<string, unknown>> {
  const rs = r.items.find((i): i is Extract<ExecutionItem, { kind: 'resultSet' }> => i.kind === 'resultSet');
  if (!rs) throw new Error(`no result set: ${JSON.stringify(r.items)}`);
  return rs.resultSet.rows.map((row) =>
    Object.fromEntries(rs.resultSet.columns.map((c, i) => [c.name, row[i]])),
  );
}

/** sp_executesql as mssql sends it: statement, declaration, then the typed parameters. */
function spExecuteSql(
  statement: string,
  params: Array<{
    name: string;
    type: string;
    value: RpcParameter['value'];
    column: RpcParameter['type'];
    output?: boolean;
  }>,
): RpcParameter[] {
  return [
    { name: '', value: statement, type: nvarchar, output: false },
    {
      name: '',
      value: params.map((p) => `${p.name} ${p.type}${p.output ? ' OUTPUT' : ''}`).join(','),
      type: nvarchar,
      output: false,
    },
    ...params.map((p) => ({ name: p.name, value: p.value, type: p.column, output: p.output ?? false })),
  ];
}

describe('SimSqlEngine', () => {
  let t: TestSim;
  let session: SessionInfo;
  beforeEach(async () => {
    t = await newTestSim('default');
    session = { id: 52, login: 'sa', database: 'master' };
  });
  afterEach(async () => t.cleanup());

  it('logs in with the scenario login; a wrong password is 18456, an unknown database 4060', () => {
    expect(t.engine.login('sa', 'Holdfast!Sim1', 'DW')).toEqual({ ok: true, database: 'DW' });
    expect(t.engine.login('SA', 'Holdfast!Sim1', undefined)).toEqual({ ok: true, database: 'master' });
    expect(t.engine.login('sa', 'nope', undefined).error?.number).toBe(18456);
    expect(t.engine.login('sa', 'Holdfast!Sim1', 'Nope').error?.number).toBe(4060);
  });

  it('serves every catalog query in plugins/litespeed/queries.ts, and only their exact text', async () => {
    expect([...servedTags].sort()).toEqual(q.catalogQueries.map((x) => x.tag).sort());
    for (const query of q.catalogQueries) expect(query.sql.startsWith(`/* ${query.tag} */`)).toBe(true);
    const info = await t.engine.executeBatch(session, q.serverInfoQuery.sql, signal);
    expect(firstRows(info)[0]).toMatchObject({
      server_name: 'SIM01',
      product_version: '16.0.4135.4',
      litespeed_installed: true,
      litespeed_procedures: 8,
    });
    const changed = await t.engine.executeBatch(
      session,
      q.serverInfoQuery.sql.replace('AS server_name', 'AS srv'),
      signal,
    );
    expect(errorsOf(changed)).toEqual([UNSUPPORTED_STATEMENT]);
    const message = changed.items[0]!.kind === 'message' ? changed.items[0]!.message.message : '';
    expect(message).toMatch(
      /^Statement not supported by the SQL Server simulator: \/\* holdfast:server\.info \*\/ SELECT/,
    );
    expect(message).toContain('differs from the holdfast:server.info query');
  });

  it('answers history queries with typed parameters through sp_executesql; LSNs are strings', async () => {
    await ok(
      t.sim,
      xp('xp_backup_database', { database: 'DW', filename: 'Y:\\b\\P1.bak', read_write_filegroups: 1 }),
    );
    t.sim.write('DW', 'FG_CURRENT', '10MB');
    await ok(
      t.sim,
      xp('xp_backup_database', {
        database: 'DW',
        filename: ['Y:\\b\\Q1a.bak', 'Y:\\b\\Q1b.bak'],
        read_write_filegroups: 1,
        with: 'DIFFERENTIAL',
      }),
    );
    const params = (since: Date | null) => [
      {
        name: '@database',
        type: 'nvarchar(128)',
        value: 'DW',
        column: { type: 'nvarchar' as const, length: 128 },
      },
      { name: '@since', type: 'datetime', value: since, column: { type: 'datetime' as const } },
    ];
    const sets = firstRows(
      await t.engine.executeRpc(
        session,
        'sp_executesql',
        spExecuteSql(q.backupSetsQuery.sql, params(null)),
        signal,
      ),
    );
    expect(sets.map((s) => s.type)).toEqual(['P', 'Q']);
    expect(typeof sets[0]!.first_lsn).toBe('string');
    expect(sets[1]!.differential_base_lsn).toBe(sets[0]!.checkpoint_lsn);
    expect(sets[1]!.differential_base_guid).toBe(sets[0]!.backup_set_uuid);
    const later = firstRows(
      await t.engine.executeRpc(
        session,
        'sp_executesql',
        spExecuteSql(q.backupSetsQuery.sql, params(new Date('2030-01-01T00:00:00Z'))),
        signal,
      ),
    );
    expect(later).toEqual([]);
    const files = firstRows(
      await t.engine.executeRpc(
        session,
        'sp_executesql',
        spExecuteSql(q.backupFilesQuery.sql, params(null)),
        signal,
      ),
    );
    expect(
      files
        .filter((f) => f.backup_set_id === sets[0]!.backup_set_id && f.is_present)
        .map((f) => f.filegroup_name),
    ).toEqual(['PRIMARY', null, 'FG_CURRENT']);
    expect(files.find((f) => f.filegroup_name === 'FG_2019')).toMatchObject({
      is_present: false,
      is_readonly: true,
    });
    const media = firstRows(
      await t.engine.executeRpc(
        session,
        'sp_executesql',
        spExecuteSql(q.mediaFamiliesQuery.sql, params(null)),
        signal,
      ),
    );
    expect(
      media
        .filter((m) => m.backup_set_id === sets[1]!.backup_set_id)
        .map((m) => [m.family_sequence_number, m.physical_device_name, m.device_type]),
    ).toEqual([
      [1, 'Y:\\b\\Q1a.bak', 7],
      [2, 'Y:\\b\\Q1b.bak', 7],
    ]);
    const latest = firstRows(
      await t.engine.executeRpc(
        session,
        'sp_executesql',
        spExecuteSql(q.latestBackupSetQuery.sql, params(new Date('2026-03-01T00:00:00Z'))),
        signal,
      ),
    );
    expect(latest).toHaveLength(1);
    expect(latest[0]!.type).toBe('Q');
    const unbound = await t.engine.executeBatch(session, q.backupSetsQuery.sql, signal);
    expect(errorsOf(unbound)).toEqual([137]);
  });

  it('database.files runs in the session database; USE changes it', async () => {
    const inMaster = firstRows(await t.engine.executeBatch(session, q.databaseFilesQuery.sql, signal));
    expect(inMaster.map((f) => f.logical_name)).toEqual(['master', 'mastlog']);
    const use = await t.engine.executeBatch(session, 'USE [DW];', signal);
    expect(errorsOf(use)).toEqual([]);
    expect(session.database).toBe('DW');
    const dw = firstRows(await t.engine.executeBatch(session, q.databaseFilesQuery.sql, signal));
    expect(dw.find((f) => f.logical_name === 'DW_FG2019')).toMatchObject({
      filegroup_name: 'FG_2019',
      filegroup_is_read_only: true,
      is_read_only: true,
      state_desc: 'ONLINE',
      differential_base_lsn: null,
    });
    expect(typeof dw.find((f) => f.logical_name === 'DW_FG2019')!.read_only_lsn).toBe('string');
    expect(dw.find((f) => f.logical_name === 'DW_log')).toMatchObject({
      filegroup_name: null,
      type_desc: 'LOG',
    });
    expect(errorsOf(await t.engine.executeBatch(session, 'USE Nope', signal))).toEqual([911]);
  });

  it('databases, permissions, filegroups, master files and file existence', async () => {
    const dbs = firstRows(await t.engine.executeBatch(session, q.databasesQuery.sql, signal));
    expect(dbs.map((d) => d.name)).toEqual(['DW', 'master', 'model', 'msdb', 'tempdb']);
    expect(dbs[0]).toMatchObject({
      state_desc: 'ONLINE',
      recovery_model_desc: 'SIMPLE',
      is_read_only: false,
      user_access_desc: 'MULTI_USER',
    });
    const db = [
      {
        name: '@database',
        type: 'nvarchar(128)',
        value: 'DW',
        column: { type: 'nvarchar' as const, length: 128 },
      },
    ];
    const perms = firstRows(
      await t.engine.executeRpc(session, 'sp_executesql', spExecuteSql(q.permissionsQuery.sql, db), signal),
    );
    expect(perms[0]).toEqual({
      is_sysadmin: 1,
      can_backup_database: 1,
      can_backup_log: 1,
      can_create_database: 1,
    });
    const mf = firstRows(
      await t.engine.executeRpc(session, 'sp_executesql', spExecuteSql(q.masterFilesQuery.sql, db), signal),
    );
    expect(mf.map((f) => f.data_space_id)).toEqual([1, 0, 2, 3, 4, 5]);
    session.database = 'DW';
    const fgs = firstRows(await t.engine.executeBatch(session, q.filegroupsQuery.sql, signal));
    expect(fgs.map((f) => [f.name, f.is_read_only, f.is_default])).toEqual([
      ['PRIMARY', false, false],
      ['FG_2019', true, false],
      ['FG_2020', true, false],
      ['FG_2021', true, false],
      ['FG_CURRENT', false, true],
    ]);
    await ok(
      t.sim,
      xp('xp_backup_database', { database: 'DW', filename: 'Y:\\b\\P1.bak', read_write_filegroups: 1 }),
    );
    const path = (p: string) => [{ name: '@path', type: 'nvarchar(4000)', value: p, column: nvarchar }];
    expect(
      firstRows(
        await t.engine.executeRpc(
          session,
          'sp_executesql',
          spExecuteSql(q.fileExistsQuery.sql, path('Y:\\b\\P1.bak')),
          signal,
        ),
      )[0],
    ).toEqual({ file_exists: true, file_is_a_directory: false, parent_directory_exists: true });
    expect(
      firstRows(
        await t.engine.executeRpc(
          session,
          'sp_executesql',
          spExecuteSql(q.fileExistsQuery.sql, path('Y:\\b')),
          signal,
        ),
      )[0],
    ).toEqual({ file_exists: false, file_is_a_directory: true, parent_directory_exists: true });
  });

  it("runs LiteSpeed calls sent the product's way: EXEC @rc = ... with every value a typed @p parameter", async () => {
    const statement =
      'EXEC @rc = master.dbo.xp_backup_database @database = @p1, @filename = @p2, @filename = @p3, @read_write_filegroups = @p4, @with = @p5, @with = @p6, @encryptionkey = @p7; SELECT @rc AS rc;';
    const p = (name: string, value: string | number) => ({
      name,
      type: typeof value === 'number' ? 'int' : 'nvarchar(4000)',
      value,
      column: typeof value === 'number' ? { type: 'int' as const } : nvarchar,
    });
    const params = [
      p('@p1', 'DW'),
      p('@p2', 'Y:\\b\\s1.bak'),
      p('@p3', 'Y:\\b\\s2.bak'),
      p('@p4', 1),
      p('@p5', 'CHECKSUM'),
      p('@p6', 'STATS = 25'),
      p('@p7', 'secret'),
    ];
    const args = spExecuteSql(statement, [
      ...params,
      { name: '@rc', type: 'int', value: null, column: { type: 'int' }, output: true },
    ]);
    const r = await t.engine.executeRpc(session, 'sp_executesql', args, signal);
    expect(errorsOf(r)).toEqual([]);
    expect(firstRows(r)).toEqual([{ rc: 0 }]);
    expect(r.items).toContainEqual({ kind: 'outputParam', name: '@rc', value: 0, type: { type: 'int' } });
    expect(r.items).toContainEqual({ kind: 'returnStatus', value: 0 });
    expect(t.server.msdb.backupset[0]!.type).toBe('P');
    const failing = spExecuteSql(
      statement.replace('@read_write_filegroups = @p4, ', "@filegroup = N'FG_CURRENT', "),
      [
        ...params.filter((x) => x.name !== '@p4'),
        { name: '@rc', type: 'int', value: null, column: { type: 'int' }, output: true },
      ],
    );
    const f = await t.engine.executeRpc(session, 'sp_executesql', failing, signal);
    expect(errorsOf(f)).toEqual([3022, 3013]);
    expect(firstRows(f)).toEqual([{ rc: 1 }]);
  });

  it('calls extended procedures by RPC with named parameters and a return status', async () => {
    const r = await t.engine.executeRpc(
      session,
      'master.dbo.xp_backup_database',
      [
        { name: '@database', value: 'DW', type: nvarchar, output: false },
        { name: '@filename', value: 'Y:\\b\\rpc.bak', type: nvarchar, output: false },
        { name: '@filegroup', value: 'FG_2020', type: nvarchar, output: false },
      ],
      signal,
    );
    expect(errorsOf(r)).toEqual([]);
    expect(r.items.at(-1)).toEqual({ kind: 'returnStatus', value: 0 });
    const missing = await t.engine.executeRpc(session, 'master.dbo.xp_nothing', [], signal);
    expect(errorsOf(missing)).toEqual([2812]);
  });

  it("runs the T-SQL subset: comments, N'' quotes, IF/RAISERROR, THROW, PRINT, SET options, GO", async () => {
    const batch = `
      /* a /* nested */ comment */ SET NOCOUNT ON;
      -- line comment
      DECLARE @rc int = 0, @name nvarchar(128) = N'O''Brien';
      EXEC @rc = master.dbo.xp_backup_log @database = N'DW', @filename = N'Y:\\b\\l.trn'
      IF @rc <> 0 OR @rc IS NULL RAISERROR(N'LiteSpeed failed with %d for %s', 16, 1, @rc, @name);
      PRINT N'done ' + @name
      GO
      SELECT @rc AS rc, @@SERVERNAME AS server, DB_NAME() AS db`;
    const r = await t.engine.executeBatch(session, batch, signal);
    expect(errorsOf(r)).toEqual([4208, 3013, 50000]);
    const raised = r.items.find((i) => i.kind === 'message' && i.message.number === 50000);
    expect(raised?.kind === 'message' && raised.message.message).toBe("LiteSpeed failed with 1 for O'Brien");
    expect(r.items.some((i) => i.kind === 'message' && i.message.message === "done O'Brien")).toBe(true);
    expect(firstRows(r)).toEqual([{ rc: 1, server: 'SIM01', db: 'master' }]);
    const thrown = await t.engine.executeBatch(
      session,
      "THROW 51000, N'stop here', 1; SELECT 1 AS never;",
      signal,
    );
    expect(errorsOf(thrown)).toEqual([51000]);
    expect(thrown.items.some((i) => i.kind === 'resultSet')).toBe(false);
  });

  it('refuses everything else loudly', async () => {
    for (const sql of [
      'SELECT name FROM sys.databases',
      'DROP DATABASE DW',
      'UPDATE t SET a = 1',
      "EXEC ('SELECT 1')",
      'BEGIN TRAN',
    ]) {
      const r = await t.engine.executeBatch(session, sql, signal);
      expect(errorsOf(r), sql).toEqual([UNSUPPORTED_STATEMENT]);
      const m = r.items[0]!;
      expect(
        m.kind === 'message' &&
          m.message.message.startsWith('Statement not supported by the SQL Server simulator: '),
      ).toBe(true);
    }
    const before = t.server.msdb.backupset.length;
    const mixed = await t.engine.executeBatch(
      session,
      "EXEC master.dbo.xp_backup_database @database = N'DW', @filename = N'Y:\\b\\never.bak', @read_write_filegroups = 1; DELETE FROM msdb.dbo.backupset;",
      signal,
    );
    expect(errorsOf(mixed)).toEqual([UNSUPPORTED_STATEMENT]);
    expect(t.server.msdb.backupset.length).toBe(before);
  });
});

describe('T-SQL syntax errors and concurrency', () => {
  let t: TestSim;
  const s: SessionInfo = { id: 53, login: 'sa', database: 'master' };
  beforeEach(async () => {
    t = await newTestSim('default');
  });
  afterEach(async () => t.cleanup());

  it("reports SQL Server's syntax errors (102, 105, 113) without running any statement", async () => {
    expect(
      errorsOf(
        await t.engine.executeBatch(
          s,
          "PRINT 'a'; EXEC master.dbo.xp_backup_database @database = N'DW",
          signal,
        ),
      ),
    ).toEqual([105]);
    expect(errorsOf(await t.engine.executeBatch(s, 'PRINT 1 /* never closed', signal))).toEqual([113]);
    const r = await t.engine.executeBatch(s, "PRINT 'a'; IF @x = THEN PRINT 1", signal);
    expect(errorsOf(r)).toEqual([102]);
    expect(r.items.some((i) => i.kind === 'message' && i.message.message === 'a')).toBe(false);
  });

  it('data backups of one database are serialized (3023)', async () => {
    t.server.faults.slow({ operation: 'xp_backup_database', nth: 1 }, 100);
    const first = t.sim.run(
      xp('xp_backup_database', { database: 'DW', filename: 'Y:\\c\\1.bak', read_write_filegroups: 1 }),
    );
    const second = await t.sim.run(
      xp('xp_backup_database', { database: 'DW', filename: 'Y:\\c\\2.bak', filegroup: 'FG_2019' }),
    );
    expect(second.errors.map((e) => e.number)).toEqual([3023, 3013]);
    const restore = await t.sim.run(xp('xp_restore_database', { database: 'DW', filename: 'Y:\\c\\0.bak' }));
    expect(restore.errors.map((e) => e.number)).toEqual([3201, 3013]);
    expect((await first).errors).toEqual([]);
  });
});

describe("the product's statement shapes (templates/, plugins/litespeed)", () => {
  let t: TestSim;
  const s: SessionInfo = { id: 54, login: 'sa', database: 'master' };
  beforeEach(async () => {
    t = await newTestSim('default');
  });
  afterEach(async () => t.cleanup());

  it('a native backup script: xp_create_subdir, BACKUP ... WITH STATS, NOINIT; @@ERROR after a failed step feeds the RAISERROR', async () => {
    const backupScript = `-- holdfast: partial backup of DW
DECLARE @rc int;
EXEC @rc = master.dbo.xp_create_subdir N'Y:\\SQL_BACKUPS\\SIM01\\DW\\FULL';
IF @rc <> 0 OR @rc IS NULL
    RAISERROR(N'holdfast: could not create the folder %s', 16, 1, N'Y:\\SQL_BACKUPS\\SIM01\\DW\\FULL');
BACKUP DATABASE [DW] READ_WRITE_FILEGROUPS
TO DISK = N'Y:\\SQL_BACKUPS\\SIM01\\DW\\FULL\\DW_P.bak'
WITH STATS = 10, CHECKSUM, NOINIT, MAXTRANSFERSIZE = 4194304, BUFFERCOUNT = 50, DESCRIPTION = N'holdfast';`;
    const r = await t.engine.executeBatch(s, backupScript, signal);
    expect(errorsOf(r)).toEqual([]);
    expect(r.items.filter((i) => i.kind === 'message' && i.message.number === 3211)).toHaveLength(10);
    const restoreStep = `SET NOCOUNT ON;
RESTORE DATABASE [DW] FILEGROUP = N'FG_2019' WITH RECOVERY;
IF @@ERROR <> 0
BEGIN
    RAISERROR(N'holdfast: restore step %d failed; later steps were not run', 16, 1, 3);
    RETURN;
END
PRINT N'not reached';`;
    const failed = await t.engine.executeBatch(s, restoreStep, signal);
    expect(errorsOf(failed)).toEqual([3149, 3013, 50000]);
    expect(failed.items.some((i) => i.kind === 'message' && i.message.message === 'not reached')).toBe(false);
  });

  it('a restore step with the key as a typed parameter (@encryptionkey = @encryptionkey)', async () => {
    await ok(
      t.sim,
      xp('xp_backup_database', {
        database: 'DW',
        filename: 'Y:\\k\\P.bak',
        read_write_filegroups: 1,
        encryptionkey: 'k3y',
      }),
    );
    const step = [
      'DECLARE @rc int;',
      'EXEC @rc = master.dbo.xp_restore_database',
      "    @database = N'DW_copy',\n    @filename = N'Y:\\k\\P.bak',\n    @filenumber = 1,\n    @with = N'PARTIAL',\n    @with = N'RECOVERY',\n    @with = N'MOVE N''DW'' TO N''F:\\c\\DW.mdf''',\n    @with = N'MOVE N''DW_log'' TO N''F:\\c\\DW.ldf''',\n    @with = N'MOVE N''DW_CURRENT'' TO N''F:\\c\\CUR.ndf''',\n    @with = N'MOVE N''DW_FG2019'' TO N''F:\\c\\a.ndf''',\n    @with = N'MOVE N''DW_FG2020'' TO N''F:\\c\\b.ndf''',\n    @with = N'MOVE N''DW_FG2021'' TO N''F:\\c\\c.ndf''',\n    @encryptionkey = @encryptionkey;",
      'SELECT @rc AS rc;',
    ].join('\n');
    const r = await t.engine.executeRpc(
      s,
      'sp_executesql',
      spExecuteSql(step, [
        { name: '@encryptionkey', type: 'nvarchar(4000)', value: 'k3y', column: nvarchar },
      ]),
      signal,
    );
    expect(errorsOf(r)).toEqual([]);
    expect(firstRows(r)).toEqual([{ rc: 0 }]);
    expect(t.sim.database('DW_copy').state).toBe('ONLINE');
  });

  it('xp_delete_file deletes native backup files only (file form and folder form), like SQL Server', async () => {
    await ok(t.sim, "BACKUP DATABASE DW READ_WRITE_FILEGROUPS TO DISK = 'C:\\SQLBackup\\old.bak' WITH INIT");
    await ok(
      t.sim,
      xp('xp_backup_database', {
        database: 'DW',
        filename: 'C:\\SQLBackup\\ls.bak',
        read_write_filegroups: 1,
      }),
    );
    t.sim.advanceClock('2d');
    await ok(t.sim, "BACKUP DATABASE DW READ_WRITE_FILEGROUPS TO DISK = 'C:\\SQLBackup\\new.bak' WITH INIT");
    const exists = async (p: string) =>
      await stat(t.sim.hostPath(p)).then(
        () => true,
        () => false,
      );
    await ok(
      t.sim,
      "EXECUTE master.dbo.xp_delete_file 0, N'C:\\SQLBackup', N'bak', N'2026-03-02T00:00:00', 0",
    );
    expect([
      await exists('C:\\SQLBackup\\old.bak'),
      await exists('C:\\SQLBackup\\ls.bak'),
      await exists('C:\\SQLBackup\\new.bak'),
    ]).toEqual([false, true, true]);
    await ok(t.sim, "EXEC master.dbo.xp_delete_file 0, N'C:\\SQLBackup\\new.bak';");
    await ok(t.sim, "EXEC master.dbo.xp_delete_file 0, N'C:\\SQLBackup\\ls.bak';");
    expect([await exists('C:\\SQLBackup\\new.bak'), await exists('C:\\SQLBackup\\ls.bak')]).toEqual([
      false,
      true,
    ]);
  });
});
