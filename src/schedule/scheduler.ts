import type { Catalog } from '../catalog/contract.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { LoadedManifest } from '../config/load-manifests.ts';
import type { SecretResolver } from '../config/secret-resolver.ts';
import type { PluginRegistry } from '../plugin/registry.ts';
import type { StorageTarget } from '../storage/contract.ts';
import type { LimiterOptions } from './concurrency-limiter.ts';
import { firesBetween, nextFire } from './cron-times.ts';
import { formatDuration } from './duration.ts';
import type { JobScheduleInfo, ScheduleEntry } from './job-schedule.ts';
import { chooseCatchUps, describeMissed, findMissedRuns, runCovers, type MissedRun } from './missed-runs.ts';
import { RunQueue, type StopSummary } from './run-queue.ts';
import { SchedulerEventBus, type RunTrigger } from './scheduler-events.ts';

export type { StopSummary } from './run-queue.ts';
import { WakeLoop } from './wake-loop.ts';

/** A validated configuration the scheduler runs: the manifests, each job's schedule, and its services. */
export interface SchedulerConfig {
  manifests: readonly LoadedManifest[];
  jobs: readonly JobScheduleInfo[];
  resolveSecret: SecretResolver;
  storage(name: string): StorageTarget;
}

export interface SchedulerOptions {
  clock: Clock;
  logger: Logger;
  catalog: Catalog;
  registry: PluginRegistry;
  /** Directory of the cross-process job locks (the one `holdfast run` uses). */
  lockDir: string;
  limits: LimiterOptions;
  /** A fire handled later than this counts as missed, not late (default 60 s). */
  missedAfterMs?: number;
  /** The timer loop wakes at least this often, to notice clock jumps (default 30 s). */
  maxSleepMs?: number;
  /** Waking this much later (or earlier) than planned is logged as a stall or clock jump (default 30 s). */
  stallThresholdMs?: number;
  /** Steps at once within one run (the executor's limit; default 4). */
  stepConcurrency?: number;
  events?: SchedulerEventBus;
}

interface EntryState {
  entry: ScheduleEntry;
  nextAt: Date | undefined;
}

/**
 * Fires each job's schedule lines at their times, in their time zones, from an injectable clock.
 * One run per job at a time (a fire while the job runs is skipped, and the job lock guards other processes);
 * runs wait for room under the global, per-server and per-account limits. Fire times that passed without a run
 * (downtime, a pause, a clock jump) are reported as missed, with a catch-up run where the schedule asks.
 *
 * `tick()` does the work of one moment; `start()` adds a timer loop that calls it. Tests drive `tick()` with a
 * ManualClock.
 */
export class Scheduler {
  readonly events: SchedulerEventBus;
  readonly #o: Required<Omit<SchedulerOptions, 'events' | 'stepConcurrency'>> &
    Pick<SchedulerOptions, 'stepConcurrency'>;
  readonly #runs: RunQueue;
  readonly #entries = new Map<string, EntryState>();
  #config: SchedulerConfig | undefined;
  readonly #loop: WakeLoop;
  #stopping = false;

  constructor(options: SchedulerOptions) {
    this.#o = {
      ...options,
      missedAfterMs: options.missedAfterMs ?? 60_000,
      maxSleepMs: options.maxSleepMs ?? 30_000,
      stallThresholdMs: options.stallThresholdMs ?? 30_000,
    };
    this.events = options.events ?? new SchedulerEventBus();
    this.#runs = new RunQueue({ ...options, events: this.events });
    this.#loop = new WakeLoop({
      clock: options.clock,
      maxSleepMs: this.#o.maxSleepMs,
      stallThresholdMs: this.#o.stallThresholdMs,
      nextDueAt: () => this.nextDueAt(),
      onWake: () => this.#wake(),
      onStall: (gapMs) => this.#stalled(gapMs),
    });
  }

  get config(): SchedulerConfig | undefined {
    return this.#config;
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  /** Puts a configuration in place. Lines that did not change keep their next fire time; running runs go on. */
  load(config: SchedulerConfig): void {
    const now = this.#o.clock.now();
    const first = this.#config === undefined;
    const next = new Map<string, EntryState>();
    for (const entry of config.jobs.flatMap((j) => j.entries)) {
      const old = this.#entries.get(entry.key);
      const same = old && old.entry.cron === entry.cron && old.entry.timezone === entry.timezone;
      next.set(entry.key, {
        entry,
        nextAt: same ? old.nextAt : first ? this.#firstFire(entry, now, config) : nextFire(entry, now),
      });
    }
    this.#entries.clear();
    for (const [k, v] of next) this.#entries.set(k, v);
    this.#config = config;
    this.#loop.rearm();
  }

  /**
   * At start, a fire time less than `missedAfterMs` ago is still due (a restart during a fire minute loses
   * nothing), unless the catalog shows a run after it (the previous process ran it).
   */
  #firstFire(entry: ScheduleEntry, now: Date, config: SchedulerConfig): Date | undefined {
    const recent = nextFire(entry, new Date(now.getTime() - this.#o.missedAfterMs - 1));
    if (!recent || recent > now) return recent;
    const runs = this.#o.catalog.listRuns({ job: entry.job, limit: 50 });
    const ranks = new Map<string, number>();
    for (const j of config.jobs)
      if (j.job === entry.job) for (const e of j.entries) if (e.type) ranks.set(e.type, e.rank);
    return runs.some((r) => runCovers(r, entry, recent, ranks)) ? nextFire(entry, now) : recent;
  }

  /** Reports fire times missed while the service was down (catalog vs schedule) and starts catch-up runs. */
  checkMissedAtStart(): MissedRun[] {
    const entries = [...this.#entries.values()].map((s) => s.entry).filter((e) => !this.#runs.busy(e.job));
    // Fire times within the last missedAfterMs are not missed: they are due at the first tick (see #firstFire).
    const before = new Date(this.#o.clock.now().getTime() - this.#o.missedAfterMs - 1);
    const missed = findMissedRuns({ entries, catalog: this.#o.catalog, now: before });
    this.#report(missed, 'start', new Set());
    return missed;
  }

  /** Starts the timer loop (after checking for missed runs). */
  start(): void {
    this.checkMissedAtStart();
    this.#loop.start();
  }

  /** The earliest next fire time over all lines. */
  nextDueAt(): Date | undefined {
    let best: Date | undefined;
    for (const s of this.#entries.values()) if (s.nextAt && (!best || s.nextAt < best)) best = s.nextAt;
    return best;
  }

  /** Next fire time of each line, by key (`job` or `job/type`). */
  nextFireTimes(): Map<string, { entry: ScheduleEntry; nextAt?: Date }> {
    return new Map([...this.#entries].map(([k, s]) => [k, { entry: s.entry, nextAt: s.nextAt }]));
  }

  /** Jobs queued or running, with their state. */
  activeRuns(): { job: string; type?: string; state: string; runId?: string; since: Date }[] {
    return this.#runs.active().map((r) => ({
      job: r.name,
      type: r.type,
      state: r.state,
      runId: r.runId,
      since: r.queuedAt,
    }));
  }

  /** Handles every line due at the clock's now: fires on-time lines, reports late ones as missed. */
  tick(): void {
    if (this.#stopping || !this.#config) return;
    const now = this.#o.clock.now();
    const due = [...this.#entries.values()].filter((s) => s.nextAt && s.nextAt <= now);
    due.sort(
      (a, b) =>
        a.nextAt!.getTime() - b.nextAt!.getTime() ||
        a.entry.job.localeCompare(b.entry.job) ||
        a.entry.rank - b.entry.rank,
    );
    const firing = new Map<string, { entry: ScheduleEntry; fireAt: Date }>();
    const late: MissedRun[] = [];
    for (const state of due) {
      const { entry } = state;
      const fireAt = state.nextAt!;
      state.nextAt = nextFire(entry, now);
      if (now.getTime() - fireAt.getTime() > this.#o.missedAfterMs) {
        const fires = firesBetween(entry, new Date(fireAt.getTime() - 1), now, 1000);
        late.push({ entry, fireAt: fires[fires.length - 1] ?? fireAt, count: Math.max(1, fires.length) });
        continue;
      }
      const first = firing.get(entry.job);
      if (!first) {
        firing.set(entry.job, { entry, fireAt });
      } else {
        const message = `skipped: ${entry.job}${entry.type ? ` ${entry.type}` : ''} fired with ${first.entry.type ?? 'another line'} at ${fireAt.toISOString()}; the ${first.entry.type ?? 'first'} run stands for both`;
        this.#o.logger.info({ job: entry.job, type: entry.type, reason: 'superseded' }, message);
        this.events.emit('skipped', { job: entry.job, type: entry.type, reason: 'superseded', message });
      }
    }
    for (const { entry, fireAt } of firing.values()) this.#fire(entry, 'schedule', fireAt);
    const covered = this.#coveredElsewhere(late);
    this.#report(
      late.filter((m) => !covered.has(m)),
      'pause',
      new Set(firing.keys()),
    );
  }

  /** Resolves when no run is queued or running. */
  whenIdle(): Promise<void> {
    return this.#runs.whenIdle();
  }

  /** Stops scheduling; then the runs stop gracefully (see RunQueue.stop). */
  stop(options: { deadlineMs: number; abortGraceMs?: number }): Promise<StopSummary> {
    this.#stopping = true;
    this.#loop.stop();
    return this.#runs.stop(options);
  }

  /** Cuts a stop's waiting short (a second SIGTERM/SIGINT): running runs are cancelled at once. */
  hurry(): void {
    this.#runs.hurry();
  }

  #fire(entry: ScheduleEntry, trigger: RunTrigger, fireAt: Date): void {
    const config = this.#config;
    const job = config?.manifests.find(
      (m) => m.metadata.name === entry.job && this.#o.registry.isJobKind(m.kind),
    );
    const info = config?.jobs.find((j) => j.job === entry.job);
    if (!config || !job || !info || this.#stopping) return;
    const busy = this.#runs.busy(entry.job);
    if (busy) {
      const message = `skipped: ${entry.job} is still ${busy.state === 'queued' ? 'waiting to run' : 'running'} (${busy.type ?? busy.trigger} since ${busy.queuedAt.toISOString()}${busy.runId ? `, run ${busy.runId}` : ''})`;
      this.#o.logger.warn(
        { job: entry.job, type: entry.type, reason: 'overlap', fireAt: fireAt.toISOString() },
        message,
      );
      this.events.emit('skipped', { job: entry.job, type: entry.type, reason: 'overlap', message });
      return;
    }
    this.#runs.submit(job, info.limitKeys, entry.type, trigger, fireAt, config);
  }

  /** Late fire times another process (a CronJob, a manual `holdfast run`) did run are not missed. */
  #coveredElsewhere(late: readonly MissedRun[]): Set<MissedRun> {
    const covered = new Set<MissedRun>();
    for (const m of late) {
      const ranks = new Map(
        late
          .filter((l) => l.entry.job === m.entry.job && l.entry.type)
          .map((l) => [l.entry.type!, l.entry.rank]),
      );
      const runs = this.#o.catalog.listRuns({ job: m.entry.job, limit: 50 });
      if (runs.some((r) => runCovers(r, m.entry, m.fireAt, ranks))) covered.add(m);
    }
    return covered;
  }

  /** Logs and emits each missed line; starts one catch-up run per job (its earliest line asking for one). */
  #report(missed: readonly MissedRun[], detectedAt: 'start' | 'pause', firedNow: ReadonlySet<string>): void {
    const catchUps = chooseCatchUps(missed, firedNow);
    const info = new Map(this.#config?.jobs.map((j) => [j.job, j]));
    for (const m of missed) {
      const catchUp = catchUps.get(m.entry.job) === m;
      const { job, type } = m.entry;
      this.#o.logger.warn(
        { job, type, event: 'missed', fireAt: m.fireAt.toISOString(), count: m.count, detectedAt },
        describeMissed(m, detectedAt, catchUp),
      );
      const channels = info.get(job)?.missedChannels ?? [];
      this.events.emit('missed', {
        job,
        type,
        fireAt: m.fireAt,
        count: m.count,
        lastRunAt: m.lastRunAt,
        detectedAt,
        channels,
        catchUp,
      });
    }
    for (const m of catchUps.values()) this.#fire(m.entry, 'catch-up', m.fireAt);
  }

  #wake(): void {
    try {
      this.tick();
    } catch (err) {
      this.#o.logger.error({ err }, `scheduler tick failed: ${String(err)}`);
    }
  }

  #stalled(gapMs: number): void {
    const direction = gapMs > 0 ? 'forward' : 'backward';
    this.#o.logger.warn(
      { event: 'stall', gapMs },
      gapMs > 0
        ? `woke ${formatDuration(gapMs)} late: the event loop stalled, the process was paused or the clock jumped forward`
        : `the clock moved back by ${formatDuration(-gapMs)}`,
    );
    this.events.emit('stall', { gapMs, direction });
  }
}
