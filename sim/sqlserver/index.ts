import type { Clock } from '../../src/core/clock.ts';
import type { Logger } from '../../src/core/logger.ts';
import { createSimEngine } from './engine/create-sim-engine.ts';
import type { EngineFaults } from './engine/engine-faults.ts';
import type { Scenario } from './engine/scenario.ts';
import type { ServerModel } from './engine/server-model.ts';
import type { SimulationApi } from './engine/simulation-api.ts';
import type { SimSqlEngine } from './engine/sql-engine.ts';
import { FaultController, startTdsServer } from './server.ts';

export { createSimEngine } from './engine/create-sim-engine.ts';
export type { SimEngine, SimEngineOptions } from './engine/create-sim-engine.ts';
export type { Scenario } from './engine/scenario.ts';
export type { DatabaseView, RunResult, SimulationApi } from './engine/simulation-api.ts';
export type { EngineFaults, OperationMatch, InjectedError } from './engine/engine-faults.ts';
export { LiteSpeedError } from './engine/litespeed-errors.ts';
export { UNSUPPORTED_STATEMENT } from './engine/batch-interpreter.ts';

export interface SqlServerSimOptions {
  /** Host folder for backup files; Windows paths (`Y:\SQL_BACKUPS\...`) are mapped under it. */
  dataDir: string;
  /** Listen address; default 127.0.0.1. */
  host?: string;
  /** TCP port; default 0 (a free port). */
  port?: number;
  /** SQL login; default from the scenario, else `sa`. */
  user?: string;
  /** Its password; default from the scenario, else `Holdfast!Sim1`. */
  password?: string;
  /** Bundled scenario name (`default`, `empty`, `dw-history`, `sales-full`), YAML path, or object. Default `default`. */
  scenario?: string | Scenario;
  /** Base clock (a ManualClock in tests); default: the scenario's startTime as a ManualClock, else the system clock. */
  clock?: Clock;
  logger?: Logger;
}

/** Both kinds of faults: the database's (engine) and the connection's (protocol layer). */
export interface SqlServerSimFaults {
  /** Failing calls with a chosen error, disk full during a backup, corrupted files, slow calls. */
  engine: EngineFaults;
  /** Dropped connections, calls answered with an error before the engine, response delays. */
  connection: FaultController;
  /** Clears every fault of both kinds. */
  reset(): void;
}

export interface SqlServerSim {
  host: string;
  port: number;
  user: string;
  password: string;
  /** The SqlEngine behind the TDS endpoint. */
  engine: SimSqlEngine;
  /** The server model (databases, msdb, paths), for assertions. */
  server: ServerModel;
  /** The simulation API: writes, read-only flips, recovery models, clock, drives, T-SQL as sa. */
  sim: SimulationApi;
  faults: SqlServerSimFaults;
  /** mssql config fragment for this server (TLS with the simulator's self-signed certificate). */
  connectionConfig(database?: string): {
    server: string;
    port: number;
    user: string;
    password: string;
    database?: string;
    options: { encrypt: true; trustServerCertificate: true };
  };
  close(): Promise<void>;
}

/**
 * Starts the SQL Server simulator: the engine with its scenario behind a TDS endpoint that the
 * unmodified mssql client reaches with `{ encrypt: true, trustServerCertificate: true }`.
 */
export async function startSqlServerSim(options: SqlServerSimOptions): Promise<SqlServerSim> {
  const { engine, server, sim } = await createSimEngine({
    dataDir: options.dataDir,
    ...(options.scenario !== undefined ? { scenario: options.scenario } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.user ? { user: options.user } : {}),
    ...(options.password ? { password: options.password } : {}),
  });
  const connection = new FaultController();
  const tds = await startTdsServer({
    engine,
    faults: connection,
    ...(options.host ? { host: options.host } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const { user, password } = server.options.login;
  return {
    host: tds.host,
    port: tds.port,
    user,
    password,
    engine,
    server,
    sim,
    faults: {
      engine: server.faults,
      connection,
      reset() {
        server.faults.reset();
        connection.reset();
      },
    },
    connectionConfig(database) {
      return {
        server: tds.host,
        port: tds.port,
        user,
        password,
        ...(database ? { database } : {}),
        options: { encrypt: true, trustServerCertificate: true },
      };
    },
    close: () => tds.close(),
  };
}
