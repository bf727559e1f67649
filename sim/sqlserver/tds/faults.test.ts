import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SqlMessage } from '../engine-api.ts';
import { startHarness, sql, type Harness } from './testing/harness.ts';

let h: Harness;
let pool: sql.ConnectionPool;
beforeAll(async () => {
  h = await startHarness();
  pool = await h.pool();
});
afterEach(() => {
  h.server.faults.reset();
});
afterAll(async () => {
  await h.stop();
});

const DISK_ERROR: SqlMessage = {
  number: 3201,
  state: 1,
  severity: 16,
  message: 'Cannot open backup device. Operating system error 5(Access is denied.).',
};

function rpcCalls(name: string): number {
  return h.engine.calls.filter((c) => c === `rpc:${name}`).length;
}

describe('FaultController.failCall', () => {
  it('answers matching calls with the given ERROR instead of calling the engine, until reset', async () => {
    h.server.faults.failCall({ procedure: 'echo_proc' }, DISK_ERROR);
    const before = rpcCalls('master.dbo.echo_proc');
    for (let i = 0; i < 2; i++) {
      const err = await pool
        .request()
        .input('a', sql.Int, 1)
        .execute('master.dbo.echo_proc')
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(sql.RequestError);
      expect(err).toMatchObject({ number: 3201, class: 16, message: DISK_ERROR.message });
    }
    expect(rpcCalls('master.dbo.echo_proc')).toBe(before);
    expect((await pool.request().execute('dbo.noop')).returnValue).toBe(0); // other procedures unaffected
    h.server.faults.reset();
    expect((await pool.request().input('a', sql.Int, 1).execute('master.dbo.echo_proc')).returnValue).toBe(7);
  });

  it("nth counts matching calls from the moment the fault is set, skipping the pool's SELECT 1 probe", async () => {
    await pool.request().query('SELECT DB_NAME()'); // before the fault: not counted
    h.server.faults.failCall({ nth: 2, sqlContains: 'db_name' }, DISK_ERROR);
    await expect(pool.request().query('SELECT DB_NAME()')).resolves.toBeDefined();
    await expect(pool.request().execute('dbo.noop')).resolves.toBeDefined(); // does not match
    await expect(pool.request().query('select db_name()')).rejects.toMatchObject({ number: 3201 });
    await expect(pool.request().query('SELECT DB_NAME()')).resolves.toBeDefined();
  });

  it('once fires on the first match only; a RegExp procedure match works', async () => {
    h.server.faults.failCall({ procedure: /noop$/, once: true }, DISK_ERROR);
    await expect(pool.request().execute('dbo.noop')).rejects.toMatchObject({ number: 3201 });
    await expect(pool.request().execute('dbo.noop')).resolves.toMatchObject({ returnValue: 0 });
  });
});

describe('FaultController.dropConnectionOnCall', () => {
  it('mid-response: the engine runs, the socket closes before the full response, the pool reconnects', async () => {
    h.server.faults.dropConnectionOnCall({ procedure: 'master.dbo.echo_proc', once: true });
    const before = rpcCalls('master.dbo.echo_proc');
    const err = await pool
      .request()
      .input('a', sql.NVarChar(sql.MAX), 'z'.repeat(50_000))
      .execute('master.dbo.echo_proc')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as { code?: string }).code).toMatch(/ESOCKET|ECONNCLOSED|ECONNRESET/);
    expect(rpcCalls('master.dbo.echo_proc')).toBe(before + 1);
    await waitFor(() => h.server.connections === 0);
    expect((await pool.request().execute('dbo.noop')).returnValue).toBe(0);
  });

  it('before-engine: the engine never sees the call', async () => {
    h.server.faults.dropConnectionOnCall({ procedure: 'noop', nth: 1 }, { at: 'before-engine' });
    const before = rpcCalls('dbo.noop');
    const err = await pool
      .request()
      .execute('dbo.noop')
      .catch((e: unknown) => e);
    expect((err as { code?: string }).code).toMatch(/ESOCKET|ECONNCLOSED|ECONNRESET/);
    expect(rpcCalls('dbo.noop')).toBe(before);
    expect((await pool.request().execute('dbo.noop')).returnValue).toBe(0);
  });
});

describe('FaultController.delay', () => {
  it('slows every response until set back to 0', async () => {
    h.server.faults.delay(600);
    const started = Date.now();
    await pool.request().execute('dbo.noop');
    await pool.request().batch('SELECT DB_NAME()');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1200);
    h.server.faults.delay(0);
    const quick = Date.now();
    await pool.request().execute('dbo.noop');
    expect(Date.now() - quick).toBeLessThan(600);
  });

  it('rejects nonsense settings with a clear error', () => {
    expect(() => h.server.faults.delay(-1)).toThrow(/not a non-negative number/);
    expect(() => h.server.faults.failCall({ nth: 0 }, DISK_ERROR)).toThrow(/nth must be an integer >= 1/);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
