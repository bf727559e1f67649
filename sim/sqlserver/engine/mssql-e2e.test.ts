import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sql from 'mssql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.ts';
import * as q from '../../../plugins/litespeed/queries.ts';
import { startSqlServerSim, type SqlServerSim } from '../index.ts';

/**
 * End to end through the unmodified mssql client over TLS: the product's way of calling LiteSpeed
 * (sp_executesql, every value a typed parameter), its catalog queries, restore errors as
 * RequestErrors with SQL Server's numbers, and faults.
 */

let dataDir: string;
let server: SqlServerSim;
let pool: sql.ConnectionPool;
const clock = new ManualClock('2026-03-01T01:00:00Z');

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'hf-sqlsim-e2e-'));
  server = await startSqlServerSim({ dataDir, scenario: 'default', clock });
  pool = new sql.ConnectionPool({
    ...server.connectionConfig(),
    connectionTimeout: 5000,
    requestTimeout: 15000,
    pool: { max: 2, min: 0 },
  });
  await pool.connect();
});

afterAll(async () => {
  await pool?.close();
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

interface Call {
  rc: number;
  infos: string[];
}

/** What the product does: EXEC @rc = master.dbo.<proc> @name = @pN, ...; SELECT @rc AS rc; via sp_executesql. */
async function liteSpeed(proc: string, params: Array<[string, string | number]>): Promise<Call> {
  const request = pool.request();
  const infos: string[] = [];
  request.on('info', (m: { message: string }) => infos.push(m.message));
  const parts = params.map(([name, value], i) => {
    const p = `p${i + 1}`;
    if (typeof value === 'number') request.input(p, sql.Int, value);
    else request.input(p, sql.NVarChar(4000), value);
    return `@${name} = @${p}`;
  });
  const result = await request.query(
    `DECLARE @rc int; EXEC @rc = master.dbo.${proc} ${parts.join(', ')}; SELECT @rc AS rc;`,
  );
  return { rc: result.recordset[0].rc as number, infos };
}

/** The SQL Server error numbers a failed request carried (the thrown one and those before it). */
function numbers(err: unknown): number[] {
  const e = err as { number?: number; precedingErrors?: Array<{ number: number }> };
  return [...(e.precedingErrors ?? []).map((p) => p.number), ...(e.number !== undefined ? [e.number] : [])];
}

async function failure(work: Promise<unknown>): Promise<number[]> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected the request to fail').toBeInstanceOf(Error);
  return numbers(err);
}

describe('the simulator through mssql over TLS', () => {
  it('answers the server-info and databases queries', async () => {
    const info = await pool.request().query(q.serverInfoQuery.sql);
    expect(info.recordset[0]).toMatchObject({
      server_name: 'SIM01',
      litespeed_installed: true,
      litespeed_procedures: 8,
      engine_edition: 3,
    });
    const dbs = await pool.request().query(q.databasesQuery.sql);
    expect(dbs.recordset.find((d: { name: string }) => d.name === 'DW')).toMatchObject({
      recovery_model_desc: 'SIMPLE',
      state_desc: 'ONLINE',
    });
  });

  it('takes the DW backups the product takes, reads them back from msdb with LSNs as strings, and finds the files', async () => {
    const key = 'IMMAENCRYPTCHYU';
    const fg = await liteSpeed('xp_backup_database', [
      ['database', 'DW'],
      ['filename', 'Y:\\SQL_BACKUPS\\DW\\DW_FG2019.bak'],
      ['filegroup', 'FG_2019'],
      ['compressionlevel', 4],
      ['cryptlevel', 8],
      ['encryptionkey', key],
      ['init', 1],
      ['with', 'CHECKSUM'],
    ]);
    expect(fg.rc).toBe(0);
    expect(fg.infos).toContain('Backup progress: 50%');
    const p1 = await liteSpeed('xp_backup_database', [
      ['database', 'DW'],
      ['filename', 'Y:\\SQL_BACKUPS\\DW\\DW_P1_1.bak'],
      ['filename', 'Y:\\SQL_BACKUPS\\DW\\DW_P1_2.bak'],
      ['read_write_filegroups', 1],
      ['encryptionkey', key],
      ['with', 'CHECKSUM'],
    ]);
    expect(p1.rc).toBe(0);
    server.sim.write('DW', 'FG_CURRENT', '200MB');
    clock.advance(3_600_000);
    const q1 = await liteSpeed('xp_backup_database', [
      ['database', 'DW'],
      ['filename', 'Y:\\SQL_BACKUPS\\DW\\DW_Q1.bak'],
      ['read_write_filegroups', 1],
      ['encryptionkey', key],
      ['with', 'CHECKSUM'],
      ['with', 'DIFFERENTIAL'],
    ]);
    expect(q1.rc).toBe(0);
    const verify = await liteSpeed('xp_restore_verifyonly', [
      ['filename', 'Y:\\SQL_BACKUPS\\DW\\DW_Q1.bak'],
      ['encryptionkey', key],
    ]);
    expect(verify).toMatchObject({ rc: 0, infos: ['The backup set on file 1 is valid.'] });

    const history = (query: q.CatalogQuery) =>
      pool
        .request()
        .input('database', sql.NVarChar(128), 'DW')
        .input('since', sql.DateTime, new Date('2026-03-01T00:00:00Z'))
        .query(query.sql);
    const sets = (await history(q.backupSetsQuery)).recordset;
    expect(sets.map((s: { type: string }) => s.type)).toEqual(['F', 'P', 'Q']);
    const [f, p, dq] = sets;
    expect(typeof p.first_lsn).toBe('string');
    expect(p.first_lsn).toMatch(/^\d{17,25}$/);
    expect(dq.differential_base_lsn).toBe(p.checkpoint_lsn);
    expect(dq.differential_base_guid).toBe(p.backup_set_uuid);
    expect(dq.backup_start_date.toISOString()).toBe('2026-03-01T02:00:00.000Z');
    const files = (await history(q.backupFilesQuery)).recordset;
    expect(
      files.find(
        (x: { backup_set_id: number; filegroup_name: string }) =>
          x.backup_set_id === f.backup_set_id && x.filegroup_name === 'FG_2019',
      ),
    ).toMatchObject({ is_present: true, is_readonly: true });
    const media = (await history(q.mediaFamiliesQuery)).recordset.filter(
      (m: { backup_set_id: number }) => m.backup_set_id === p.backup_set_id,
    );
    expect(
      media.map((m: { family_sequence_number: number; physical_device_name: string }) => [
        m.family_sequence_number,
        m.physical_device_name,
      ]),
    ).toEqual([
      [1, 'Y:\\SQL_BACKUPS\\DW\\DW_P1_1.bak'],
      [2, 'Y:\\SQL_BACKUPS\\DW\\DW_P1_2.bak'],
    ]);
    const exists = await pool
      .request()
      .input('path', sql.NVarChar(4000), 'Y:\\SQL_BACKUPS\\DW\\DW_Q1.bak')
      .query(q.fileExistsQuery.sql);
    expect(exists.recordset[0]).toEqual({
      file_exists: true,
      file_is_a_directory: false,
      parent_directory_exists: true,
    });
    expect((await stat(server.sim.hostPath('Y:\\SQL_BACKUPS\\DW\\DW_Q1.bak'))).isFile()).toBe(true);
  });

  it("restores in order and surfaces wrong steps as request errors with SQL Server's numbers", async () => {
    const key = 'IMMAENCRYPTCHYU';
    const restore = (
      file: string | string[],
      withs: string[],
      extra: Array<[string, string | number]> = [],
    ) =>
      liteSpeed('xp_restore_database', [
        ['database', 'DW_restored'],
        ...[file].flat().map((x): [string, string] => ['filename', x]),
        ['encryptionkey', key],
        ...withs.map((w): [string, string] => ['with', w]),
        ...extra,
      ]);
    const moves = ['DW', 'DW_log', 'DW_FG2019', 'DW_FG2020', 'DW_FG2021', 'DW_CURRENT'].map(
      (l) => `MOVE N'${l}' TO N'F:\\restore\\${l}.dat'`,
    );
    const stripes = ['Y:\\SQL_BACKUPS\\DW\\DW_P1_1.bak', 'Y:\\SQL_BACKUPS\\DW\\DW_P1_2.bak'];
    expect(
      await failure(restore(stripes[0]!, ['NORECOVERY', ...moves], [['read_write_filegroups', 1]])),
    ).toEqual([3132, 3013]);
    expect(
      await failure(
        liteSpeed('xp_restore_database', [
          ['database', 'DW_restored'],
          ['filename', stripes[0]!],
          ['filename', stripes[1]!],
          ['encryptionkey', 'wrong'],
          ['with', 'NORECOVERY'],
        ]),
      ),
    ).toEqual([60605]);
    expect(await failure(restore('Y:\\SQL_BACKUPS\\DW\\DW_Q1.bak', ['NORECOVERY']))).toEqual([3118, 3013]);
    expect((await restore(stripes, ['NORECOVERY', ...moves], [['read_write_filegroups', 1]])).rc).toBe(0);
    expect((await restore('Y:\\SQL_BACKUPS\\DW\\DW_Q1.bak', ['RECOVERY'])).rc).toBe(0);
    expect(await failure(restore('Y:\\SQL_BACKUPS\\DW\\DW_Q1.bak', ['RECOVERY']))).toEqual([3117, 3013]);
    expect(
      (await restore('Y:\\SQL_BACKUPS\\DW\\DW_FG2019.bak', ['RECOVERY'], [['filegroup', 'FG_2019']])).rc,
    ).toBe(0);
    const states = await pool
      .request()
      .input('database', sql.NVarChar(128), 'DW_restored')
      .query(q.masterFilesQuery.sql);
    expect(
      states.recordset.map((r: { logical_name: string; state_desc: string }) => [
        r.logical_name,
        r.state_desc,
      ]),
    ).toEqual([
      ['DW', 'ONLINE'],
      ['DW_log', 'ONLINE'],
      ['DW_FG2019', 'ONLINE'],
      ['DW_FG2020', 'RECOVERY_PENDING'],
      ['DW_FG2021', 'RECOVERY_PENDING'],
      ['DW_CURRENT', 'ONLINE'],
    ]);
    const native = await failure(
      pool.request().batch("RESTORE HEADERONLY FROM DISK = N'Y:\\SQL_BACKUPS\\DW\\DW_Q1.bak'"),
    );
    expect(native).toEqual([3241, 3013]);
  });

  it('refuses statements outside the subset with a clear error', async () => {
    const err = await pool
      .request()
      .query('SELECT name FROM sys.tables')
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(err?.message).toBe(
      'Statement not supported by the SQL Server simulator: SELECT name FROM sys.tables',
    );
  });

  it('injects engine faults (n-th call fails, disk full) and connection faults (dropped connection)', async () => {
    server.faults.engine.failCall(
      { operation: 'xp_backup_database', nth: 1 },
      { number: 60601, message: 'LiteSpeed: Could not read the drive.' },
    );
    expect(
      await failure(
        liteSpeed('xp_backup_database', [
          ['database', 'DW'],
          ['filename', 'Y:\\f\\1.bak'],
          ['read_write_filegroups', 1],
        ]),
      ),
    ).toEqual([60601]);
    server.faults.engine.diskFull({ operation: 'xp_backup_database', nth: 1 });
    expect(
      await failure(
        liteSpeed('xp_backup_database', [
          ['database', 'DW'],
          ['filename', 'Y:\\f\\2.bak'],
          ['read_write_filegroups', 1],
        ]),
      ),
    ).toEqual([60607]);
    await expect(stat(server.sim.hostPath('Y:\\f\\2.bak'))).rejects.toThrow();
    expect(
      (
        await liteSpeed('xp_backup_database', [
          ['database', 'DW'],
          ['filename', 'Y:\\f\\3.bak'],
          ['read_write_filegroups', 1],
        ])
      ).rc,
    ).toBe(0);
    server.faults.engine.failVerify({ operation: 'xp_restore_verifyonly', nth: 1 });
    expect(await failure(liteSpeed('xp_restore_verifyonly', [['filename', 'Y:\\f\\3.bak']]))).toEqual([
      60606,
    ]);
    server.faults.engine.slow({ operation: 'xp_backup_database', nth: 1 }, 300);
    const started = Date.now();
    expect(
      (
        await liteSpeed('xp_backup_database', [
          ['database', 'DW'],
          ['filename', 'Y:\\f\\4.bak'],
          ['read_write_filegroups', 1],
        ])
      ).rc,
    ).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);

    const own = new sql.ConnectionPool({
      ...server.connectionConfig(),
      connectionTimeout: 5000,
      requestTimeout: 15000,
      pool: { max: 1, min: 0 },
    });
    await own.connect();
    try {
      server.faults.connection.dropConnectionOnCall({ sqlContains: 'xp_backup_log', nth: 1 });
      const dropped = await own
        .request()
        .query("EXEC master.dbo.xp_backup_log @database = N'DW', @filename = N'Y:\\f\\l.trn'")
        .then(
          () => undefined,
          (e: unknown) => e as Error & { code?: string },
        );
      expect(dropped).toBeInstanceOf(Error);
    } finally {
      await own.close().catch(() => undefined);
      server.faults.reset();
    }
  });
});
