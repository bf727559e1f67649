import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, HoldfastError } from '../../src/core/errors.ts';
import { readCosmosFailure } from './cosmos-errors.ts';

export interface RetryTransientOptions {
  /** Attempts in all, the first included (default 8). */
  attempts?: number;
  /** First delay; doubles each time, with jitter (default 500 ms). */
  baseDelayMs?: number;
  /** Longest single delay (default 30 s). */
  maxDelayMs?: number;
  signal?: AbortSignal;
  /** Called before each wait, e.g. to log or to rebuild an iterator. */
  onRetry?(info: { attempt: number; delayMs: number; error: unknown }): void;
}

/**
 * The outer backoff around one Cosmos DB call, on top of the SDK's own retries: when those give up on a
 * transient failure (throttling storm, 503, a dropped connection), wait and try again, honouring the server's
 * retry-after. Permanent failures (401, 404, 400...) are thrown at once. Abort stops the wait.
 */
export async function retryTransient<T>(
  call: (attempt: number) => Promise<T>,
  options: RetryTransientOptions = {},
): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 8);
  const base = options.baseDelayMs ?? 500;
  const max = options.maxDelayMs ?? 30_000;
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw cancelled(options.signal);
    try {
      return await call(attempt);
    } catch (err) {
      if (options.signal?.aborted) throw cancelled(options.signal);
      const failure = readCosmosFailure(err);
      if (!failure.retryable || attempt >= attempts) throw err;
      const backoff = Math.min(max, base * 2 ** (attempt - 1));
      const delayMs = Math.round(Math.max(failure.retryAfterMs ?? 0, backoff * (0.5 + Math.random() / 2)));
      options.onRetry?.({ attempt, delayMs, error: err });
      try {
        await sleep(delayMs, undefined, { signal: options.signal });
      } catch {
        throw cancelled(options.signal!);
      }
    }
  }
}

function cancelled(signal: AbortSignal): HoldfastError {
  const reason: unknown = signal.reason;
  return new HoldfastError(ErrorCode.Cancelled, 'cancelled', {
    cause: reason instanceof Error ? reason : undefined,
  });
}
