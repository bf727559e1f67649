import type { RenderedMessage } from './render-message.ts';
import type { ChannelSpec } from './schema.ts';

/**
 * A notification channel (a Channel manifest made live): Teams through a Workflows webhook, Slack, a generic
 * webhook such as a Logic App trigger, or e-mail through SMTP.
 *
 * - `send` delivers one rendered message exactly once. It does not retry and does not wait for a rate limit:
 *   the notifier does both. It honours `signal` (the notifier aborts it on its per-attempt timeout).
 * - It throws {@link DeliveryError}; `retryable` is true when the same message may get through later (HTTP 5xx,
 *   408, 429, a timeout, a refused or dropped connection, an SMTP 4xx reply) and false when it never will as
 *   configured (HTTP 4xx, a redirect, SMTP 5xx, refused credentials).
 * - Error messages never contain the channel's URL, tokens or passwords (they are secrets): they say what the
 *   server answered (status, a short excerpt of the reply) or which network error happened.
 */
export interface NotifyChannel {
  /** The Channel manifest's name. */
  readonly name: string;
  readonly type: ChannelSpec['type'];
  send(message: RenderedMessage, signal: AbortSignal): Promise<void>;
  /** Releases connections. Must not throw. */
  close?(): Promise<void>;
}

export class DeliveryError extends Error {
  readonly retryable: boolean;
  /** From a Retry-After header: how long the server asked us to wait. */
  readonly retryAfterMs?: number;
  /** HTTP status or SMTP reply code, when there was an answer. */
  readonly status?: number;

  constructor(
    message: string,
    options: { retryable: boolean; retryAfterMs?: number; status?: number; cause?: unknown },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DeliveryError';
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
  }
}

/** The network error code of a failed connection (`ECONNREFUSED`), looking through `cause`s; never a URL. */
export function networkErrorCode(err: unknown): string {
  let e: unknown = err;
  for (let i = 0; i < 5 && e; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.length > 0) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return err instanceof Error ? err.name : 'unknown';
}

/** True when the signal was aborted by a timeout (AbortSignal.timeout), not by a cancel. */
export function timedOut(signal: AbortSignal): boolean {
  return signal.aborted && (signal.reason as { name?: string } | undefined)?.name === 'TimeoutError';
}
