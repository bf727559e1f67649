import { mkdir } from 'node:fs/promises';
import { ManualClock, systemClock, type Clock } from '../../../src/core/clock.ts';
import { loadScenario, applyScenario, type Scenario } from './scenario.ts';
import { DEFAULT_SERVER_OPTIONS, ServerModel, type ServerOptions } from './server-model.ts';
import { SimClock } from './sim-clock.ts';
import { SimulationApi } from './simulation-api.ts';
import { SimSqlEngine } from './sql-engine.ts';
import { parseSize } from './sim-clock.ts';

export interface SimEngineOptions {
  /** Host folder for backup files (Windows drive paths are mapped under it). */
  dataDir: string;
  /** A bundled scenario name (`default`, `empty`, ...), a YAML path or an object; default `default`. */
  scenario?: string | Scenario;
  /** Base clock; default a ManualClock at the scenario's startTime, else the system clock. */
  clock?: Clock;
  user?: string;
  password?: string;
}

export interface SimEngine {
  engine: SimSqlEngine;
  server: ServerModel;
  sim: SimulationApi;
  clock: SimClock;
}

/** Builds the simulated server (no network): the engine, its model and the simulation API, with the scenario applied. */
export async function createSimEngine(options: SimEngineOptions): Promise<SimEngine> {
  const scenario = await loadScenario(options.scenario ?? 'default');
  const s = scenario.server;
  const base = options.clock ?? (s.startTime ? new ManualClock(s.startTime) : systemClock);
  const clock = new SimClock(base);
  const login = {
    user: options.user ?? s.login?.user ?? DEFAULT_SERVER_OPTIONS.login.user,
    password: options.password ?? s.login?.password ?? DEFAULT_SERVER_OPTIONS.login.password,
  };
  const serverOptions: ServerOptions = {
    ...DEFAULT_SERVER_OPTIONS,
    dataDir: options.dataDir,
    login,
    ...(s.name ? { serverName: s.name.toUpperCase(), machineName: s.name.toUpperCase() } : {}),
    ...(s.edition ? { edition: s.edition } : {}),
    ...(s.engineEdition !== undefined ? { engineEdition: s.engineEdition } : {}),
    ...(s.backupThroughput !== undefined ? { backupBytesPerSecond: parseSize(s.backupThroughput) } : {}),
    ...(s.strictSimpleFileBackups !== undefined
      ? { strictSimpleFileBackups: s.strictSimpleFileBackups }
      : {}),
    ...(s.liteSpeedInstalled !== undefined ? { liteSpeedInstalled: s.liteSpeedInstalled } : {}),
    ...(s.defaultBackupDirectory ? { defaultBackupDirectory: s.defaultBackupDirectory } : {}),
  };
  const server = new ServerModel(serverOptions, clock);
  for (const d of s.offlineDrives ?? []) server.paths.setDriveOffline(d, true);
  await mkdir(server.paths.toHost(serverOptions.defaultBackupDirectory), { recursive: true });
  const sim = new SimulationApi(server);
  await applyScenario(sim, scenario);
  return { engine: new SimSqlEngine(server), server, sim, clock };
}
