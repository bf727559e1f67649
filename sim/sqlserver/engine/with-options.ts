import type { SqlValue } from '../engine-api.ts';
import { sqlErrors } from './error-catalog.ts';
import { SqlError } from './sql-error.ts';

/** A WITH option after its values were evaluated (native WITH list or LiteSpeed @with). */
export interface EvaluatedOption {
  name: string;
  value: SqlValue;
  moveTo?: SqlValue;
}

export type OptionContext =
  'backup-database' | 'backup-log' | 'restore-database' | 'restore-log' | 'verify' | 'inspect';

export interface ParsedOptions {
  differential: boolean;
  copyOnly: boolean;
  checksum: boolean;
  noRecovery: boolean;
  noTruncate: boolean;
  init: boolean | null;
  format: boolean | null;
  compression: boolean | null;
  stats: number;
  name: string | null;
  description: string | null;
  recovery: 'RECOVERY' | 'NORECOVERY' | 'STANDBY';
  replace: boolean;
  partial: boolean;
  moves: Array<{ logical: string; physical: string }>;
  stopAt: Date | null;
  file: number | null;
  expiration: Date | { days: number } | null;
  continueAfterError: boolean;
}

const COMMON = [
  'STATS',
  'CHECKSUM',
  'NO_CHECKSUM',
  'CONTINUE_AFTER_ERROR',
  'STOP_ON_ERROR',
  'BLOCKSIZE',
  'BUFFERCOUNT',
  'MAXTRANSFERSIZE',
  'NOUNLOAD',
  'UNLOAD',
  'REWIND',
  'NOREWIND',
];
const ALLOWED: Record<OptionContext, string[]> = {
  'backup-database': [
    ...COMMON,
    'DIFFERENTIAL',
    'COPY_ONLY',
    'INIT',
    'NOINIT',
    'FORMAT',
    'NOFORMAT',
    'SKIP',
    'NOSKIP',
    'COMPRESSION',
    'NO_COMPRESSION',
    'NAME',
    'DESCRIPTION',
    'MEDIANAME',
    'MEDIADESCRIPTION',
    'EXPIREDATE',
    'RETAINDAYS',
  ],
  'backup-log': [
    ...COMMON,
    'COPY_ONLY',
    'NORECOVERY',
    'NO_TRUNCATE',
    'INIT',
    'NOINIT',
    'FORMAT',
    'NOFORMAT',
    'SKIP',
    'NOSKIP',
    'COMPRESSION',
    'NO_COMPRESSION',
    'NAME',
    'DESCRIPTION',
    'MEDIANAME',
    'MEDIADESCRIPTION',
    'EXPIREDATE',
    'RETAINDAYS',
  ],
  'restore-database': [
    ...COMMON,
    'RECOVERY',
    'NORECOVERY',
    'STANDBY',
    'REPLACE',
    'PARTIAL',
    'MOVE',
    'STOPAT',
    'FILE',
    'KEEP_REPLICATION',
    'KEEP_CDC',
    'RESTRICTED_USER',
    'ENABLE_BROKER',
    'NEW_BROKER',
    'ERROR_BROKER_CONVERSATIONS',
    'MEDIANAME',
  ],
  'restore-log': [
    ...COMMON,
    'RECOVERY',
    'NORECOVERY',
    'STANDBY',
    'MOVE',
    'STOPAT',
    'FILE',
    'KEEP_REPLICATION',
    'KEEP_CDC',
    'RESTRICTED_USER',
    'MEDIANAME',
    'REPLACE',
  ],
  verify: [...COMMON, 'FILE', 'LOADHISTORY', 'MEDIANAME'],
  inspect: [...COMMON, 'FILE', 'MEDIANAME'],
};

/**
 * Interprets WITH options for one kind of statement. `unsupported` builds the error for options the
 * statement does not take (3032 for native T-SQL, a LiteSpeed parameter error for @with).
 */
export function interpretOptions(
  options: EvaluatedOption[],
  context: OptionContext,
  unsupported: (names: string) => SqlError,
): ParsedOptions {
  const out: ParsedOptions = {
    differential: false,
    copyOnly: false,
    checksum: false,
    noRecovery: false,
    noTruncate: false,
    init: null,
    format: null,
    compression: null,
    stats: 0,
    name: null,
    description: null,
    recovery: 'RECOVERY',
    replace: false,
    partial: false,
    moves: [],
    stopAt: null,
    file: null,
    expiration: null,
    continueAfterError: false,
  };
  const bad = options.filter((o) => !ALLOWED[context].includes(o.name)).map((o) => o.name);
  if (bad.length > 0) throw unsupported(bad.join(', '));
  const has = (n: string) => options.some((o) => o.name === n);
  const recoveryOptions = ['RECOVERY', 'NORECOVERY', 'STANDBY'].filter(has);
  if (recoveryOptions.length > 1)
    throw sqlErrors.optionConflict(recoveryOptions[0]!, recoveryOptions.slice(1).join(', '));
  if (has('CHECKSUM') && has('NO_CHECKSUM')) throw sqlErrors.optionConflict('CHECKSUM', 'NO_CHECKSUM');
  if (has('CONTINUE_AFTER_ERROR') && has('STOP_ON_ERROR'))
    throw sqlErrors.optionConflict('CONTINUE_AFTER_ERROR', 'STOP_ON_ERROR');
  for (const o of options) {
    switch (o.name) {
      case 'DIFFERENTIAL':
        out.differential = true;
        break;
      case 'COPY_ONLY':
        out.copyOnly = true;
        break;
      case 'CHECKSUM':
        out.checksum = true;
        break;
      case 'NORECOVERY':
        if (context === 'backup-log') out.noRecovery = true;
        else out.recovery = 'NORECOVERY';
        break;
      case 'RECOVERY':
        out.recovery = 'RECOVERY';
        break;
      case 'STANDBY':
        out.recovery = 'STANDBY';
        requireText(o, 'STANDBY');
        break;
      case 'NO_TRUNCATE':
        out.noTruncate = true;
        break;
      case 'INIT':
        out.init = true;
        break;
      case 'NOINIT':
        out.init = false;
        break;
      case 'FORMAT':
        out.format = true;
        break;
      case 'NOFORMAT':
        out.format = false;
        break;
      case 'COMPRESSION':
        out.compression = true;
        break;
      case 'NO_COMPRESSION':
        out.compression = false;
        break;
      case 'STATS':
        out.stats = o.value === null ? 10 : intValue(o, 1, 100);
        break;
      case 'NAME':
        out.name = requireText(o, 'NAME', 128);
        break;
      case 'DESCRIPTION':
        out.description = requireText(o, 'DESCRIPTION', 255);
        break;
      case 'REPLACE':
        out.replace = true;
        break;
      case 'CONTINUE_AFTER_ERROR':
        out.continueAfterError = true;
        break;
      case 'PARTIAL':
        out.partial = true;
        break;
      case 'MOVE':
        out.moves.push({ logical: requireText(o, 'MOVE'), physical: textOf(o.moveTo, 'MOVE ... TO') });
        break;
      case 'STOPAT':
        out.stopAt = dateValue(o.value);
        break;
      case 'FILE':
        out.file = intValue(o, 1, 32767);
        break;
      case 'EXPIREDATE':
        out.expiration = dateValue(o.value);
        break;
      case 'RETAINDAYS':
        out.expiration = { days: intValue(o, 0, 99999) };
        break;
      case 'BLOCKSIZE':
        checkBlockSize(o);
        break;
      case 'BUFFERCOUNT':
        intValue(o, 1, 2147483647);
        break;
      case 'MAXTRANSFERSIZE':
        intValue(o, 65536, 4194304);
        break;
      default:
        break;
    }
  }
  return out;
}

function textOf(v: SqlValue | undefined, what: string): string {
  if (typeof v !== 'string' || v.length === 0)
    throw new SqlError(3217, `Invalid value specified for ${what} parameter.`);
  return v;
}

function requireText(o: EvaluatedOption, what: string, max?: number): string {
  const v = textOf(o.value, what);
  if (max !== undefined && v.length > max)
    throw new SqlError(3217, `Invalid value specified for ${what} parameter.`);
  return v;
}

function intValue(o: EvaluatedOption, min: number, max: number): number {
  const n = typeof o.value === 'string' && /^-?\d+$/.test(o.value.trim()) ? Number(o.value) : o.value;
  if (typeof n !== 'number' || !Number.isInteger(n))
    throw new SqlError(3217, `Invalid value specified for ${o.name} parameter.`);
  if (n < min || n > max)
    throw new SqlError(3250, `The value '${n}' is not within range for the ${o.name} parameter.`);
  return n;
}

function checkBlockSize(o: EvaluatedOption): void {
  const n = intValue(o, 512, 65536);
  if ((n & (n - 1)) !== 0)
    throw new SqlError(3253, 'The block size parameter must supply a value that is a power of 2.');
}

/**
 * STOPAT values: a datetime, or text like `2026-03-01 14:30:00[.mmm]` / ISO 8601. Text without a
 * zone is the server's local time, which is UTC for the simulator.
 */
export function dateValue(v: SqlValue): Date {
  if (v instanceof Date) return v;
  if (typeof v === 'string') {
    const t = v.trim();
    const m =
      /^(\d{4})-?(\d{2})-?(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?(Z|[+-]\d{2}:\d{2})?$/.exec(
        t,
      );
    if (m) {
      const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}.${(m[7] ?? '0').padEnd(3, '0').slice(0, 3)}${m[8] ?? 'Z'}`;
      const d = new Date(iso);
      if (!Number.isNaN(d.getTime())) return d;
    }
  }
  throw new SqlError(241, `Conversion failed when converting date and/or time from character string.`);
}
