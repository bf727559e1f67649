import type { Catalog } from '../catalog/contract.ts';
import type { Clock } from '../core/clock.ts';
import { describeError, ErrorCode, HoldfastError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { formatProblem, type ConfigProblem } from '../config/problems.ts';
import type { PluginRegistry } from '../plugin/registry.ts';
import { CatalogProbe } from './catalog-probe.ts';
import type { LimiterOptions } from './concurrency-limiter.ts';
import { ConfigWatcher } from './config-watcher.ts';
import type { CronSpec } from './cron-times.ts';
import { ScheduledNotifications } from './scheduled-notifications.ts';
import { startHttpServer, type HttpServerHandle, type Readiness } from './http-server.ts';
import { loadServiceConfig } from './service-config.ts';
import { ServiceMetrics } from './service-metrics.ts';
import { Scheduler, type StopSummary } from './scheduler.ts';
import type { SchedulerEventBus } from './scheduler-events.ts';

export interface ServiceOptions {
  /** Job files and directories. */
  paths: string[];
  env: NodeJS.ProcessEnv;
  clock: Clock;
  logger: Logger;
  registry: PluginRegistry;
  catalog: Catalog;
  lockDir: string;
  limits: LimiterOptions;
  /** `false`: no HTTP server (tests of the scheduler alone). */
  http: { port: number; host: string } | false;
  /** Watch the job files and reload on change (default true). */
  watch?: boolean;
  watchDebounceMs?: number;
  /** Run the timer loop (default true). Tests with a ManualClock call `scheduler.tick()` themselves. */
  autoTick?: boolean;
  missedAfterMs?: number;
  stepConcurrency?: number;
  /** How often the last-success metrics are re-read from the catalog (default 5 min). */
  catalogRefreshMs?: number;
  /** Metrics of the Node process itself (default true). */
  defaultMetrics?: boolean;
  /** The scheduler's event bus, to listen before start-up reports missed runs. */
  events?: SchedulerEventBus;
  /** When the daily summary notification goes out (default 08:00 UTC); false: never. */
  summary?: CronSpec | false;
}

/** The running service: scheduler, HTTP endpoints, file watcher. */
export class Service {
  readonly scheduler: Scheduler;
  readonly metrics: ServiceMetrics;
  readonly notifications: ScheduledNotifications;
  readonly #o: ServiceOptions;
  readonly #probe: CatalogProbe;
  #http: HttpServerHandle | undefined;
  #watcher: ConfigWatcher | undefined;
  #refresh: NodeJS.Timeout | undefined;
  #reloading: Promise<boolean> = Promise.resolve(true);
  #lastReload: { at: Date; ok: boolean; problems: string[] } | undefined;
  #stopping: Promise<StopSummary> | undefined;
  #resolveStopped: ((summary: StopSummary) => void) | undefined;
  /** Settles when the service has stopped (after a `stop`, from a signal or a caller). */
  readonly stopped = new Promise<StopSummary>((r) => (this.#resolveStopped = r));

  private constructor(options: ServiceOptions) {
    this.#o = options;
    this.scheduler = new Scheduler({
      clock: options.clock,
      logger: options.logger,
      catalog: options.catalog,
      registry: options.registry,
      lockDir: options.lockDir,
      limits: options.limits,
      missedAfterMs: options.missedAfterMs,
      stepConcurrency: options.stepConcurrency,
      events: options.events,
    });
    this.metrics = new ServiceMetrics({
      defaultMetrics: options.defaultMetrics,
      scheduler: () => this.scheduler,
    });
    this.metrics.attach(this.scheduler.events);
    this.notifications = new ScheduledNotifications({
      clock: options.clock,
      logger: options.logger,
      catalog: options.catalog,
      registry: options.registry,
      events: this.scheduler.events,
      summary: options.summary,
    });
    this.#probe = new CatalogProbe(options.catalog.location);
  }

  /**
   * Loads and validates the job files (a bad initial configuration throws CONFIG_INVALID with every problem in
   * `details.problems`), reports missed runs, starts the timer loop, the HTTP server and the file watcher.
   */
  static async start(options: ServiceOptions): Promise<Service> {
    const service = new Service(options);
    const first = await loadServiceConfig(options.paths, options.registry, options.env);
    if (!first.config) {
      throw new HoldfastError(ErrorCode.ConfigInvalid, 'invalid configuration', {
        details: { problems: first.problems },
      });
    }
    service.#apply(first.config, first.files);
    try {
      if (options.autoTick ?? true) {
        service.scheduler.start();
        service.notifications.start();
      } else {
        service.scheduler.checkMissedAtStart();
      }
      if (options.http) {
        service.#http = await startHttpServer(
          { health: () => service.health(), ready: () => service.ready(), metrics: service.metrics.registry },
          { ...options.http, logger: options.logger },
        );
        options.logger.info(
          { port: service.#http.port, host: service.#http.host },
          `listening on http://${service.#http.host}:${service.#http.port} (/healthz, /readyz, /metrics)`,
        );
      }
      if (options.watch ?? true) {
        service.#watcher = await ConfigWatcher.start(options.paths, {
          debounceMs: options.watchDebounceMs,
          logger: options.logger,
          onChange: (files) =>
            void service.reload(
              `job files changed: ${files.slice(0, 5).join(', ')}${files.length > 5 ? ', ...' : ''}`,
            ),
        });
      }
      const refreshMs = options.catalogRefreshMs ?? 300_000;
      service.#refresh = setInterval(() => service.#refreshMetrics(), refreshMs);
      service.#refresh.unref();
    } catch (err) {
      await service.stop('start-up failed', { deadlineMs: 0, abortGraceMs: 0 });
      throw err;
    }
    return service;
  }

  get port(): number | undefined {
    return this.#http?.port;
  }

  /** Reloads the job files; a configuration with problems is not used, and the running one stays. */
  reload(reason: string): Promise<boolean> {
    this.#reloading = this.#reloading.then(async () => {
      if (this.scheduler.stopping) return false;
      const log = this.#o.logger;
      log.info({ reason }, `reloading configuration: ${reason}`);
      let loaded: Awaited<ReturnType<typeof loadServiceConfig>>;
      try {
        loaded = await loadServiceConfig(this.#o.paths, this.#o.registry, this.#o.env);
      } catch (err) {
        loaded = {
          problems: [
            { file: this.#o.paths.join(', '), line: 0, column: 0, path: '', message: describeError(err) },
          ],
          files: [],
        };
      }
      if (!loaded.config) {
        const problems = loaded.problems.map((p: ConfigProblem) => formatProblem(p));
        this.#lastReload = { at: this.#o.clock.now(), ok: false, problems };
        this.metrics.reloadRejected();
        log.error(
          { event: 'reload-rejected', problems },
          `configuration rejected (${problems.length} problem(s)); still running the previous one:\n${problems.join('\n')}`,
        );
        return false;
      }
      this.#apply(loaded.config, loaded.files);
      return true;
    });
    return this.#reloading;
  }

  #apply(
    config: NonNullable<Awaited<ReturnType<typeof loadServiceConfig>>['config']>,
    files: string[],
  ): void {
    this.scheduler.load(config);
    this.notifications.configure(config);
    const now = this.#o.clock.now();
    this.#lastReload = { at: now, ok: true, problems: [] };
    void this.metrics
      .configLoaded(config.jobs, now, this.#o.catalog)
      .catch((err: unknown) => this.#metricsFailed(err));
    const unscheduled = config.jobs.filter((j) => j.entries.length === 0).map((j) => j.job);
    this.#o.logger.info(
      {
        event: 'config-loaded',
        files: files.length,
        jobs: config.jobs.length,
        lines: config.jobs.reduce((n, j) => n + j.entries.length, 0),
        unscheduled,
        nextDueAt: this.scheduler.nextDueAt()?.toISOString(),
      },
      `configuration loaded: ${config.jobs.length} job(s) from ${files.length} file(s)${unscheduled.length > 0 ? `; without a schedule (run on demand only): ${unscheduled.join(', ')}` : ''}`,
    );
  }

  #refreshMetrics(): void {
    const config = this.scheduler.config;
    if (!config) return;
    void this.metrics
      .refreshFromCatalog(config.jobs, this.#o.catalog)
      .catch((err: unknown) => this.#metricsFailed(err));
  }

  #metricsFailed(err: unknown): void {
    this.#o.logger.warn(
      { err: describeError(err) },
      `reading the catalog for metrics failed: ${describeError(err)}`,
    );
  }

  health(): { ok: boolean; detail: Record<string, unknown> } {
    return {
      ok: true,
      detail: { active: this.scheduler.activeRuns().length, stopping: this.scheduler.stopping },
    };
  }

  ready(): Readiness {
    const checks: Record<string, string> = {};
    let ready = true;
    if (this.scheduler.stopping) {
      ready = false;
      checks.service = 'stopping';
    }
    if (!this.scheduler.config) {
      ready = false;
      checks.config = 'not loaded';
    } else {
      const last = this.#lastReload;
      checks.config = `${this.scheduler.config.jobs.length} job(s)${last && !last.ok ? `; last reload at ${last.at.toISOString()} rejected: ${last.problems.length} problem(s)` : ''}`;
    }
    const catalogProblem = this.#probe.check();
    if (catalogProblem) ready = false;
    checks.catalog = catalogProblem ?? 'writable';
    return { ready, checks };
  }

  /** Graceful stop: see Scheduler.stop. Closes HTTP, watcher and the catalog probe. Idempotent. */
  stop(reason: string, options: { deadlineMs: number; abortGraceMs?: number }): Promise<StopSummary> {
    this.#stopping ??= (async () => {
      this.#o.logger.info(
        { reason, deadlineMs: options.deadlineMs },
        `stopping (${reason}): no new runs start`,
      );
      this.#watcher?.close();
      if (this.#refresh) clearInterval(this.#refresh);
      const summary = await this.scheduler.stop(options);
      await this.notifications.close(10_000);
      await this.metrics.idle().catch(() => undefined);
      await this.#http?.close();
      this.#o.logger.info(
        { event: 'stopped', ...summary },
        `stopped: ${summary.finished.length} run(s) finished, ${summary.aborted.length} cancelled, ${summary.abandoned.length} recorded as interrupted, ${summary.dropped.length} not started`,
      );
      this.#resolveStopped?.(summary);
      return summary;
    })();
    return this.#stopping;
  }
}
