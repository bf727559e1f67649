import type { Manifest, SecretRef } from '../core/job.ts';
import { isSecretRef } from '../core/job.ts';
import type { Logger } from '../core/logger.ts';
import { describeError } from '../core/errors.ts';
import { MASK, type Secret } from '../core/secret.ts';
import type { NotifyChannel } from './channel.ts';
import { createChannel } from './create-channel.ts';
import { deliverWithRetries } from './deliver-with-retries.ts';
import { blankNotification, formatBytes, type NotificationData, type Outgoing } from './notification.ts';
import { RateLimiter } from './rate-limiter.ts';
import { MessageRenderer } from './render-message.ts';
import { channelSpecSchema, type ChannelSpec, type NotifyEvent } from './schema.ts';

/** What happened to one message on one channel. */
export interface DeliveryReport {
  channel: string;
  channelType: string | null;
  event: NotifyEvent;
  job: string | null;
  status: 'sent' | 'failed';
  attempts: number;
  /** How many notifications this message carried: more than 1 when the rate limit merged them. */
  notifications: number;
  /** Why it failed (never holds a secret). */
  error?: string;
}

export interface NotifierOptions {
  /** Every loaded manifest: Channels, and jobs and Storage whose secrets must never show in a message. */
  manifests: readonly Manifest[];
  resolveSecret: (ref: SecretRef, baseDir?: string) => Promise<Secret>;
  logger: Logger;
  templatesDir?: string;
  /** First retry delay (default 1000 ms); tests shorten it. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Monotonic milliseconds for the rate limiters (default performance.now). */
  now?: () => number;
  signal?: AbortSignal;
}

const PRIORITY: Record<NotifyEvent, number> = { failure: 0, missed: 1, summary: 2, success: 3 };

/**
 * Sends notifications to channels: renders each with its channel's template, redacts every secret value holdfast
 * knows of, delivers with retries, and keeps each channel under its rate limit by merging what exceeds it into one
 * digest. Never throws for a delivery: a channel that keeps failing is logged and reported, and nothing about it
 * changes a backup's result. One notifier may live as long as the process (the scheduler keeps one).
 */
export class Notifier {
  readonly #options: NotifierOptions;
  readonly #renderer: MessageRenderer;
  readonly #channels = new Map<string, Promise<NotifyChannel>>();
  readonly #limiters = new Map<string, RateLimiter>();
  readonly #secrets = new Map<string, Promise<Secret | undefined>>();

  constructor(options: NotifierOptions) {
    this.#options = options;
    this.#renderer = new MessageRenderer(options.templatesDir);
  }

  async send(outgoing: readonly Outgoing[]): Promise<DeliveryReport[]> {
    const byChannel = new Map<string, NotificationData[]>();
    for (const o of outgoing) byChannel.set(o.channel, [...(byChannel.get(o.channel) ?? []), o.data]);
    const reports = await Promise.all([...byChannel].map(([name, list]) => this.#sendToChannel(name, list)));
    return reports.flat();
  }

  async #sendToChannel(name: string, list: NotificationData[]): Promise<DeliveryReport[]> {
    const manifest = this.#options.manifests.find((m) => m.kind === 'Channel' && m.metadata.name === name);
    const sorted = [...list].sort((a, b) => PRIORITY[a.event] - PRIORITY[b.event]);
    if (!manifest)
      return sorted.map((d) =>
        this.#report(name, null, d, 'failed', 0, 1, `no Channel manifest named ${name}`),
      );
    const spec = channelSpecSchema.parse(manifest.spec);
    const secrets = await this.#knownSecrets(manifest, sorted);
    let channel: NotifyChannel;
    try {
      channel = await this.#channel(name, spec, manifest.baseDir);
    } catch (err) {
      const why = redactText(`channel cannot be set up: ${describeError(err)}`, secrets);
      return sorted.map((d) => this.#report(name, spec.type, d, 'failed', 0, 1, why));
    }
    const reports: DeliveryReport[] = [];
    for (const [data, count] of await this.#withinRateLimit(name, spec, sorted)) {
      const clean = redactDeep(data, secrets);
      let message;
      try {
        message = this.#renderer.render(
          spec.type,
          clean,
          this.#renderer.templateFile(spec.type, spec.template, manifest.baseDir),
        );
      } catch (err) {
        reports.push(
          this.#report(name, spec.type, data, 'failed', 0, count, redactText(describeError(err), secrets)),
        );
        continue;
      }
      message = {
        ...message,
        subject: redactText(message.subject, secrets),
        body: redactText(message.body, secrets),
      };
      const outcome = await deliverWithRetries(channel, message, {
        retries: spec.retries,
        timeoutMs: spec.timeoutSeconds * 1000,
        baseDelayMs: this.#options.baseDelayMs,
        maxDelayMs: this.#options.maxDelayMs,
        signal: this.#options.signal,
      });
      const error = outcome.error ? redactText(outcome.error.message, secrets) : undefined;
      reports.push(
        this.#report(
          name,
          spec.type,
          data,
          outcome.error ? 'failed' : 'sent',
          outcome.attempts,
          count,
          error,
        ),
      );
    }
    return reports;
  }

  /**
   * Messages that fit the channel's rate limit now, each with how many notifications it carries. When more are
   * due than the limit allows, the first ones go alone and the rest are merged into one digest; with no capacity
   * left at all, it waits for the next slot and sends one digest.
   */
  async #withinRateLimit(
    name: string,
    spec: ChannelSpec,
    list: NotificationData[],
  ): Promise<[NotificationData, number][]> {
    let limiter = this.#limiters.get(name);
    if (!limiter)
      this.#limiters.set(name, (limiter = new RateLimiter(spec.rateLimitPerMinute, this.#options.now)));
    let free = limiter.available();
    if (free === 0) {
      await new Promise((r) => setTimeout(r, limiter.msUntilNext()));
      free = Math.max(1, limiter.available());
    }
    const alone = list.length <= free ? list : list.slice(0, free - 1);
    const rest = list.slice(alone.length);
    const out: [NotificationData, number][] = alone.map((d) => [d, 1]);
    if (rest.length > 0) out.push([mergeNotifications(rest, spec.rateLimitPerMinute), rest.length]);
    for (let i = 0; i < out.length; i++) limiter.tryTake();
    return out;
  }

  #channel(name: string, spec: ChannelSpec, baseDir: string): Promise<NotifyChannel> {
    let c = this.#channels.get(name);
    if (!c) {
      c = createChannel(name, spec, (ref) => this.#options.resolveSecret(ref, baseDir));
      c.catch(() => this.#channels.delete(name)); // try again next time
      this.#channels.set(name, c);
    }
    return c;
  }

  /** Secret values of the channel, the notified jobs and every Storage manifest, for redaction. */
  async #knownSecrets(channel: Manifest, list: readonly NotificationData[]): Promise<Secret[]> {
    const jobs = new Set(list.map((d) => d.job).filter((j): j is string => j !== null));
    const sources = this.#options.manifests.filter(
      (m) => m === channel || m.kind === 'Storage' || jobs.has(m.metadata.name),
    );
    const wanted: Promise<Secret | undefined>[] = [];
    for (const m of sources) {
      for (const ref of secretRefsIn(m.spec)) {
        const key = `${m.baseDir}\u0000${ref.secretRef}`;
        let p = this.#secrets.get(key);
        if (!p)
          this.#secrets.set(key, (p = this.#options.resolveSecret(ref, m.baseDir).catch(() => undefined)));
        wanted.push(p);
      }
    }
    return (await Promise.all(wanted)).filter((s): s is Secret => s !== undefined);
  }

  #report(
    channel: string,
    type: string | null,
    d: NotificationData,
    status: 'sent' | 'failed',
    attempts: number,
    count: number,
    error?: string,
  ): DeliveryReport {
    const report: DeliveryReport = {
      channel,
      channelType: type,
      event: d.event,
      job: d.job,
      status,
      attempts,
      notifications: count,
    };
    if (error) report.error = error;
    const fields = { channel, channelType: type, event: d.event, job: d.job, attempts, notifications: count };
    if (status === 'sent')
      this.#options.logger.info(fields, `notification ${d.event} sent to channel ${channel}`);
    else
      this.#options.logger.warn(
        { ...fields, error },
        `notification ${d.event} to channel ${channel} failed after ${attempts} attempt(s): ${error}`,
      );
    return report;
  }

  async close(): Promise<void> {
    const channels = await Promise.allSettled(this.#channels.values());
    for (const c of channels) if (c.status === 'fulfilled') await c.value.close?.().catch(() => undefined);
    this.#channels.clear();
  }
}

/** Several notifications as one digest message (what a rate limit sends instead of a burst). */
export function mergeNotifications(list: readonly NotificationData[], perMinute: number): NotificationData {
  const first = list[0]!;
  const failed = list.filter((d) => d.outcome !== 'succeeded').length;
  const data = blankNotification('summary', new Date(first.at), first.host);
  const bytes = list.reduce((s, d) => s + d.bytes, 0);
  return {
    ...data,
    title: `holdfast: ${list.length} notifications merged (channel limit ${perMinute}/min), ${failed} need attention`,
    outcome: failed > 0 ? 'failed' : 'succeeded',
    bytes,
    bytesText: formatBytes(bytes),
    digest: {
      from: null,
      to: first.at,
      lines: list.map((d) => ({
        job: d.job ?? d.title,
        outcome: d.outcome,
        runs: d.runId ? 1 : 0,
        failed: d.outcome === 'succeeded' ? 0 : 1,
        bytes: d.bytes,
        bytesText: d.bytesText,
        lastSuccessAt: null,
        detail: d.error ? d.error.split('\n')[0]! : d.event,
      })),
    },
  };
}

/** Every `{ secretRef }` inside a spec. */
export function secretRefsIn(value: unknown, out: SecretRef[] = []): SecretRef[] {
  if (isSecretRef(value)) out.push(value);
  else if (Array.isArray(value)) for (const v of value) secretRefsIn(v, out);
  else if (typeof value === 'object' && value !== null)
    for (const v of Object.values(value)) secretRefsIn(v, out);
  return out;
}

/** Replaces each secret value, raw and as it looks inside a JSON string, with ********. */
export function redactText(text: string, secrets: readonly Secret[]): string {
  let out = text;
  for (const s of secrets) {
    const raw = s.reveal();
    if (raw.length < 3) continue;
    for (const form of new Set([raw, JSON.stringify(raw).slice(1, -1), encodeURIComponent(raw)]))
      out = out.split(form).join(MASK);
  }
  return out;
}

function redactDeep<T>(value: T, secrets: readonly Secret[]): T {
  if (typeof value === 'string') return redactText(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets)) as T;
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, secrets)])) as T;
  return value;
}
