import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../../src/core/clock.ts';
import { Secret } from '../../../../src/core/secret.ts';
// eslint-disable-next-line no-restricted-imports -- tests run restores against the SQL Server simulator
import { startSqlServerSim, type SqlServerSim } from '../../../../sim/sqlserver/index.ts';
import type { RecoveryModel } from '../../restore/history-schema.ts';
import { nstr } from '../../tsql.ts';
import { SqlServerSession, type SqlServerTarget } from '../sql-server-session.ts';

/** Test support: the SQL Server simulator on a loopback port, reached through mssql like a real server. */

export const PASSWORD_ENV = 'HF_TEST_SQL_PASSWORD';

export interface SimServer {
  sim: SqlServerSim;
  dataDir: string;
  session: SqlServerSession;
  target: SqlServerTarget;
  /** `127.0.0.1:PORT` for --server. */
  address: string;
  /** CLI flags that reach this server (the password through PASSWORD_ENV). */
  flags: string[];
  /** Environment for the CLI (holds the password under PASSWORD_ENV). */
  env: Record<string, string>;
  /** Runs T-SQL as sa through mssql; returns `SELECT @rc AS rc` when the batch ends with it. */
  exec(sql: string): Promise<{ rc: number | null; infos: string[] }>;
  /** `EXEC master.dbo.<proc> ...` through mssql; throws on any error or a non-zero return code. */
  xp(proc: string, params: XpParams): Promise<void>;
  close(): Promise<void>;
}

export type XpParams = Record<string, string | number | Array<string | number>>;

/** `DECLARE @rc int; EXEC @rc = master.dbo.proc @a = ..., ...; SELECT @rc AS rc;` (arrays repeat a parameter). */
export function xpCall(proc: string, params: XpParams): string {
  const args: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value])
      args.push(`@${name} = ${typeof v === 'number' ? String(v) : nstr(v)}`);
  }
  return `DECLARE @rc int; EXEC @rc = master.dbo.${proc} ${args.join(', ')}; SELECT @rc AS rc;`;
}

export async function startSimServer(options: { start?: string; dataDir?: string } = {}): Promise<SimServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'hf-restore-run-')));
  const sim = await startSqlServerSim({
    dataDir,
    scenario: 'empty',
    clock: new ManualClock(options.start ?? '2026-03-01T00:00:00Z'),
  });
  const password = new Secret(sim.password, `env:${PASSWORD_ENV}`);
  const target: SqlServerTarget = {
    label: `${sim.host}:${sim.port}`,
    timeZone: 'UTC',
    secrets: [password],
    connection: {
      host: sim.host,
      port: sim.port,
      database: 'master',
      auth: { type: 'sql', user: sim.user, password },
      encrypt: true,
      trustServerCertificate: true,
      connectTimeoutMs: 15_000,
      queryTimeoutMs: 60_000,
      maxConnections: 2,
    },
  };
  const session = new SqlServerSession(target);
  const address = `${sim.host}:${sim.port}`;
  const exec = async (sql: string) => {
    const request = (await session.pool()).request();
    const infos: string[] = [];
    request.on('info', (m: { message: string }) => infos.push(m.message));
    const result = await request.query(sql);
    const sets = (result.recordsets ?? []) as unknown as Array<Array<Record<string, unknown>>>;
    const rc = sets.at(-1)?.[0]?.rc;
    return { rc: typeof rc === 'number' ? rc : null, infos };
  };
  return {
    sim,
    dataDir,
    session,
    target,
    address,
    flags: [
      '--server',
      address,
      '--user',
      sim.user,
      '--password-ref',
      `env:${PASSWORD_ENV}`,
      '--trust-server-certificate',
    ],
    env: { [PASSWORD_ENV]: sim.password },
    exec,
    async xp(proc, params) {
      const text = xpCall(proc, params);
      let r: { rc: number | null };
      try {
        r = await exec(text);
      } catch (err) {
        const e = err as {
          number?: number;
          message: string;
          precedingErrors?: Array<{ number?: number; message: string }>;
        };
        const all = [...(e.precedingErrors ?? []), e].map((x) => `Msg ${x.number}: ${x.message}`);
        throw new Error(`${all.join(' | ')}\n${text}`, { cause: err });
      }
      if (r.rc !== 0) throw new Error(`${proc} returned ${r.rc}\n${text}`);
    },
    async close() {
      await session.close();
      await sim.close();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The reference's piecemeal database: PRIMARY, A, B, C (B optionally read-only), with a log file.
 * Files live under D:\data and L:\log on the simulated server.
 */
export function createPiecemealDatabase(
  s: SimServer,
  name: string,
  model: RecoveryModel,
  bReadOnly: boolean,
): void {
  const file = (fg: string, size: string) => ({
    logicalName: `${name}_${fg}`,
    physicalName: `D:\\data\\${name}_${fg}.ndf`,
    size,
  });
  s.sim.sim.createDatabase({
    name,
    recoveryModel: model,
    filegroups: [
      { name: 'PRIMARY', files: [{ logicalName: name, physicalName: `D:\\data\\${name}.mdf`, size: '1GB' }] },
      { name: 'A', files: [file('A', '4GB')] },
      { name: 'B', readOnly: bReadOnly, files: [file('B', '8GB')] },
      { name: 'C', files: [file('C', '4GB')] },
    ],
    log: { logicalName: `${name}_log`, physicalName: `L:\\log\\${name}_log.ldf`, size: '1GB' },
  });
}
