import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Catalog } from '../catalog/contract.ts';
import type { JobScheduleInfo } from './job-schedule.ts';
import type { Scheduler } from './scheduler.ts';
import type { SchedulerEventBus } from './scheduler-events.ts';
import { readLastSuccesses } from './last-successes.ts';

/**
 * The service's Prometheus metrics (own registry, `holdfast_` prefix). Alert on time since the last good backup:
 *
 *   time() - holdfast_last_success_timestamp_seconds > on(job) group_left holdfast_rpo_seconds
 *
 * `holdfast_last_success_timestamp_seconds` is read from the catalog at start and on refresh (so it survives a
 * restart and sees runs by other processes), and moved forward as this process's steps succeed.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly #runs: Counter<'job' | 'result'>;
  readonly #skipped: Counter<'job' | 'reason'>;
  readonly #missed: Counter<'job' | 'type'>;
  readonly #stepSeconds: Histogram<'job' | 'plugin' | 'action' | 'status'>;
  readonly #bytes: Counter<'job' | 'plugin'>;
  readonly #requestUnits: Counter<'job' | 'plugin'>;
  readonly #lastSuccess: Gauge<'job' | 'target'>;
  readonly #rpo: Gauge<'job'>;
  readonly #reloads: Counter<'result'>;
  readonly #configLoaded: Gauge;
  readonly #stalls: Counter<'direction'>;
  readonly #lastSuccessByKey = new Map<string, number>();
  #refreshing: Promise<void> = Promise.resolve();

  constructor(options: { defaultMetrics?: boolean; scheduler?: () => Scheduler | undefined } = {}) {
    const registers = [this.registry];
    this.#runs = new Counter({
      name: 'holdfast_runs_total',
      help: 'Scheduled runs by job and result (succeeded, partly-failed, failed, error).',
      labelNames: ['job', 'result'],
      registers,
    });
    this.#skipped = new Counter({
      name: 'holdfast_runs_skipped_total',
      help: 'Fire times that did not start a run, by reason (overlap, locked, superseded, stopping).',
      labelNames: ['job', 'reason'],
      registers,
    });
    this.#missed = new Counter({
      name: 'holdfast_runs_missed_total',
      help: 'Fire times that passed without a run (downtime, pause, clock jump).',
      labelNames: ['job', 'type'],
      registers,
    });
    this.#stepSeconds = new Histogram({
      name: 'holdfast_step_duration_seconds',
      help: 'Duration of executed steps.',
      labelNames: ['job', 'plugin', 'action', 'status'],
      buckets: [1, 5, 15, 60, 300, 900, 1800, 3600, 7200, 14_400, 28_800],
      registers,
    });
    this.#bytes = new Counter({
      name: 'holdfast_backup_bytes_total',
      help: 'Bytes written by succeeded steps.',
      labelNames: ['job', 'plugin'],
      registers,
    });
    this.#requestUnits = new Counter({
      name: 'holdfast_request_units_total',
      help: 'Cosmos DB request units consumed by steps.',
      labelNames: ['job', 'plugin'],
      registers,
    });
    this.#lastSuccess = new Gauge({
      name: 'holdfast_last_success_timestamp_seconds',
      help: 'Unix time of the newest good backup (catalog artifact) per job and target.',
      labelNames: ['job', 'target'],
      registers,
    });
    this.#rpo = new Gauge({
      name: 'holdfast_rpo_seconds',
      help: "The job's RPO (spec.rpo) in seconds.",
      labelNames: ['job'],
      registers,
    });
    const scheduler = options.scheduler ?? (() => undefined);
    new Gauge({
      name: 'holdfast_next_run_timestamp_seconds',
      help: 'Unix time of the next fire time per job and backup type (type empty: whatever is due).',
      labelNames: ['job', 'type'],
      registers,
      collect() {
        this.reset();
        for (const { entry, nextAt } of scheduler()?.nextFireTimes().values() ?? []) {
          if (nextAt) this.set({ job: entry.job, type: entry.type ?? '' }, nextAt.getTime() / 1000);
        }
      },
    });
    this.#reloads = new Counter({
      name: 'holdfast_config_reloads_total',
      help: 'Configuration reloads by result (ok, rejected).',
      labelNames: ['result'],
      registers,
    });
    this.#configLoaded = new Gauge({
      name: 'holdfast_config_loaded_timestamp_seconds',
      help: 'Unix time the running configuration was loaded.',
      registers,
    });
    this.#stalls = new Counter({
      name: 'holdfast_clock_stalls_total',
      help: 'Wake-ups far from plan: event-loop stalls, pauses, clock jumps.',
      labelNames: ['direction'],
      registers,
    });
    new Gauge({
      name: 'holdfast_runs_active',
      help: 'Runs queued (waiting for a concurrency slot) or running now.',
      labelNames: ['state'],
      registers,
      collect() {
        const active = scheduler()?.activeRuns() ?? [];
        for (const state of ['queued', 'running'])
          this.set({ state }, active.filter((r) => r.state === state).length);
      },
    });
    if (options.defaultMetrics ?? true)
      // Event-loop lag sampled every 100 ms (not 10): an idle scheduler should not wake a hundred times a second.
      collectDefaultMetrics({
        register: this.registry,
        prefix: 'holdfast_',
        eventLoopMonitoringPrecision: 100,
      });
  }

  /** Counts what the scheduler reports. */
  attach(events: SchedulerEventBus): void {
    events.on('run:end', ({ job, result, cleanupFailed }) =>
      this.#runs.inc({
        job,
        result: !result
          ? 'error'
          : cleanupFailed && result.status === 'succeeded'
            ? 'partly-failed'
            : result.status,
      }),
    );
    events.on('skipped', ({ job, reason }) => this.#skipped.inc({ job, reason }));
    events.on('missed', ({ job, type }) => this.#missed.inc({ job, type: type ?? '' }));
    events.on('stall', ({ direction }) => this.#stalls.inc({ direction }));
    events.on('step:end', ({ job, result }) => {
      const labels = { job, plugin: result.plugin };
      if (result.durationMs !== undefined && result.status !== 'not-executed') {
        this.#stepSeconds.observe(
          { ...labels, action: result.action, status: result.status },
          result.durationMs / 1000,
        );
      }
      if (result.status === 'succeeded' && result.metrics.bytes)
        this.#bytes.inc(labels, result.metrics.bytes);
      if (result.metrics.requestCharge) this.#requestUnits.inc(labels, result.metrics.requestCharge);
      if (result.status === 'succeeded' && result.artifactIds.length > 0 && result.finishedAt) {
        this.#setLastSuccess(job, result.target, new Date(result.finishedAt).getTime() / 1000);
      }
    });
  }

  /**
   * Configuration in place: RPO per job, and (in the background, see refreshFromCatalog) the last good backups
   * the catalog knows for these jobs.
   */
  configLoaded(jobs: readonly JobScheduleInfo[], at: Date, catalog: Catalog): Promise<void> {
    this.#reloads.inc({ result: 'ok' });
    this.#configLoaded.set(at.getTime() / 1000);
    this.#rpo.reset();
    for (const j of jobs) if (j.rpoMs !== undefined) this.#rpo.set({ job: j.job }, j.rpoMs / 1000);
    return this.refreshFromCatalog(jobs, catalog);
  }

  reloadRejected(): void {
    this.#reloads.inc({ result: 'rejected' });
  }

  /**
   * Re-reads the last good backup per job and target from the catalog (also written by other processes), after
   * the current turn of the event loop. Passes run one after another. Series of jobs no longer configured are
   * dropped.
   */
  refreshFromCatalog(jobs: readonly JobScheduleInfo[], catalog: Catalog): Promise<void> {
    this.#refreshing = this.#refreshing.catch(() => undefined).then(() => this.#refresh(jobs, catalog));
    return this.#refreshing;
  }

  /** Resolves when no catalog pass is running. */
  idle(): Promise<void> {
    return this.#refreshing;
  }

  async #refresh(jobs: readonly JobScheduleInfo[], catalog: Catalog): Promise<void> {
    await new Promise((r) => setImmediate(r)); // after the caller's turn: start-up answers probes first
    const names = jobs.map((j) => j.job);
    const found = readLastSuccesses(catalog, names);
    const configured = new Set(names);
    for (const key of this.#lastSuccessByKey.keys()) {
      const [job, target] = key.split('\u0000') as [string, string];
      if (configured.has(job)) continue;
      this.#lastSuccess.remove({ job, target });
      this.#lastSuccessByKey.delete(key);
    }
    for (const [job, targets] of found) {
      for (const [target, at] of targets) this.#setLastSuccess(job, target, at.getTime() / 1000);
    }
  }

  #setLastSuccess(job: string, target: string, seconds: number): void {
    const key = `${job}\u0000${target}`;
    if ((this.#lastSuccessByKey.get(key) ?? 0) >= seconds) return;
    this.#lastSuccessByKey.set(key, seconds);
    this.#lastSuccess.set({ job, target }, seconds);
  }
}
