import type { Clock } from '../core/clock.ts';
import { describeError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { DeliveryReport } from '../notify/notifier.ts';
import { Notifier } from '../notify/notifier.ts';
import { notifyMissedRuns, sendDailySummary } from '../notify/notify-scheduled.ts';
import type { Catalog } from '../catalog/contract.ts';
import type { PluginRegistry } from '../plugin/registry.ts';
import { nextFire, type CronSpec } from './cron-times.ts';
import type { MissedEvent, SchedulerEventBus } from './scheduler-events.ts';
import type { SchedulerConfig } from './scheduler.ts';

export interface ScheduledNotificationsOptions {
  clock: Clock;
  logger: Logger;
  catalog: Catalog;
  registry: PluginRegistry;
  events: SchedulerEventBus;
  /** When the daily summary goes out (default 08:00 UTC); false: never. */
  summary?: CronSpec | false;
}

/**
 * The notifications the service sends on its own (runs notify through runJobs): `missed`, for fire times that
 * passed without a run, batched per moment; and the daily `summary`. One notifier per configuration, so channel
 * rate limits hold across runs. Never throws: a channel that fails is logged and changes nothing else.
 */
export class ScheduledNotifications {
  readonly #o: ScheduledNotificationsOptions;
  #config: SchedulerConfig | undefined;
  #notifier: Notifier | undefined;
  #pending: MissedEvent[] = [];
  readonly #sending = new Set<Promise<unknown>>();
  #timer: NodeJS.Timeout | undefined;
  #nextSummary: Date | undefined;
  #closed = false;

  constructor(options: ScheduledNotificationsOptions) {
    this.#o = options;
    options.events.on('missed', (m) => this.#queueMissed(m));
  }

  /** A new configuration: a new notifier (channels may have changed); the old one closes when idle. */
  configure(config: SchedulerConfig): void {
    const old = this.#notifier;
    this.#config = config;
    this.#notifier = new Notifier({
      manifests: config.manifests,
      resolveSecret: config.resolveSecret,
      logger: this.#o.logger,
    });
    if (old) void this.settled().then(() => old.close());
  }

  /** Starts the daily summary timer. */
  start(): void {
    if (this.#o.summary === false) return;
    this.#nextSummary = nextFire(
      this.#o.summary ?? { cron: '0 8 * * *', timezone: 'UTC' },
      this.#o.clock.now(),
    );
    this.#arm();
  }

  /** Sends the summary of the last 24 hours now, for the jobs whose rules ask for one. */
  async sendSummary(): Promise<DeliveryReport[]> {
    const config = this.#config;
    if (!config || !this.#notifier) return [];
    const p = sendDailySummary({
      notifier: this.#notifier,
      jobs: this.#jobs(config),
      catalog: this.#o.catalog,
      now: this.#o.clock.now(),
    })
      .then((reports) => this.#log('summary', reports))
      .catch((err: unknown) => this.#failed('summary', err));
    return this.#track(p);
  }

  /** Resolves when every notification started so far has been delivered or given up. */
  async settled(): Promise<void> {
    while (this.#sending.size > 0) await Promise.allSettled([...this.#sending]);
  }

  /** Stops the timer, waits up to `timeoutMs` for deliveries in flight, closes the notifier. */
  async close(timeoutMs: number): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.settled(), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    await this.#notifier?.close();
  }

  #queueMissed(m: MissedEvent): void {
    if (m.channels.length === 0 || this.#closed) return;
    this.#pending.push(m);
    if (this.#pending.length > 1) return;
    // Every line missed at one moment goes out together (the notifier merges per channel under its rate limit).
    const batch = new Promise<void>((r) => setImmediate(r)).then(async () => {
      const missed = this.#pending.splice(0);
      const config = this.#config;
      if (!config || !this.#notifier) return [];
      return this.#log(
        'missed',
        await notifyMissedRuns({
          notifier: this.#notifier,
          jobs: this.#jobs(config),
          missed,
          now: this.#o.clock.now(),
        }),
      );
    });
    this.#track(batch.catch((err: unknown) => this.#failed('missed', err)));
  }

  #jobs(config: SchedulerConfig) {
    return config.manifests.filter((m) => this.#o.registry.isJobKind(m.kind));
  }

  #track<T>(p: Promise<T>): Promise<T> {
    this.#sending.add(p);
    void p.finally(() => this.#sending.delete(p));
    return p;
  }

  #log(event: string, reports: DeliveryReport[]): DeliveryReport[] {
    for (const r of reports) {
      const text = `${event} notification ${r.status === 'sent' ? 'sent' : 'NOT sent'} to ${r.channel}${r.job ? ` for ${r.job}` : ''}${r.error ? `: ${r.error}` : ''}`;
      if (r.status === 'sent')
        this.#o.logger.info(
          { event: 'notification', kind: event, channel: r.channel, job: r.job, attempts: r.attempts },
          text,
        );
      else
        this.#o.logger.warn(
          {
            event: 'notification',
            kind: event,
            channel: r.channel,
            job: r.job,
            attempts: r.attempts,
            error: r.error,
          },
          text,
        );
    }
    return reports;
  }

  #failed(event: string, err: unknown): DeliveryReport[] {
    this.#o.logger.error(
      { err: describeError(err) },
      `${event} notifications could not be sent: ${describeError(err)}`,
    );
    return [];
  }

  #arm(): void {
    if (this.#closed || !this.#nextSummary) return;
    const wait = Math.max(0, Math.min(this.#nextSummary.getTime() - this.#o.clock.now().getTime(), 60_000));
    this.#timer = setTimeout(() => {
      if (this.#nextSummary && this.#o.clock.now() >= this.#nextSummary) {
        void this.sendSummary();
        this.#nextSummary = nextFire(
          this.#o.summary || { cron: '0 8 * * *', timezone: 'UTC' },
          this.#o.clock.now(),
        );
      }
      this.#arm();
    }, wait);
    this.#timer.unref();
  }
}
