import type sql from 'mssql';
import { ErrorCode, HoldfastError } from '../../src/core/errors.ts';
import { isSecret, redact, type Secret } from '../../src/core/secret.ts';
import type { RenderedStatement } from './render-statements.ts';
import { loadedDriver, unlimitedRequest } from './sql-connection.ts';

/** An informational message (progress, "Processed N pages...") as SQL Server sent it. */
export interface ServerMessage {
  number: number;
  message: string;
}

export interface StatementResult {
  /** The `rc` column the LiteSpeed templates select, or null (native statements). */
  rc: number | null;
  messages: ServerMessage[];
}

export interface RunStatementOptions {
  /** No request time limit (backups, verifies). */
  unlimited: boolean;
  signal: AbortSignal;
  /** Values that must never appear in an error message (passwords, keys). */
  secrets: readonly Secret[];
  onMessage?(message: ServerMessage): void;
}

/**
 * Runs a rendered statement with its values bound as typed parameters (sp_executesql on the wire).
 * SQL errors (LiteSpeed's own, SQL Server's, the template's RAISERROR on a non-zero return code) become one
 * HoldfastError naming every error number, with secrets scrubbed. Never retried: a backup is not idempotent.
 */
export async function runStatement(
  pool: sql.ConnectionPool,
  statement: RenderedStatement,
  options: RunStatementOptions,
): Promise<StatementResult> {
  const request = options.unlimited ? unlimitedRequest(pool) : pool.request();
  const mssql = loadedDriver();
  for (const p of statement.parameters) {
    const value = isSecret(p.value) ? p.value.reveal() : p.value;
    request.input(p.name, p.type === 'int' ? mssql.Int : mssql.NVarChar(p.length ?? 4000), value);
  }
  const messages: ServerMessage[] = [];
  request.on('info', (m: { number: number; message: string }) => {
    const msg = { number: m.number, message: redact(m.message, options.secrets) };
    messages.push(msg);
    options.onMessage?.(msg);
  });
  const onAbort = () => request.cancel();
  options.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await request.query(statement.sql);
    const sets = (result.recordsets ?? []) as unknown as Record<string, unknown>[][];
    const row = sets.flat().findLast((r) => r && 'rc' in r);
    return { rc: row === undefined || row.rc === null ? null : Number(row.rc), messages };
  } catch (err) {
    throw sqlFailure(err, options.secrets, options.signal.aborted);
  } finally {
    options.signal.removeEventListener('abort', onAbort);
  }
}

interface MssqlError extends Error {
  number?: number;
  code?: string;
  precedingErrors?: MssqlError[];
}

/** Every server error of a failed request, first to last, as `Msg N: text`. */
export function describeSqlErrors(
  err: unknown,
  secrets: readonly Secret[] = [],
): { text: string; numbers: number[] } {
  const e = err as MssqlError;
  const all = [...(e.precedingErrors ?? []), e];
  const numbers = all.map((x) => x.number).filter((n): n is number => typeof n === 'number');
  const text = all
    .map((x) =>
      typeof x.number === 'number'
        ? `Msg ${x.number}: ${x.message}`
        : `${x.message}${x.code ? ` (${x.code})` : ''}`,
    )
    .join('; ');
  return { text: redact(text, secrets), numbers };
}

function sqlFailure(err: unknown, secrets: readonly Secret[], cancelled: boolean): HoldfastError {
  if (cancelled)
    return new HoldfastError(ErrorCode.Cancelled, 'cancelled while the statement ran', { cause: err });
  const { text, numbers } = describeSqlErrors(err, secrets);
  const code = (err as MssqlError).code;
  const connectionLost =
    numbers.length === 0 &&
    ['ESOCKET', 'ECONNCLOSED', 'ECONNRESET', 'ETIMEOUT', 'ENOTOPEN', 'ECANCEL'].includes(code ?? '');
  return new HoldfastError(
    ErrorCode.ServerError,
    connectionLost ? `the connection to SQL Server was lost: ${text}` : text,
    {
      retryable: false,
      details: { sqlErrors: numbers, ...(code ? { driverCode: code } : {}) },
    },
  );
}
