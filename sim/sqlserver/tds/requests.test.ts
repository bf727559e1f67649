import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from 'tedious';
import { startHarness, sql, type Harness } from './testing/harness.ts';

let h: Harness;
let pool: sql.ConnectionPool;
beforeAll(async () => {
  h = await startHarness();
  pool = await h.pool();
});
afterAll(async () => {
  await h.stop();
});

describe('RPC: request.execute', () => {
  it('calls a procedure by name with named input and OUTPUT parameters and gets its return status', async () => {
    const result = await pool
      .request()
      .input('count', sql.Int, 21)
      .input('label', sql.NVarChar(30), 'full backup')
      .output('doubled', sql.Int)
      .output('lsn', sql.Numeric(25, 0))
      .output('note', sql.NVarChar(sql.MAX), 'n'.repeat(10_000))
      .execute('master.dbo.echo_proc');
    expect(h.engine.calls.at(-1)).toBe('rpc:master.dbo.echo_proc');
    expect(result.returnValue).toBe(7);
    expect(result.output).toEqual({
      doubled: 42,
      lsn: Number('12345678901234567890123'),
      note: 'n'.repeat(10_000),
    });
    expect((result.recordsets as sql.IRecordSet<unknown>[])[0]).toEqual([
      { count: 21, label: 'full backup' },
    ]);
  });

  it('returns status 0 for a procedure that only returns', async () => {
    const result = await pool.request().execute('dbo.noop');
    expect(result.returnValue).toBe(0);
    expect(result.recordsets).toEqual([]);
  });

  it("raises the procedure's error as a RequestError with number, state, class, procName and line", async () => {
    const err = await pool
      .request()
      .execute('dbo.fail_proc')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(sql.RequestError);
    expect(err).toMatchObject({
      number: 50001,
      state: 2,
      class: 16,
      lineNumber: 12,
      procName: 'fail_proc',
      serverName: 'TDSTEST',
      message: 'The procedure failed on purpose.',
    });
  });

  it('reports an unknown procedure as error 2812', async () => {
    await expect(pool.request().execute('dbo.missing')).rejects.toMatchObject({ number: 2812 });
  });

  it('emits INFO messages on request.on("info") next to the result', async () => {
    const infos: Array<{ number: number; message: string; class: number; procName: string }> = [];
    const request = pool.request();
    request.on('info', (m) => infos.push(m));
    const result = await request.execute('dbo.info_proc');
    expect(result.recordset).toEqual([{ ok: true }]);
    expect(infos).toEqual([
      expect.objectContaining({
        number: 50100,
        message: 'Processed 10 pages.',
        class: 10,
        procName: 'info_proc',
        lineNumber: 3,
      }),
      expect.objectContaining({ number: 0, message: 'All done.', class: 0 }),
    ]);
  });
});

describe('SQL batches and sp_executesql', () => {
  it('returns several result sets and rows affected', async () => {
    for (const run of [
      () => pool.request().batch('SELECT MULTI'),
      () => pool.request().query('SELECT MULTI'),
    ]) {
      const result = await run();
      expect(result.recordsets).toEqual([[{ n: 1 }], [{ n: 2 }, { n: 3 }], [{ s: 'three' }]]);
      expect(result.rowsAffected).toEqual([1, 2, 5, 1]);
    }
  });

  it('counts rows affected by a statement without a result set', async () => {
    const result = await pool.request().batch('UPDATE t SET x = 1');
    expect(result.rowsAffected).toEqual([3]);
    expect(result.recordsets).toEqual([]);
  });

  it('PRINT arrives as info, RAISERROR severity 16 as a RequestError, severity 10 as info', async () => {
    const infos: Array<{ number: number; message: string }> = [];
    const request = pool.request();
    request.on('info', (m) => infos.push(m));
    await request.batch("PRINT 'hello from the batch'");
    expect(infos).toEqual([expect.objectContaining({ number: 0, message: 'hello from the batch' })]);
    await expect(pool.request().batch("RAISERROR('broken', 16, 3)")).rejects.toMatchObject({
      number: 50000,
      class: 16,
      state: 3,
      message: 'broken',
    });
    const infos2: Array<{ number: number; message: string }> = [];
    const r2 = pool.request();
    r2.on('info', (m) => infos2.push(m));
    await r2.batch("RAISERROR('just a note', 10, 1)");
    expect(infos2).toEqual([expect.objectContaining({ number: 50000, message: 'just a note' })]);
  });

  it('USE changes the session database: ENVCHANGE reaches the client and later calls run there', async () => {
    const changes: string[] = [];
    const own = await h.pool({
      beforeConnect: (c) =>
        (c as unknown as Connection).on('databaseChange', (db: string) => changes.push(db)),
    });
    await own.request().query('SELECT DB_NAME()');
    changes.length = 0; // the login's own database ENVCHANGE
    const infos: string[] = [];
    const request = own.request();
    request.on('info', (m: { message: string }) => infos.push(m.message));
    await request.batch('USE msdb');
    expect(changes).toEqual(['msdb']);
    expect(infos).toEqual(["Changed database context to 'msdb'."]);
    expect((await own.request().query('SELECT DB_NAME()')).recordset).toEqual([{ db: 'msdb' }]);
    await expect(own.request().batch('USE nowhere')).rejects.toMatchObject({ number: 911 });
    expect(changes).toEqual(['msdb']);
    await own.close();
  });

  it('a syntax error from the engine fails the request and leaves the connection usable', async () => {
    await expect(pool.request().batch('SELEKT 1')).rejects.toMatchObject({ number: 102 });
    expect((await pool.request().query('SELECT DB_NAME()')).recordset).toEqual([{ db: 'master' }]);
  });

  it('a parameter type the simulator does not know is refused with error 8009, connection kept', async () => {
    const err = await pool
      .request()
      .input('x', sql.Money, 12.5)
      .query('ECHO')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ number: 8009 });
    expect((err as Error).message).toMatch(/parameter 3 \(@x\): data type 0x6E is not supported/);
    expect((await pool.request().query('SELECT DB_NAME()')).recordset).toEqual([{ db: 'master' }]);
  });

  it('an engine that throws yields error 50000 and the connection stays usable', async () => {
    const engine = h.engine;
    const original = engine.executeRpc.bind(engine);
    engine.executeRpc = async () => {
      throw new Error('engine exploded');
    };
    try {
      await expect(pool.request().execute('dbo.noop')).rejects.toMatchObject({
        number: 50000,
        message: 'Simulator engine failure: engine exploded',
      });
    } finally {
      engine.executeRpc = original;
    }
    expect((await pool.request().execute('dbo.noop')).returnValue).toBe(0);
  });
});
