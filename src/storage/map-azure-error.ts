import { ErrorCode, HoldfastError } from '../core/errors.ts';
import { redact, type Secret } from '../core/secret.ts';

export interface AzureErrorContext {
  target: string;
  /** What was being done, as a verb phrase: `write`, `read`, `list`. */
  action: string;
  /** The blob name or key the action was about, when there is one. */
  subject?: string;
  accountUrl: string;
  container: string;
  secrets: readonly Secret[];
}

const NETWORK_CODES = [
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
];
const UNREACHABLE = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH']);
const REFUSED_CODES = new Set([
  'AuthenticationFailed',
  'AuthorizationFailure',
  'AuthorizationPermissionMismatch',
  'AuthorizationResourceTypeMismatch',
  'AuthorizationProtocolMismatch',
  'AuthorizationSourceIPMismatch',
  'AuthorizationServiceMismatch',
  'InvalidAuthenticationInfo',
  'KeyBasedAuthenticationNotPermitted',
]);
const IDENTITY_ERRORS = new Set([
  'CredentialUnavailableError',
  'AuthenticationError',
  'AggregateAuthenticationError',
]);

interface SdkError {
  name?: string;
  message?: string;
  code?: unknown;
  statusCode?: number;
  details?: { errorCode?: string };
  cause?: unknown;
}

/** The storage service's error code (`AuthenticationFailed`, `ContainerNotFound`), or undefined. */
export function azureErrorCode(err: unknown): string | undefined {
  const e = err as SdkError | null;
  const code = e?.details?.errorCode ?? (typeof e?.code === 'string' ? e.code : undefined);
  return code;
}

export function azureStatus(err: unknown): number | undefined {
  const status = (err as SdkError | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** A network errno found on the error, its cause, or its message. */
function networkCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++, e = (e as SdkError).cause) {
    const code = (e as SdkError).code;
    if (typeof code === 'string' && NETWORK_CODES.includes(code)) return code;
    const m =
      typeof (e as SdkError).message === 'string'
        ? new RegExp(`\\b(${NETWORK_CODES.join('|')})\\b`).exec((e as SdkError).message!)
        : null;
    if (m) return m[1];
  }
  return undefined;
}

/**
 * Maps an error from the Blob SDK or identity library to a HoldfastError whose message a person can act on:
 * refused credential, missing container, unreachable account, throttling. Server text is cut to its first
 * line and every secret that went into the client is redacted from it; the original error, which carries the
 * request, is replaced by a plain one so that logging the cause cannot leak a SAS.
 */
export function mapAzureError(err: unknown, ctx: AzureErrorContext): HoldfastError {
  if (err instanceof HoldfastError) return err;
  const e = (err ?? {}) as SdkError;
  const status = azureStatus(err);
  const code = azureErrorCode(err);
  const firstLine = redact(
    String(e.message ?? err)
      .split('\n')[0]!
      .trim(),
    ctx.secrets,
  );
  const cause = Object.assign(
    new Error(firstLine),
    status === undefined && code === undefined
      ? {}
      : { code: [status, code].filter((x) => x !== undefined).join(' ') },
  );
  const where = `container ${ctx.container} in ${ctx.accountUrl}`;
  const base = {
    target: ctx.target,
    cause,
    details: {
      account: ctx.accountUrl,
      container: ctx.container,
      ...(ctx.subject ? { blob: ctx.subject } : {}),
      ...(status ? { status } : {}),
      ...(code ? { errorCode: code } : {}),
    },
  };
  const fail = (message: string, retryable = false) =>
    new HoldfastError(ErrorCode.StorageFailed, `storage ${ctx.target}: ${message}`, { ...base, retryable });

  if (e.name === 'AbortError')
    return new HoldfastError(ErrorCode.Cancelled, `storage ${ctx.target}: ${ctx.action} cancelled`, base);
  if (e.name && IDENTITY_ERRORS.has(e.name)) {
    return fail(`no Entra credential could get a token for ${ctx.accountUrl}: ${firstLine}`);
  }
  if (status === 403 || (code && REFUSED_CODES.has(code))) {
    return fail(
      `the credential was refused for ${where} (${status ?? ''} ${code ?? ''}: ${firstLine})`.replace(
        '( ',
        '(',
      ),
    );
  }
  if (code === 'ContainerNotFound') return fail(`${where} does not exist`);
  if (code === 'BlobNotFound' || (status === 404 && ctx.subject)) {
    return new HoldfastError(
      ErrorCode.NotFound,
      `storage ${ctx.target}: no object ${ctx.subject ?? ''} in ${where}`.replace('  ', ' '),
      base,
    );
  }
  const net = networkCode(err);
  if (net) {
    if (UNREACHABLE.has(net))
      return fail(
        `account ${ctx.accountUrl} unreachable (${net}) while trying to ${ctx.action}${ctx.subject ? ` ${ctx.subject}` : ''}`,
        true,
      );
    return fail(
      `connection to ${ctx.accountUrl} failed (${net}) while trying to ${ctx.action}${ctx.subject ? ` ${ctx.subject}` : ''}`,
      true,
    );
  }
  const retryable = status === 408 || status === 429 || (status !== undefined && status >= 500);
  const answer = status ? `the service answered ${status}${code ? ` ${code}` : ''}: ${firstLine}` : firstLine;
  return fail(
    `cannot ${ctx.action}${ctx.subject ? ` ${ctx.subject}` : ''} in ${where}: ${answer}`,
    retryable,
  );
}
