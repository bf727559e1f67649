import { ErrorCode, HoldfastError } from '../../src/core/errors.ts';
import { redact, type Secret } from '../../src/core/secret.ts';

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'REQUEST_SEND_ERROR',
]);
/** Statuses a later attempt may get past: throttled, timeout, retry-with, gone (split), server busy. */
const RETRYABLE_STATUSES = new Set([408, 410, 429, 449, 503]);

/** What a failed Cosmos DB call tells us, read from an SDK ErrorResponse or a Node network error. */
export interface CosmosFailure {
  /** HTTP status, when the server answered. */
  status?: number;
  substatus?: number;
  /** System error code for network failures (ECONNRESET...). */
  networkCode?: string;
  retryAfterMs?: number;
  retryable: boolean;
  message: string;
}

export function readCosmosFailure(err: unknown): CosmosFailure {
  const e = (err ?? {}) as {
    code?: unknown;
    substatus?: unknown;
    retryAfterInMs?: unknown;
    message?: unknown;
    name?: unknown;
    cause?: { code?: unknown };
  };
  const message = typeof e.message === 'string' && e.message !== '' ? firstLine(e.message) : String(err);
  const retryAfterMs = typeof e.retryAfterInMs === 'number' ? e.retryAfterInMs : undefined;
  const substatus = typeof e.substatus === 'number' ? e.substatus : undefined;
  if (typeof e.code === 'number')
    return { status: e.code, substatus, retryAfterMs, retryable: RETRYABLE_STATUSES.has(e.code), message };
  const code =
    typeof e.code === 'string' ? e.code : typeof e.cause?.code === 'string' ? e.cause.code : undefined;
  if (code && NETWORK_CODES.has(code)) return { networkCode: code, retryable: true, message };
  if (e.name === 'TimeoutError' || code === 'TimeoutError')
    return { networkCode: 'TIMEOUT', retryable: true, message };
  return { retryable: false, message };
}

export interface CosmosErrorContext {
  endpoint: string;
  /** What was being done, e.g. `reading shop/orders`. */
  action: string;
  /** `db/container` when the call was about one container (a 404 then means it is gone). */
  container?: string;
  secrets?: Iterable<Secret>;
}

/**
 * Turns an SDK or network error into a HoldfastError whose message says what went wrong in the user's terms:
 * unreachable account, refused credentials, a container that no longer exists, throttling beyond the retries.
 */
export function toCosmosError(err: unknown, context: CosmosErrorContext): HoldfastError {
  if (err instanceof HoldfastError) return err;
  const f = readCosmosFailure(err);
  const safe = (text: string) => redact(text, context.secrets ?? []);
  const where = `Cosmos DB account ${context.endpoint}`;
  let code: ErrorCode = ErrorCode.ServerError;
  let message: string;
  if (f.networkCode) {
    message = `cannot reach ${where} while ${context.action}: ${f.message}`;
  } else if (f.status === 401 || f.status === 403) {
    message =
      `${where} refused the credentials while ${context.action} (${f.status}${f.status === 401 ? ' Unauthorized' : ' Forbidden'}): ` +
      'check account.auth (the key, or the identity and its Cosmos DB data-plane role assignment)';
  } else if (f.status === 404 && context.container) {
    code = ErrorCode.NotFound;
    message = `container ${context.container} does not exist on ${where} (deleted while ${context.action}?)`;
  } else if (f.status === 429) {
    message = `${where} kept throttling (429 request rate too large) while ${context.action}, beyond the retry budget; lower maxRequestUnitsPerSecond or raise the throughput`;
  } else if (f.status !== undefined) {
    message = `${where} answered ${f.status}${f.substatus ? `/${f.substatus}` : ''} while ${context.action}: ${f.message}`;
  } else {
    message = `${where}: ${context.action} failed: ${f.message}`;
  }
  return new HoldfastError(code, safe(message), {
    retryable: f.retryable,
    details: { status: f.status, substatus: f.substatus, networkCode: f.networkCode },
    cause: err,
  });
}

function firstLine(text: string): string {
  const line = text.split('\n')[0]!.trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
