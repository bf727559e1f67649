import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Catalog } from '../../src/catalog/contract.ts';
import { openCatalog } from '../../src/catalog/sqlite-catalog.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { createLogger } from '../../src/core/logger.ts';
import { createRegistry } from '../../src/plugin/builtin-plugins.ts';
import type { PluginRegistry } from '../../src/plugin/registry.ts';
import type { LimiterOptions } from '../../src/schedule/concurrency-limiter.ts';
import { SchedulerEventBus, type SchedulerEvents } from '../../src/schedule/scheduler-events.ts';
import type { Scheduler } from '../../src/schedule/scheduler.ts';
import { Service } from '../../src/schedule/service.ts';
import { scheduledFileCopyPlugin, StepGate } from './scheduled-file-copy.ts';

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A FileCopy job manifest (YAML) copying ./data into the `out` storage, with extra spec keys. */
export function jobManifest(name: string, spec: Record<string, unknown>): string {
  return `---\napiVersion: holdfast/v1\nkind: FileCopy\nmetadata: { name: ${name} }\nspec: ${JSON.stringify({ source: './data', storage: 'out', prefix: name, ...spec })}\n`;
}

export const STORAGE = `apiVersion: holdfast/v1\nkind: Storage\nmetadata: { name: out }\nspec: { type: local, path: ./out }\n`;

export interface Harness {
  dir: string;
  jobsFile: string;
  clock: ManualClock;
  gate: StepGate;
  catalog: Catalog;
  registry: PluginRegistry;
  logs: LogLine[];
  service: Service;
  scheduler: Scheduler;
  seen: { [K in keyof SchedulerEvents]: SchedulerEvents[K][0][] };
  /** Moves the clock to each fire time up to `to` in turn, ticking and waiting for the runs each time. */
  advanceTo(to: string | Date): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Manifests after the Storage one. */
  jobs: string;
  start: string;
  files?: string[];
  limits?: LimiterOptions;
  /** Default 1 s here (60 s in the service), so tests choose their start time freely. */
  missedAfterMs?: number;
  /** Runs before the service starts, on the same catalog (history from "before the restart"). */
  before?: (catalog: Catalog, dir: string) => void;
  watch?: boolean;
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hf-sched-'));
  mkdirSync(path.join(dir, 'data'));
  for (const f of options.files ?? ['a.txt']) writeFileSync(path.join(dir, 'data', f), `content of ${f}\n`);
  const jobsFile = path.join(dir, 'jobs.yaml');
  writeFileSync(jobsFile, `${STORAGE}${options.jobs}`);
  const clock = new ManualClock(options.start);
  const gate = new StepGate();
  const registry = createRegistry([scheduledFileCopyPlugin(gate)]);
  const catalog = openCatalog(path.join(dir, 'catalog.db'));
  options.before?.(catalog, dir);
  const logs: LogLine[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: { write: (s: string) => logs.push(JSON.parse(s) as LogLine) },
  });
  const events = new SchedulerEventBus();
  const seen = {
    fire: [],
    skipped: [],
    missed: [],
    'run:start': [],
    'step:end': [],
    'run:end': [],
    stall: [],
  } as unknown as Harness['seen'];
  for (const name of Object.keys(seen) as (keyof SchedulerEvents)[]) {
    (events as unknown as { on(n: string, f: (e: unknown) => void): void }).on(name, (e) =>
      (seen[name] as unknown[]).push(e),
    );
  }
  const service = await Service.start({
    events,
    paths: [jobsFile],
    env: {},
    clock,
    logger,
    registry,
    catalog,
    lockDir: path.join(dir, 'locks'),
    limits: options.limits ?? { global: 4, perKind: { sqlserver: 1, cosmos: 2 } },
    http: false,
    watch: options.watch ?? false,
    watchDebounceMs: 50,
    autoTick: false,
    missedAfterMs: options.missedAfterMs ?? 1000,
    defaultMetrics: false,
  });
  const scheduler = service.scheduler;
  return {
    dir,
    jobsFile,
    clock,
    gate,
    catalog,
    registry,
    logs,
    service,
    scheduler,
    seen,
    async advanceTo(to) {
      const target = new Date(to).getTime();
      for (let next = scheduler.nextDueAt(); next && next.getTime() <= target; next = scheduler.nextDueAt()) {
        if (next > clock.now()) clock.set(next);
        scheduler.tick();
        await scheduler.whenIdle();
      }
      clock.set(new Date(target));
    },
    async close() {
      gate.release();
      await service.stop('test over', { deadlineMs: 2000, abortGraceMs: 500 });
      await scheduler.whenIdle(); // a run abandoned at stop may still be finishing its files
      catalog.close();
      await registry.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
