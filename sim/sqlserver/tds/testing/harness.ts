import sql from 'mssql';
import { startTdsServer, type TdsServer } from '../../server.ts';
import type { SqlEngine } from '../../engine-api.ts';
import { EchoEngine } from './echo-engine.ts';

export interface Harness<E extends SqlEngine = EchoEngine> {
  engine: E;
  server: TdsServer;
  /** mssql config for this server; `overrides` are merged in (options deep-merged). */
  config(overrides?: Partial<sql.config>): sql.config;
  /** A connected pool (closed by {@link stop}). */
  pool(overrides?: Partial<sql.config>): Promise<sql.ConnectionPool>;
  stop(): Promise<void>;
}

/** Starts the TDS server on a free loopback port with an {@link EchoEngine} (or the given engine). */
export async function startHarness<E extends SqlEngine = EchoEngine>(engine?: E): Promise<Harness<E>> {
  const eng = (engine ?? new EchoEngine()) as E;
  const server = await startTdsServer({ engine: eng });
  const pools: sql.ConnectionPool[] = [];
  const config = (overrides: Partial<sql.config> = {}): sql.config => ({
    server: server.host,
    port: server.port,
    user: 'sa',
    password: 'Str0ng!Passw0rd',
    connectionTimeout: 5000,
    requestTimeout: 10000,
    pool: { max: 1, min: 0 },
    ...overrides,
    options: { encrypt: true, trustServerCertificate: true, ...overrides.options },
  });
  return {
    engine: eng,
    server,
    config,
    async pool(overrides) {
      const pool = new sql.ConnectionPool(config(overrides));
      pools.push(pool);
      await pool.connect();
      return pool;
    },
    async stop() {
      await Promise.allSettled(pools.map((p) => p.close()));
      await server.close();
    },
  };
}

export { sql };
