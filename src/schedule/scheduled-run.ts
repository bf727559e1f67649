import type { Catalog } from '../catalog/contract.ts';
import type { Clock } from '../core/clock.ts';
import { describeError, ErrorCode, HoldfastError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { PlanStep } from '../core/plan.ts';
import type { RunResult } from '../core/result.ts';
import type { LoadedManifest } from '../config/load-manifests.ts';
import type { SecretResolver } from '../config/secret-resolver.ts';
import { EngineEventBus } from '../engine/events.ts';
import { JobLock } from '../engine/job-lock.ts';
import { runJobs } from '../engine/run-jobs.ts';
import type { PluginRegistry } from '../plugin/registry.ts';
import type { StorageTarget } from '../storage/contract.ts';
import type { RunTrigger, SchedulerEventBus } from './scheduler-events.ts';

/** What one scheduled run needs from the service: the configuration it started under and shared services. */
export interface RunEnvironment {
  manifests: readonly LoadedManifest[];
  registry: PluginRegistry;
  catalog: Catalog;
  clock: Clock;
  logger: Logger;
  resolveSecret: SecretResolver;
  storage(name: string): StorageTarget;
  /** Aborted when a shutdown's deadline passes: the executor stops starting steps and plugins see it. */
  signal: AbortSignal;
  lockDir: string;
  stepConcurrency?: number;
  events: SchedulerEventBus;
}

export type RunState = 'queued' | 'running' | 'done';

/** The catalog command of a scheduled run; `missed-runs` reads the type back from it. */
export function scheduledCommand(trigger: RunTrigger, type: string | undefined): string {
  return ['serve', trigger === 'catch-up' ? '--catch-up' : '', type ? `--type ${type}` : '']
    .filter(Boolean)
    .join(' ');
}

/**
 * One run of one job started by the scheduler: takes the cross-process job lock, runs it through runJobs (the
 * path `holdfast run` takes), and knows which steps are in flight so an interrupted run can be recorded.
 */
export class ScheduledRun {
  readonly job: LoadedManifest;
  readonly type: string | undefined;
  readonly trigger: RunTrigger;
  readonly fireAt: Date;
  readonly queuedAt: Date;
  state: RunState = 'queued';
  runId: string | undefined;
  readonly inFlight = new Map<string, { step: PlanStep; startedAt: Date }>();
  #interrupted = false;

  constructor(
    job: LoadedManifest,
    type: string | undefined,
    trigger: RunTrigger,
    fireAt: Date,
    queuedAt: Date,
  ) {
    this.job = job;
    this.type = type;
    this.trigger = trigger;
    this.fireAt = fireAt;
    this.queuedAt = queuedAt;
  }

  get name(): string {
    return this.job.metadata.name;
  }

  /** Runs the job. Never throws: failures are logged and reported as `run:end` events. Returns false when the lock was held. */
  async execute(env: RunEnvironment): Promise<boolean> {
    const log = env.logger.child({ job: this.name, type: this.type, trigger: this.trigger });
    let lock: JobLock;
    try {
      lock = JobLock.acquire(env.lockDir, [this.name]);
    } catch (err) {
      if (err instanceof HoldfastError && err.code === ErrorCode.AlreadyRunning) {
        const message = `skipped: ${err.message}`;
        log.warn({ reason: 'locked' }, message);
        env.events.emit('skipped', { job: this.name, type: this.type, reason: 'locked', message });
        return false;
      }
      throw err;
    }
    this.state = 'running';
    const started = performance.now();
    const engine = new EngineEventBus();
    engine.on('run:start', ({ runId }) => {
      this.runId = runId;
      log.info(
        { runId, fireAt: this.fireAt.toISOString() },
        `run ${runId} of ${this.name} started (${this.trigger}${this.type ? `, ${this.type}` : ''})`,
      );
      env.events.emit('run:start', { job: this.name, type: this.type, runId, trigger: this.trigger });
    });
    engine.on('step:start', ({ step }) => this.inFlight.set(step.id, { step, startedAt: env.clock.now() }));
    engine.on('step:end', ({ runId, step, result }) => {
      this.inFlight.delete(step.id);
      env.events.emit('step:end', { job: this.name, runId, result });
    });
    let result: RunResult | undefined;
    let error: Record<string, unknown> | undefined;
    let cleanupFailed = false;
    try {
      let out: Omit<Awaited<ReturnType<typeof runJobs>>, 'result' | 'cleanupFailed'>;
      ({ result, cleanupFailed, ...out } = await runJobs({
        command: scheduledCommand(this.trigger, this.type),
        manifests: env.manifests,
        jobs: [this.job],
        registry: env.registry,
        services: {
          clock: env.clock,
          logger: log,
          resolveSecret: env.resolveSecret,
          storage: (name) => env.storage(name),
          catalog: env.catalog,
          signal: env.signal,
        },
        options: { dryRun: false, forceType: this.type },
        events: engine,
        concurrency: env.stepConcurrency,
      }));
      const failed = result.steps.filter((s) => s.status !== 'succeeded').length;
      const status = cleanupFailed && result.status === 'succeeded' ? 'partly-failed' : result.status;
      log[status === 'succeeded' ? 'info' : 'error'](
        {
          runId: result.runId,
          status,
          steps: result.steps.length,
          failed,
          cleanupFailed,
          notifications: out.notifications.map((n) => `${n.event} to ${n.channel}: ${n.status}`),
        },
        `run ${result.runId} of ${this.name}: ${status}${cleanupFailed ? ' (retention cleanup failed)' : ''}`,
      );
    } catch (err) {
      error =
        err instanceof HoldfastError
          ? err.toJSON()
          : { code: ErrorCode.Internal, message: describeError(err) };
      log.error({ err: error }, `run of ${this.name} could not complete: ${describeError(err)}`);
    } finally {
      lock.release();
      this.state = 'done';
    }
    env.events.emit('run:end', {
      job: this.name,
      type: this.type,
      trigger: this.trigger,
      result,
      cleanupFailed,
      error,
      durationMs: Math.round(performance.now() - started),
    });
    return true;
  }

  /**
   * Records in the catalog that the service stopped while this run's steps were still going: each step in flight
   * becomes failed (CANCELLED) and the run is finished as failed. A step that still ends later overwrites this.
   */
  recordInterruption(catalog: Catalog, at: Date): string[] {
    if (this.#interrupted || this.state !== 'running' || !this.runId) return [];
    this.#interrupted = true;
    const steps = [...this.inFlight.values()];
    const error = new HoldfastError(
      ErrorCode.Cancelled,
      'interrupted: the service stopped before the step finished',
      { job: this.name },
    ).toJSON();
    for (const { step, startedAt } of steps) {
      catalog.recordStep(this.runId, {
        stepId: step.id,
        job: step.job,
        plugin: step.plugin,
        target: step.target,
        action: step.action,
        status: 'failed',
        startedAt: startedAt.toISOString(),
        finishedAt: at.toISOString(),
        durationMs: at.getTime() - startedAt.getTime(),
        summary: 'interrupted: the service stopped before the step finished',
        metrics: {},
        artifactIds: [],
        error,
      });
    }
    catalog.finishRun(this.runId, 'failed', at);
    return steps.map((s) => s.step.id);
  }
}
