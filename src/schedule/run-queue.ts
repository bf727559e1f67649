import type { Catalog } from '../catalog/contract.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { LoadedManifest } from '../config/load-manifests.ts';
import type { PluginRegistry } from '../plugin/registry.ts';
import { ConcurrencyLimiter, type LimiterOptions } from './concurrency-limiter.ts';
import { formatDuration } from './duration.ts';
import { ScheduledRun, type RunEnvironment } from './scheduled-run.ts';
import type { RunTrigger, SchedulerEventBus } from './scheduler-events.ts';

export interface RunQueueOptions {
  clock: Clock;
  logger: Logger;
  catalog: Catalog;
  registry: PluginRegistry;
  lockDir: string;
  limits: LimiterOptions;
  stepConcurrency?: number;
  events: SchedulerEventBus;
}

export interface StopSummary {
  /** Runs that finished within the deadline. */
  finished: string[];
  /** Runs cancelled through the abort signal after the deadline. */
  aborted: string[];
  /** Runs that did not stop even after the abort; recorded in the catalog as interrupted. */
  abandoned: string[];
  /** Runs that were waiting for a slot and never started. */
  dropped: string[];
}

/** What a run needs from the configuration it is started under. */
export type RunConfig = Pick<RunEnvironment, 'manifests' | 'resolveSecret' | 'storage'>;

/**
 * The runs the scheduler started: one per job at a time, each waiting for a slot under the global, per-server and
 * per-account limits, then run with the job lock; and the graceful stop of all of them.
 */
export class RunQueue {
  readonly #o: RunQueueOptions;
  readonly #limiter: ConcurrencyLimiter;
  readonly #abort = new AbortController();
  readonly #active = new Map<string, ScheduledRun>();
  readonly #settled = new Set<Promise<void>>();
  #stopping = false;
  #hurry: (() => void) | undefined;
  readonly #hurried = new Promise<void>((r) => (this.#hurry = r));

  constructor(options: RunQueueOptions) {
    this.#o = options;
    this.#limiter = new ConcurrencyLimiter(options.limits);
  }

  /** The job's run, when one is queued or running. */
  busy(job: string): ScheduledRun | undefined {
    return this.#active.get(job);
  }

  active(): ScheduledRun[] {
    return [...this.#active.values()];
  }

  /** Queues a run of `job`; the caller has checked that the job is not busy. */
  submit(
    job: LoadedManifest,
    limitKeys: readonly string[],
    type: string | undefined,
    trigger: RunTrigger,
    fireAt: Date,
    config: RunConfig,
  ): void {
    if (this.#stopping) return;
    const name = job.metadata.name;
    const log = this.#o.logger.child({ job: name, type });
    const run = new ScheduledRun(job, type, trigger, fireAt, this.#o.clock.now());
    this.#active.set(name, run);
    this.#o.events.emit('fire', { job: name, type, trigger, fireAt });
    const env: RunEnvironment = { ...this.#o, ...config, signal: this.#abort.signal };
    const settled = this.#limiter
      .acquire(limitKeys, name)
      .then(
        async (release) => {
          try {
            if (!this.#stopping) await run.execute(env);
          } finally {
            release();
          }
        },
        () => {
          const message = `not started: ${name} was waiting for a slot when the service stopped`;
          log.warn({ reason: 'stopping' }, message);
          this.#o.events.emit('skipped', { job: name, type, reason: 'stopping', message });
        },
      )
      .catch((err: unknown) => log.error({ err }, `run of ${name} failed to start: ${String(err)}`))
      .finally(() => {
        this.#active.delete(name);
        this.#settled.delete(settled);
      });
    this.#settled.add(settled);
  }

  /** Resolves when no run is queued or running. */
  async whenIdle(): Promise<void> {
    while (this.#settled.size > 0) await Promise.allSettled([...this.#settled]);
  }

  /** Cuts a stop's waiting short (a second SIGTERM/SIGINT): running runs are cancelled at once. */
  hurry(): void {
    this.#hurry?.();
  }

  /**
   * Drops runs still waiting for a slot, lets running runs finish for `deadlineMs`, then aborts them through the
   * services' signal and waits `abortGraceMs` more; runs still going after that are recorded in the catalog as
   * interrupted.
   */
  async stop(options: { deadlineMs: number; abortGraceMs?: number }): Promise<StopSummary> {
    this.#stopping = true;
    const dropped = this.#limiter.clear(new Error('the service is stopping'));
    const running = this.active().filter((r) => r.state !== 'queued');
    const summary: StopSummary = { finished: [], aborted: [], abandoned: [], dropped };
    const log = this.#o.logger;
    if (running.length > 0) {
      const runs = running.map((r) => r.name);
      log.info(
        { runs, deadlineMs: options.deadlineMs },
        `stopping: waiting up to ${formatDuration(options.deadlineMs)} for ${runs.length} run(s)`,
      );
    }
    if (!(await this.#idleWithin(options.deadlineMs, true))) {
      const left = this.active().filter((r) => r.state === 'running');
      const runs = left.map((r) => ({ job: r.name, runId: r.runId, steps: [...r.inFlight.keys()] }));
      log.warn({ runs }, `stopping: deadline passed; cancelling ${left.length} run(s)`);
      this.#abort.abort(new Error('the service is stopping'));
      summary.aborted = left.map((r) => r.name);
      if (!(await this.#idleWithin(options.abortGraceMs ?? 10_000))) {
        for (const r of this.active()) {
          const steps = r.recordInterruption(this.#o.catalog, this.#o.clock.now());
          if (steps.length > 0 || r.runId) summary.abandoned.push(r.name);
          log.error(
            { job: r.name, runId: r.runId, steps },
            `stopping: run ${r.runId ?? '(not started)'} of ${r.name} did not stop; recorded as interrupted`,
          );
        }
      }
    }
    summary.finished = running.map((r) => r.name).filter((n) => !summary.aborted.includes(n));
    return summary;
  }

  async #idleWithin(ms: number, cuttable = false): Promise<boolean> {
    if (this.#settled.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((r) => {
      timer = setTimeout(() => r(false), ms);
      if (cuttable) void this.#hurried.then(() => r(false));
    });
    const done = await Promise.race([this.whenIdle().then(() => true as const), timeout]);
    clearTimeout(timer);
    return done;
  }
}
