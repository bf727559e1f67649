import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection, type ConnectionConfiguration } from 'tedious';
import { startHarness, sql, type Harness } from './testing/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

interface ServerMessage {
  number: number;
  state: number;
  class: number;
  message: string;
  serverName: string;
  lineNumber: number;
}

describe('PRELOGIN + TLS + LOGIN7 through mssql', () => {
  it('logs in over TLS and lands in master', async () => {
    const pool = await h.pool();
    const result = await pool.request().query('SELECT DB_NAME()');
    expect(result.recordset).toEqual([{ db: 'master' }]);
    await pool.close();
  });

  it('starts in the database named at login and reports the collation and server version', async () => {
    let tediousConnection: Connection | undefined;
    const pool = await h.pool({
      database: 'appdb',
      beforeConnect: (c) => (tediousConnection = c as unknown as Connection),
    });
    const result = await pool.request().query('SELECT DB_NAME()');
    expect(result.recordset).toEqual([{ db: 'appdb' }]);
    const collation = (
      tediousConnection as unknown as {
        databaseCollation: { lcid: number; sortId: number; codepage: string };
      }
    ).databaseCollation;
    expect(collation).toMatchObject({ lcid: 0x0409, sortId: 52, codepage: 'CP1252' });
    await pool.close();
  });

  it('refuses a wrong password with error 18456, severity 14, as a ConnectionError', async () => {
    const messages: ServerMessage[] = [];
    const pool = new sql.ConnectionPool(
      h.config({
        password: 'wrong',
        beforeConnect: (c) =>
          (c as unknown as Connection).on('errorMessage', (m: ServerMessage) => messages.push(m)),
      }),
    );
    const err = await pool.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(sql.ConnectionError);
    expect((err as sql.ConnectionError).code).toBe('ELOGIN');
    expect((err as Error).message).toBe("Login failed for user 'sa'.");
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      number: 18456,
      class: 14,
      state: 1,
      serverName: 'TDSTEST',
      lineNumber: 1,
    });
  });

  it("refuses an unknown database with the engine's error 4060", async () => {
    const messages: ServerMessage[] = [];
    const pool = new sql.ConnectionPool(
      h.config({
        database: 'nope',
        options: { connectionRetryInterval: 50 } as sql.config['options'],
        beforeConnect: (c) =>
          (c as unknown as Connection).on('errorMessage', (m: ServerMessage) => messages.push(m)),
      }),
    );
    await expect(pool.connect()).rejects.toThrow(/Cannot open database "nope"/);
    // tedious treats 4060 as transient and retries the login (3 retries by default), as against SQL Server.
    expect(messages.length).toBeGreaterThanOrEqual(1);
    expect(new Set(messages.map((m) => m.number))).toEqual(new Set([4060]));
  });

  it('serves a client that does not ask for encryption (ENCRYPT_NOT_SUP) without TLS', async () => {
    const pool = await h.pool({ options: { encrypt: false } });
    const result = await pool.request().query('SELECT DB_NAME()');
    expect(result.recordset).toEqual([{ db: 'master' }]);
    await pool.close();
  });

  it('negotiates the client packet size and splits large responses at it', async () => {
    for (const packetSize of [512, 32767]) {
      const pool = await h.pool({ options: { packetSize } });
      const text = 'y'.repeat(20_000);
      const result = await pool.request().input('s', sql.NVarChar(sql.MAX), text).query('ECHO');
      expect((result.recordsets as sql.IRecordSet<unknown>[])[0]![0]).toEqual({ s: text });
      await pool.close();
    }
  });

  it('plain tedious: LOGINACK carries TDS 7.4, "Microsoft SQL Server" and the engine version; INFO 5701/5703 arrive', async () => {
    const infos: ServerMessage[] = [];
    const debug: string[] = [];
    const config: ConnectionConfiguration = {
      server: h.server.host,
      authentication: { type: 'default', options: { userName: 'sa', password: 'Str0ng!Passw0rd' } },
      options: {
        port: h.server.port,
        encrypt: true,
        trustServerCertificate: true,
        debug: { token: true, data: false, packet: false, payload: false },
      },
    };
    const connection = new Connection(config);
    connection.on('infoMessage', (m: ServerMessage) => infos.push(m));
    connection.on('debug', (text: string) => debug.push(stripVTControlCharacters(text)));
    await new Promise<void>((resolve, reject) => {
      connection.connect((err) => (err ? reject(err) : resolve()));
    });
    const ack = debug.find((d) => d.startsWith('LoginAckToken'));
    expect(ack).toBeDefined();
    expect(ack).toContain("tdsVersion: '7_4'");
    expect(ack).toContain("progName: 'Microsoft SQL Server'");
    // 16.0.4135: build 4135 = 0x1027 -> high byte 16, low byte 39
    expect(ack!.replace(/\s+/g, ' ')).toContain(
      'progVersion: { major: 16, minor: 0, buildNumHi: 16, buildNumLow: 39 }',
    );
    expect(infos.map((m) => m.number)).toEqual([5701, 5703]);
    expect(infos[0]!.message).toBe("Changed database context to 'master'.");
    await new Promise<void>((resolve) => {
      connection.on('end', () => resolve());
      connection.close();
    });
  });

  it('releases the engine session when the client disconnects', async () => {
    const pool = await h.pool();
    await pool.request().query('SELECT DB_NAME()');
    expect(h.engine.sessions.size).toBeGreaterThan(0);
    await pool.close();
    await waitFor(() => h.engine.sessions.size === 0 && h.server.connections === 0);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
