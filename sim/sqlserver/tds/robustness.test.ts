import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startTdsServer } from '../server.ts';
import { encodeMessage, PacketType } from './packet-framing.ts';
import { EchoEngine } from './testing/echo-engine.ts';
import { startHarness, sql, type Harness } from './testing/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

/** Opens a raw TCP socket, writes `bytes`, and resolves with what came back once the server closes it. */
function rawExchange(bytes: Buffer[], timeoutMs = 3000): Promise<{ closed: boolean; received: Buffer }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket: Socket = connect(h.server.port, h.server.host, () => {
      for (const b of bytes) socket.write(b);
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ closed: false, received: Buffer.concat(chunks) });
    }, timeoutMs);
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ closed: true, received: Buffer.concat(chunks) });
    });
  });
}

function prelogin(encryption: number): Buffer {
  // VERSION (6 bytes) and ENCRYPTION (1 byte), then the terminator
  const payload = Buffer.from([
    0x00,
    0x00,
    0x0b,
    0x00,
    0x06,
    0x01,
    0x00,
    0x11,
    0x00,
    0x01,
    0xff,
    1,
    2,
    3,
    4,
    0,
    0,
    encryption,
  ]);
  return encodeMessage(PacketType.PRELOGIN, payload, 4096);
}

describe('malformed input closes only the offending connection', () => {
  it('garbage instead of a packet header', async () => {
    const { closed, received } = await rawExchange([Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')]);
    expect(closed).toBe(true);
    expect(received.length).toBe(0);
  });

  it('a packet whose length is shorter than its header', async () => {
    const { closed } = await rawExchange([Buffer.from([0x12, 0x01, 0x00, 0x04, 0, 0, 1, 0])]);
    expect(closed).toBe(true);
  });

  it('a PRELOGIN whose option table points past the payload', async () => {
    const bad = encodeMessage(PacketType.PRELOGIN, Buffer.from([0x00, 0x00, 0x40, 0x00, 0x06, 0xff]), 4096);
    const { closed } = await rawExchange([bad]);
    expect(closed).toBe(true);
  });

  it('an unencrypted session: PRELOGIN answered with NOT_SUP, then a truncated LOGIN7 closes it', async () => {
    const { closed, received } = await rawExchange([
      prelogin(0x02),
      encodeMessage(PacketType.LOGIN7, Buffer.alloc(20), 4096),
    ]);
    expect(closed).toBe(true);
    expect(received[0]).toBe(PacketType.TABULAR_RESULT);
    // ENCRYPTION option of the response says NOT_SUP (0x02)
    const payload = received.subarray(8);
    const encOffset = payload.readUInt16BE(5 + 1);
    expect(payload[encOffset]).toBe(0x02);
  });

  it('a client asking for encryption that then sends garbage instead of a TLS handshake', async () => {
    const { closed } = await rawExchange([
      prelogin(0x01),
      encodeMessage(PacketType.PRELOGIN, Buffer.from('not a tls record at all'), 4096),
    ]);
    expect(closed).toBe(true);
  });

  it('logs why it closed the connection', async () => {
    const lines: Array<{ level: number; reason?: string; msg: string }> = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const server = await startTdsServer({ engine: new EchoEngine(), logger });
    try {
      await new Promise<void>((resolve) => {
        const socket = connect(server.port, server.host, () =>
          socket.write(Buffer.from([0x12, 0x01, 0x00, 0x04, 0, 0, 1, 0])),
        );
        socket.on('error', () => undefined);
        socket.on('close', () => resolve());
      });
      const closedLine = lines.find((l) => l.msg === 'TDS connection closed' && l.level === 40);
      expect(closedLine?.reason).toBe(
        'malformed input: packet header: length 4 is shorter than the 8-byte header (type 0x12)',
      );
    } finally {
      await server.close();
    }
  });

  it('the server keeps serving real clients after all of that', async () => {
    const pool = await h.pool();
    expect((await pool.request().query('SELECT DB_NAME()')).recordset).toEqual([{ db: 'master' }]);
    await pool.close();
  });
});

describe('many connections', () => {
  it('serves 20 parallel connections, each with its own session', async () => {
    const pools = await Promise.all(Array.from({ length: 20 }, () => h.pool()));
    const callsBefore = h.engine.calls.length;
    h.server.faults.delay(2000); // keep all 20 calls in flight at once
    try {
      const pending = Promise.all(
        pools.map(async (pool, i) => {
          const r = await pool
            .request()
            .input('i', sql.Int, i)
            .input('s', sql.NVarChar(sql.MAX), `conn-${i}-`.repeat(1000))
            .query('ECHO');
          return (r.recordsets as sql.IRecordSet<{ i: number; s: string }>[])[0]![0]!;
        }),
      );
      await waitFor(() => h.server.connections === 20 && h.engine.calls.length >= callsBefore + 20, 1900);
      expect(h.server.connections).toBe(20);
      const results = await pending;
      results.forEach((row, i) => expect(row).toEqual({ i, s: `conn-${i}-`.repeat(1000) }));
    } finally {
      h.server.faults.reset();
    }
    await Promise.all(pools.map((p) => p.close()));
  });

  it('close() ends every open socket and releases the sessions', async () => {
    const own = await startHarness();
    const pools = await Promise.all(Array.from({ length: 3 }, () => own.pool()));
    await Promise.all(pools.map((p) => p.request().execute('dbo.noop')));
    expect(own.server.connections).toBe(3);
    const pending = pools[0]!
      .request()
      .execute('dbo.wait_proc')
      .catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    await own.server.close();
    expect(own.server.connections).toBe(0);
    expect(own.engine.sessions.size).toBe(0);
    expect(own.engine.aborted).toBe(1);
    const err = await pending;
    expect((err as { code?: string }).code).toMatch(/ESOCKET|ECONNCLOSED|ECONNRESET/);
    await own.stop();
  });
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
