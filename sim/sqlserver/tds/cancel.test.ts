import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, sql, type Harness } from './testing/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

describe('ATTENTION (cancel)', () => {
  it('request.cancel() aborts the engine call, the request fails with ECANCEL and the connection stays usable', async () => {
    const pool = await h.pool();
    for (const run of [
      (r: sql.Request) => r.execute('dbo.wait_proc'),
      (r: sql.Request) => r.batch('WAITFOR DELAY'),
    ]) {
      const abortedBefore = h.engine.aborted;
      const request = pool.request();
      const pending = run(request).catch((e: unknown) => e);
      await waitFor(
        () => h.engine.calls.some((c) => /wait_proc|WAITFOR/.test(c)) && h.engine.calls.length > 0,
      );
      await new Promise((r) => setTimeout(r, 50));
      request.cancel();
      const err = await pending;
      expect(err).toBeInstanceOf(sql.RequestError);
      expect((err as sql.RequestError).code).toBe('ECANCEL');
      expect(h.engine.aborted).toBe(abortedBefore + 1);
      expect((await pool.request().query('SELECT DB_NAME()')).recordset).toEqual([{ db: 'master' }]);
      h.engine.calls.length = 0;
    }
    expect(h.server.connections).toBe(1);
    await pool.close();
  });

  it('a request timeout sends ATTENTION too: ETIMEOUT, then the next request works on the same connection', async () => {
    const pool = await h.pool({ requestTimeout: 300 });
    const started = Date.now();
    const err = await pool
      .request()
      .execute('dbo.wait_proc')
      .catch((e: unknown) => e);
    expect((err as sql.RequestError).code).toBe('ETIMEOUT');
    expect(Date.now() - started).toBeLessThan(3000);
    const result = await pool.request().execute('dbo.noop');
    expect(result.returnValue).toBe(0);
    expect(h.server.connections).toBe(1);
    await pool.close();
  });

  it('an ATTENTION that arrives after the response was sent is still acknowledged', async () => {
    const pool = await h.pool();
    const request = pool.request();
    const result = await request.execute('dbo.noop');
    request.cancel(); // nothing in flight any more: no attention is sent, nothing breaks
    expect(result.returnValue).toBe(0);
    expect((await pool.request().execute('dbo.noop')).returnValue).toBe(0);
    await pool.close();
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
