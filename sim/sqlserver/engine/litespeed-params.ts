import type { SqlValue } from '../engine-api.ts';
import { liteSpeedErrors } from './litespeed-errors.ts';
import type { ProcArg } from './procedure-types.ts';
import { dateValue } from './with-options.ts';

/** How one LiteSpeed parameter is checked. */
export interface ParamSpec {
  kind: 'string' | 'int' | 'datetime';
  repeatable?: boolean;
  required?: boolean;
  min?: number;
  max?: number;
  maxLength?: number;
  oneOf?: readonly string[];
  /** Accepted by LiteSpeed but not by the simulator: refused with this reason. */
  unsupported?: string;
  /** Extra rule, returns a problem or null. */
  check?: (v: number) => string | null;
}

export type ParamSpecs = Readonly<Record<string, ParamSpec>>;

/** Checked parameter values by lower-case name (without @). */
export class LiteSpeedParams {
  readonly #values: Map<string, SqlValue[]>;
  constructor(values: Map<string, SqlValue[]>) {
    this.#values = values;
  }
  has(name: string): boolean {
    return this.#values.has(name);
  }
  strings(name: string): string[] {
    return (this.#values.get(name) ?? []).map((v) => String(v));
  }
  string(name: string): string | null {
    const v = this.#values.get(name)?.[0];
    return v === undefined || v === null ? null : String(v);
  }
  int(name: string): number | null {
    const v = this.#values.get(name)?.[0];
    return typeof v === 'number' ? v : null;
  }
  date(name: string): Date | null {
    const v = this.#values.get(name)?.[0];
    return v instanceof Date ? v : null;
  }
}

/**
 * Reads named arguments against the procedure's parameter list: unknown names (60603), repeated
 * non-repeatable ones, wrong types and out-of-range values (60602) are refused with the parameter
 * named. NULL values count as not given. Positional arguments are refused.
 */
export function readParams(procedure: string, args: ProcArg[], specs: ParamSpecs): LiteSpeedParams {
  const values = new Map<string, SqlValue[]>();
  const accepted = Object.keys(specs).map((k) => `@${k}`);
  for (const a of args) {
    if (a.name === null)
      throw liteSpeedErrors.parameter(
        '(positional)',
        `${procedure} takes named parameters only (@name = value)`,
      );
    const key = a.name.replace(/^@/, '').toLowerCase();
    const spec = specs[key];
    if (!spec) throw liteSpeedErrors.unknownParameter(procedure, a.name, accepted);
    if (spec.unsupported) throw liteSpeedErrors.parameter(a.name, spec.unsupported);
    if (a.value === null) continue;
    const list = values.get(key) ?? [];
    if (list.length > 0 && !spec.repeatable)
      throw liteSpeedErrors.parameter(a.name, 'may be given only once');
    list.push(convert(a.name, a.value, spec));
    values.set(key, list);
  }
  for (const [key, spec] of Object.entries(specs)) {
    if (spec.required && !values.has(key)) throw liteSpeedErrors.parameter(`@${key}`, 'is required');
  }
  return new LiteSpeedParams(values);
}

function convert(name: string, value: SqlValue, spec: ParamSpec): SqlValue {
  if (spec.kind === 'int') {
    const n =
      typeof value === 'number'
        ? value
        : typeof value === 'bigint'
          ? Number(value)
          : typeof value === 'boolean'
            ? Number(value)
            : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)
              ? Number(value)
              : NaN;
    if (!Number.isInteger(n))
      throw liteSpeedErrors.parameter(name, `expected an integer, got ${JSON.stringify(String(value))}`);
    if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
      throw liteSpeedErrors.parameter(
        name,
        `${n} is out of range (allowed ${spec.min ?? '-'} to ${spec.max ?? '-'})`,
      );
    }
    const problem = spec.check?.(n);
    if (problem) throw liteSpeedErrors.parameter(name, problem);
    return n;
  }
  if (spec.kind === 'datetime') {
    try {
      return dateValue(value);
    } catch {
      throw liteSpeedErrors.parameter(name, `expected a date and time, got ${JSON.stringify(String(value))}`);
    }
  }
  const s = value instanceof Date ? value.toISOString() : String(value);
  if (spec.maxLength !== undefined && s.length > spec.maxLength)
    throw liteSpeedErrors.parameter(
      name,
      `is ${s.length} characters long; at most ${spec.maxLength} are allowed`,
    );
  if (spec.oneOf && !spec.oneOf.some((o) => o.toLowerCase() === s.toLowerCase()))
    throw liteSpeedErrors.parameter(
      name,
      `must be one of ${spec.oneOf.join(', ')}, got ${JSON.stringify(s)}`,
    );
  if (s.length === 0 && spec.required) throw liteSpeedErrors.parameter(name, 'must not be empty');
  return s;
}

const flag = (max = 1): ParamSpec => ({ kind: 'int', min: 0, max });
const JOBP = 'is LiteSpeed-UI obfuscated key material the simulator cannot read; pass @encryptionkey instead';

const COMMON_IO: ParamSpecs = {
  affinity: { kind: 'int', min: 0 },
  logging: flag(2),
  threads: { kind: 'int', min: 1, max: 32 },
  buffercount: { kind: 'int', min: 1, max: 4096 },
  maxtransfersize: {
    kind: 'int',
    min: 65536,
    max: 4194304,
    check: (v) => (v % 65536 === 0 ? null : 'must be a multiple of 65536'),
  },
  ioflag: { kind: 'string', repeatable: true },
  priority: { kind: 'int', min: -1, max: 2 },
  returndetails: flag(),
  encryptionkey: { kind: 'string' },
  jobp: { kind: 'string', unsupported: JOBP },
};

const BACKUP_COMMON: ParamSpecs = {
  ...COMMON_IO,
  database: { kind: 'string', required: true, maxLength: 128 },
  filename: { kind: 'string', repeatable: true, required: true, maxLength: 260 },
  mirror: { kind: 'string', repeatable: true, maxLength: 260 },
  with: { kind: 'string', repeatable: true },
  init: flag(),
  format: flag(2),
  compressionlevel: { kind: 'int', min: 0, max: 11 },
  adaptivecompression: { kind: 'string', oneOf: ['Speed', 'Size'] },
  cryptlevel: { kind: 'int', min: 0, max: 8 },
  throttle: { kind: 'int', min: 1, max: 100 },
  desc: { kind: 'string', maxLength: 128 },
  backupname: { kind: 'string', maxLength: 128 },
  expiration: { kind: 'datetime' },
  retaindays: { kind: 'int', min: 0, max: 99999 },
  verify: flag(),
};

export const BACKUP_DATABASE_PARAMS: ParamSpecs = {
  ...BACKUP_COMMON,
  filegroup: { kind: 'string', repeatable: true, maxLength: 128 },
  file: { kind: 'string', repeatable: true, maxLength: 128 },
  read_write_filegroups: flag(),
  olrmap: flag(),
};

export const BACKUP_LOG_PARAMS: ParamSpecs = BACKUP_COMMON;

const RESTORE_COMMON: ParamSpecs = {
  ...COMMON_IO,
  database: { kind: 'string', required: true, maxLength: 128 },
  filename: { kind: 'string', repeatable: true, required: true, maxLength: 260 },
  filenumber: { kind: 'int', min: 1, max: 32767 },
  with: { kind: 'string', repeatable: true },
};

export const RESTORE_DATABASE_PARAMS: ParamSpecs = {
  ...RESTORE_COMMON,
  filegroup: { kind: 'string', repeatable: true, maxLength: 128 },
  file: { kind: 'string', repeatable: true, maxLength: 128 },
  read_write_filegroups: flag(),
};

export const RESTORE_LOG_PARAMS: ParamSpecs = RESTORE_COMMON;

export const VERIFY_PARAMS: ParamSpecs = {
  ...COMMON_IO,
  database: { kind: 'string', maxLength: 128 },
  filename: { kind: 'string', repeatable: true, required: true, maxLength: 260 },
  filenumber: { kind: 'int', min: 1, max: 32767 },
  with: { kind: 'string', repeatable: true },
};

export const INSPECT_PARAMS: ParamSpecs = {
  filename: { kind: 'string', repeatable: true, required: true, maxLength: 260 },
  filenumber: { kind: 'int', min: 1, max: 32767 },
  encryptionkey: { kind: 'string' },
  jobp: { kind: 'string', unsupported: JOBP },
  affinity: { kind: 'int', min: 0 },
  logging: flag(2),
};
