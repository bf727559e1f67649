import { DeliveryError, type NotifyChannel } from './channel.ts';
import type { RenderedMessage } from './render-message.ts';

export interface RetryOptions {
  /** Extra attempts after the first. */
  retries: number;
  /** Per-attempt time limit. */
  timeoutMs: number;
  /** First backoff delay; doubles each attempt, with ±20 % jitter (default 1000 ms). */
  baseDelayMs?: number;
  /** Longest wait between attempts, Retry-After included (default 30 s). */
  maxDelayMs?: number;
  /** Cancels waiting and the attempt in flight. */
  signal?: AbortSignal;
}

export interface DeliveryOutcome {
  attempts: number;
  /** The last error when every attempt failed (or a permanent error stopped the retries). */
  error?: DeliveryError;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Sends one message with retries: a retryable failure (5xx, 429, timeout, network) is tried again after an
 * exponential backoff, or after the server's Retry-After when it gave one; a permanent failure stops at once.
 * Never throws: the outcome says how many attempts were made and what the last error was.
 */
export async function deliverWithRetries(
  channel: NotifyChannel,
  message: RenderedMessage,
  options: RetryOptions,
): Promise<DeliveryOutcome> {
  const base = options.baseDelayMs ?? 1000;
  const max = options.maxDelayMs ?? 30_000;
  let last: DeliveryError | undefined;
  const attempts = 1 + Math.max(0, options.retries);
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (options.signal?.aborted)
      return { attempts: attempt - 1, error: new DeliveryError('cancelled', { retryable: false }) };
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    try {
      await channel.send(message, signal);
      return { attempts: attempt };
    } catch (err) {
      last =
        err instanceof DeliveryError
          ? err
          : new DeliveryError(err instanceof Error ? err.name : 'error', { retryable: false, cause: err });
      if (!last.retryable || attempt === attempts) return { attempts: attempt, error: last };
      const backoff = base * 2 ** (attempt - 1) * (0.8 + Math.random() * 0.4);
      await sleep(Math.min(max, Math.max(backoff, last.retryAfterMs ?? 0)), options.signal);
    }
  }
  return { attempts, error: last };
}
