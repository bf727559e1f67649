import type Handlebars from 'handlebars';
import { handlebars } from '../../src/core/handlebars.ts';

/**
 * T-SQL escaping by construction, shared by backup and restore rendering. Every value that reaches a
 * template goes through one of these helpers; each one checks its input and throws rather than emit text
 * that could change the statement's meaning.
 */

export class TsqlValueError extends TypeError {
  constructor(helper: string, value: unknown, allowed: string) {
    super(`${helper}: ${describe(value)} is not ${allowed}`);
    this.name = 'TsqlValueError';
  }
}

function describe(value: unknown): string {
  if (isHelperOptions(value)) return '(no value)';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return value === undefined ? 'undefined' : value === null ? 'null' : `${typeof value} ${String(value)}`;
}

function isHelperOptions(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'hash' in value && 'data' in value;
}

function text(helper: string, value: unknown, allowed: string): string {
  if (typeof value !== 'string' || value.includes('\u0000')) throw new TsqlValueError(helper, value, allowed);
  return value;
}

/** Bracket-quoted identifier: `[name]` with `]` doubled. 1-128 characters, no NUL. */
export function ident(value: unknown): string {
  const name = text('ident', value, 'an identifier (1-128 characters, no NUL)');
  if (name.length === 0 || name.length > 128)
    throw new TsqlValueError('ident', value, 'an identifier (1-128 characters, no NUL)');
  return `[${name.replaceAll(']', ']]')}]`;
}

/** Unicode string literal: `N'...'` with `'` doubled. No NUL. */
export function nstr(value: unknown): string {
  return `N'${text('nstr', value, 'a string without NUL characters').replaceAll("'", "''")}'`;
}

/** A checked integer literal (safe integer). */
export function int(value: unknown): string {
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    throw new TsqlValueError('int', value, 'a safe integer');
  return String(value);
}

/** An LSN literal: numeric(25,0) as decimal digits (string or bigint), never a JavaScript number. */
export function lsn(value: unknown): string {
  const digits = typeof value === 'bigint' && value >= 0n ? value.toString(10) : value;
  if (typeof digits !== 'string' || !/^\d{1,25}$/.test(digits))
    throw new TsqlValueError('lsn', value, 'an LSN (decimal string of 1-25 digits)');
  return digits;
}

const ISO = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * A date-time as SQL Server reads it regardless of SET LANGUAGE / DATEFORMAT: `yyyy-mm-ddThh:mm:ss[.fff]`.
 * A Date is written in UTC; an ISO-8601 string is written as its own wall-clock time (its offset is
 * dropped: STOPAT is read in the server's local time, so plans carry the server's offset).
 */
export function datetime(value: unknown): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TsqlValueError('datetime', value, 'a valid date');
    return datetime(value.toISOString());
  }
  const m = typeof value === 'string' ? ISO.exec(value) : null;
  if (!m)
    throw new TsqlValueError('datetime', value, 'an ISO-8601 date-time (yyyy-mm-ddThh:mm:ss[.fff][offset])');
  const ms = (m[3] ?? '').padEnd(3, '0').slice(0, 3);
  return `${m[1]}T${m[2]}${ms === '000' ? '' : `.${ms}`}`;
}

/** Text for a `-- comment`: one line (every line break becomes a space), no NUL. */
export function comment(value: unknown): string {
  if (typeof value !== 'string' && typeof value !== 'number')
    throw new TsqlValueError('comment', value, 'text');
  return String(value)
    .replace(/[\r\n\u0085\u2028\u2029]+/g, ' ')
    .replaceAll('\u0000', '');
}

/** `MOVE N'logical' TO N'physical'`. */
export function moveClause(logical: unknown, physical: unknown): string {
  return `MOVE ${nstr(logical)} TO ${nstr(physical)}`;
}

/** `STOPAT = 'yyyy-mm-ddThh:mm:ss[.fff]'` (the literal holds only digits and - : T .). */
export function stopAtClause(at: unknown): string {
  return `STOPAT = '${datetime(at)}'`;
}

/** `DISK = N'...'`, `URL = N'...'` or `TAPE = N'...'` from backupmediafamily.device_type. */
export function backupDevice(deviceType: unknown, path: unknown): string {
  if (deviceType !== null && (typeof deviceType !== 'number' || !Number.isInteger(deviceType))) {
    throw new TsqlValueError('backupDevice', deviceType, 'a device type number or null');
  }
  const keyword = deviceType === 9 ? 'URL' : deviceType === 5 ? 'TAPE' : 'DISK';
  return `${keyword} = ${nstr(path)}`;
}

/** A Handlebars instance of its own with the T-SQL helpers, compiling with noEscape and strict. */
export interface TsqlHandlebars {
  handlebars: typeof Handlebars;
  compile<T extends object>(source: string): (context: T) => string;
}

const HELPERS: Record<string, (...args: unknown[]) => string> = {
  ident,
  nstr,
  int,
  lsn,
  datetime,
  comment,
  moveClause,
  stopAtClause,
  backupDevice,
};

export function createTsqlHandlebars(): TsqlHandlebars {
  const hb = handlebars().create();
  for (const [name, fn] of Object.entries(HELPERS)) {
    hb.registerHelper(name, (...args: unknown[]) => {
      const values = args.slice(0, -1);
      if (values.length < fn.length)
        throw new TsqlValueError(
          name,
          undefined,
          `called with ${fn.length} value${fn.length === 1 ? '' : 's'}`,
        );
      return fn(...values);
    });
  }
  return {
    handlebars: hb,
    compile<T extends object>(source: string) {
      const template = hb.compile<T>(source, { noEscape: true, strict: true });
      return (context: T) => template(context);
    },
  };
}
