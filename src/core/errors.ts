/**
 * Errors carry context as fields, never only in the message. Every code lives here.
 *
 * - `code`: one of {@link ErrorCode}; stable, documented, safe to match on.
 * - `retryable`: true when the same call may succeed later (throttling, a dropped connection).
 * - `job`, `plugin`, `hook`, `step`, `target`: where it happened, when known.
 * - `cause`: the original error (never printed with secrets: Secret values print as ********).
 */
export const ErrorCode = {
  /** A job file or flag is invalid. Exit code 2. */
  ConfigInvalid: 'CONFIG_INVALID',
  /** A secret reference could not be resolved (missing env var, unreadable file, vault error). */
  SecretUnresolved: 'SECRET_UNRESOLVED',
  /** A plugin threw; wrapped with the plugin name and hook. */
  PluginFailed: 'PLUGIN_FAILED',
  /** A job asks a plugin for something it does not declare. */
  CapabilityMissing: 'CAPABILITY_MISSING',
  /** A storage target refused an operation (permissions, missing container, network). */
  StorageFailed: 'STORAGE_FAILED',
  /** An object that should exist does not. */
  NotFound: 'NOT_FOUND',
  /** The catalog database could not be opened, migrated or written. */
  CatalogFailed: 'CATALOG_FAILED',
  /** A run of the same job is already in progress (lock held). Exit code 4. */
  AlreadyRunning: 'ALREADY_RUNNING',
  /** A server answered with an error (SQL Server, Cosmos DB, HTTP). */
  ServerError: 'SERVER_ERROR',
  /** A check after an action failed (msdb has no backup set, counts differ, verify failed). */
  VerificationFailed: 'VERIFICATION_FAILED',
  /** The operation was cancelled (SIGINT/SIGTERM, deadline). */
  Cancelled: 'CANCELLED',
  /** A restore or retention rule refuses the request (no valid chain, unsafe removal). */
  RuleViolation: 'RULE_VIOLATION',
  /** Input data (history file, manifest, export file) is malformed. */
  InputInvalid: 'INPUT_INVALID',
  /** A bug: an invariant did not hold. */
  Internal: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ErrorContext {
  job?: string;
  plugin?: string;
  hook?: string;
  step?: string;
  target?: string;
  retryable?: boolean;
  /** Extra structured detail for logs and --json output. Must never hold a secret value. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class HoldfastError extends Error {
  readonly code: ErrorCode;
  readonly job?: string;
  readonly plugin?: string;
  readonly hook?: string;
  readonly step?: string;
  readonly target?: string;
  readonly retryable: boolean;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, context: ErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = 'HoldfastError';
    this.code = code;
    this.job = context.job;
    this.plugin = context.plugin;
    this.hook = context.hook;
    this.step = context.step;
    this.target = context.target;
    this.retryable = context.retryable ?? false;
    this.details = context.details;
  }

  /** Plain data for --json output and logs. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { code: this.code, message: this.message };
    for (const key of ['job', 'plugin', 'hook', 'step', 'target'] as const) {
      if (this[key] !== undefined) out[key] = this[key];
    }
    out.retryable = this.retryable;
    if (this.details) out.details = this.details;
    if (this.cause !== undefined) out.cause = describeError(this.cause);
    return out;
  }
}

/** One line describing any thrown value, with the chain of causes. */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      const num = (current as { number?: unknown }).number;
      const tag = num !== undefined ? ` (Msg ${String(num)})` : code !== undefined && typeof code !== 'object' ? ` (${String(code)})` : '';
      // A wrapper's message usually repeats its cause's; say each thing once.
      if (!parts.some((p) => p.includes(current instanceof Error ? current.message : ''))) parts.push(`${current.message}${tag}`);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return [...new Set(parts)].join(': caused by: ');
}

/** Wraps anything a plugin throws with the plugin's name and the hook it was in (never swallowed). */
export function wrapPluginError(err: unknown, plugin: string, hook: string, context: ErrorContext = {}): HoldfastError {
  if (err instanceof HoldfastError && err.plugin === plugin && err.hook === hook) return err;
  const inner = err instanceof HoldfastError ? err : undefined;
  const message = err instanceof Error ? err.message : String(err);
  return new HoldfastError(inner?.code ?? ErrorCode.PluginFailed, `plugin ${plugin} (${hook}): ${message}`, {
    ...context,
    job: context.job ?? inner?.job,
    step: context.step ?? inner?.step,
    target: context.target ?? inner?.target,
    details: inner?.details ?? context.details,
    plugin,
    hook,
    retryable: inner?.retryable ?? context.retryable ?? false,
    cause: err,
  });
}

/** Documented process exit codes (listed in --help). */
export const ExitCode = {
  Ok: 0,
  StepFailed: 1,
  InvalidInput: 2,
  PartlyFailed: 3,
  AlreadyRunning: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODE_HELP = [
  'Exit codes:',
  '  0  ok',
  '  1  a step failed (or nothing valid could be planned)',
  '  2  invalid input or configuration (nothing was executed)',
  '  3  partly failed: some steps succeeded, some failed',
  '  4  already running: another run holds the job lock',
].join('\n');
