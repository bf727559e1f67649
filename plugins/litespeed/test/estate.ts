import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Artifact, Catalog } from '../../../src/catalog/contract.ts';
import { openCatalog } from '../../../src/catalog/sqlite-catalog.ts';
import { loadConfig } from '../../../src/config/load-config.ts';
import type { LoadedManifest } from '../../../src/config/load-manifests.ts';
import { createSecretResolver } from '../../../src/config/secret-resolver.ts';
import { ManualClock } from '../../../src/core/clock.ts';
import { createLogger } from '../../../src/core/logger.ts';
import type { Plan } from '../../../src/core/plan.ts';
import type { RunResult } from '../../../src/core/result.ts';
import { createPlan } from '../../../src/engine/planner.ts';
import { runJobs } from '../../../src/engine/run-jobs.ts';
import type { EngineServices } from '../../../src/engine/services.ts';
import type { EngineEventBus } from '../../../src/engine/events.ts';
import { createRegistry } from '../../../src/plugin/builtin-plugins.ts';
import type { PluginRegistry } from '../../../src/plugin/registry.ts';
// eslint-disable-next-line no-restricted-imports -- tests drive the plugin against the SQL Server simulator
import { startSqlServerSim, type SqlServerSim } from '../../../sim/sqlserver/index.ts';

export const DW_KEY = 'IMMAENCRYPTCHYU-test-key';

/**
 * One simulated SQL Server (over TLS) with the default DW estate, a job directory, an in-memory catalog and
 * an injected clock shared by the server and holdfast; runs jobs through the real planner and executor.
 */
export interface Estate {
  sim: SqlServerSim;
  clock: ManualClock;
  catalog: Catalog;
  env: NodeJS.ProcessEnv;
  dir: string;
  /** Writes a LiteSpeedBackup job (spec lines below `spec:`; server lines are added) and returns its path. */
  writeJob(name: string, specLines: string): string;
  plan(file: string, options?: { forceType?: string }): Promise<Plan>;
  run(
    file: string,
    options?: { forceType?: string; events?: EngineEventBus },
  ): Promise<{ plan: Plan; result: RunResult }>;
  /** The catalog's LiteSpeed artifacts in msdb order (backup_set_id). */
  artifacts(): Artifact[];
  /** Every JSON log line holdfast wrote (level debug). */
  logs: string[];
  /** msdb backupset rows of a database, oldest first, as `type` letters. */
  msdbTypes(database?: string): string[];
  close(): Promise<void>;
}

export async function startEstate(options: { start?: string; scenario?: string } = {}): Promise<Estate> {
  const dir = mkdtempSync(path.join(tmpdir(), 'holdfast-litespeed-'));
  const clock = new ManualClock(options.start ?? '2026-03-01T01:00:00Z');
  const sim = await startSqlServerSim({
    dataDir: path.join(dir, 'server'),
    clock,
    scenario: options.scenario ?? 'default',
  });
  // The DBA's backup share exists on the server (a real Y: drive would).
  await sim.sim.runChecked("EXEC master.dbo.xp_create_subdir N'Y:\\SQL_BACKUPS'");
  const catalog = openCatalog(':memory:');
  const env: NodeJS.ProcessEnv = {
    SQL_HOST: sim.host,
    SQL_PORT: String(sim.port),
    SQL_PASSWORD: sim.password,
    DW_BACKUP_KEY: DW_KEY,
  };
  const registries: PluginRegistry[] = [];
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => logs.push(line) } });

  async function load(file: string): Promise<{ manifests: LoadedManifest[]; registry: PluginRegistry }> {
    const registry = createRegistry();
    registries.push(registry);
    const config = await loadConfig([file], registry, env);
    if (config.problems.length > 0)
      throw new Error(
        `job file problems:\n${config.problems.map((p) => `${p.path}: ${p.message}`).join('\n')}`,
      );
    return { manifests: config.manifests, registry };
  }
  const services = (): EngineServices => ({
    clock,
    logger,
    resolveSecret: createSecretResolver({ env }),
    storage: () => {
      throw new Error('no storage in these tests');
    },
    catalog,
    signal: new AbortController().signal,
  });

  return {
    sim,
    clock,
    catalog,
    env,
    dir,
    logs,
    writeJob(name, specLines) {
      const file = path.join(dir, `${name}.yaml`);
      const lines = specLines
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => `  ${l.trim()}`);
      const server = lines.some((l) => l.startsWith('  server:'))
        ? []
        : [
            '  server: { host: { secretRef: env:SQL_HOST }, port: { secretRef: env:SQL_PORT }, trustServerCertificate: true, auth: { type: sql, user: sa, password: { secretRef: env:SQL_PASSWORD } } }',
          ];
      writeFileSync(
        file,
        [
          'apiVersion: holdfast/v1',
          'kind: LiteSpeedBackup',
          `metadata: { name: ${name} }`,
          'spec:',
          ...server,
          ...lines,
          '',
        ].join('\n'),
      );
      return file;
    },
    async plan(file, opts = {}) {
      const { manifests, registry } = await load(file);
      return createPlan({
        command: 'plan',
        manifests,
        jobs: manifests.filter((m) => registry.isJobKind(m.kind)),
        registry,
        services: services(),
        options: { dryRun: true, ...(opts.forceType ? { forceType: opts.forceType } : {}) },
      });
    },
    async run(file, opts = {}) {
      const { manifests, registry } = await load(file);
      const jobs = manifests.filter((m) => registry.isJobKind(m.kind));
      return runJobs({
        command: 'run',
        manifests,
        jobs,
        registry,
        services: services(),
        options: { dryRun: false, ...(opts.forceType ? { forceType: opts.forceType } : {}) },
        ...(opts.events ? { events: opts.events } : {}),
      });
    },
    artifacts: () =>
      catalog
        .listArtifacts({ plugin: 'litespeed' })
        .sort((a, b) => Number(a.metadata.backupSetId) - Number(b.metadata.backupSetId)),
    msdbTypes: (database = 'DW') =>
      sim.server.msdb.backupset.filter((b) => b.database_name === database).map((b) => b.type),
    async close() {
      for (const r of registries) await r.dispose();
      catalog.close();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The source documents' job: DW, partial strategy, weekly partial, daily differential, compression 4, AES-256, checksum, verify. */
export const DW_PARTIAL_SPEC = `
databases: [DW]
readWriteFileGroups: true
schedule: { full: "0 1 * * 0", differential: "0 1 * * 1-6", timezone: UTC }
directory: Y:\\SQL_BACKUPS
compressionLevel: 4
encryption: { level: 8, key: { secretRef: env:DW_BACKUP_KEY } }
checksum: true
verify: true`;

/** Step ids and statuses of a run, short: `backup-partial ok`. */
export function outcome(result: RunResult): string[] {
  return result.steps.map(
    (s) =>
      `${s.action}${s.stepId.includes('/FG_') ? `:${s.stepId.slice(s.stepId.lastIndexOf('/') + 1)}` : ''} ${s.status}`,
  );
}
