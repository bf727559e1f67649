import type { ColumnType, SqlValue } from '../engine-api.ts';
import { SqlError } from './sql-error.ts';
import type { DataType } from './tsql-ast.ts';
import { dateValue } from './with-options.ts';

/** Values of the interpreter: conversions (CAST, assignment to a typed variable) and comparisons. */

const INTEGER_RANGES: Record<string, [number, number]> = {
  tinyint: [0, 255],
  smallint: [-32768, 32767],
  int: [-2147483648, 2147483647],
};

const KNOWN = new Set([
  'int',
  'bigint',
  'smallint',
  'tinyint',
  'bit',
  'nvarchar',
  'nchar',
  'varchar',
  'char',
  'sysname',
  'datetime',
  'smalldatetime',
  'datetime2',
  'date',
  'datetimeoffset',
  'decimal',
  'numeric',
  'uniqueidentifier',
  'varbinary',
  'binary',
  'float',
  'real',
  'money',
]);

export function checkType(type: DataType): void {
  if (!KNOWN.has(type.name))
    throw new SqlError(2715, `Column, parameter, or variable #1: Cannot find data type ${type.name}.`, {
      abortsBatch: true,
    });
}

/** CAST(value AS type) / assignment to a variable of that type. */
export function castTo(value: SqlValue, type: DataType): SqlValue {
  if (value === null) return null;
  const name = type.name;
  if (name in INTEGER_RANGES || name === 'bigint') {
    const n = toNumber(value, name);
    const t = Math.trunc(n);
    const range = INTEGER_RANGES[name];
    if (range && (t < range[0] || t > range[1]))
      throw new SqlError(8115, `Arithmetic overflow error converting expression to data type ${name}.`);
    return name === 'bigint' && !Number.isSafeInteger(t) ? BigInt(String(value).split('.')[0]!) : t;
  }
  if (name === 'bit') {
    if (typeof value === 'string') {
      const v = value.trim().toLowerCase();
      if (v === 'true') return true;
      if (v === 'false') return false;
    }
    return toNumber(value, 'bit') !== 0;
  }
  if (name === 'float' || name === 'real' || name === 'money') return toNumber(value, name);
  if (name === 'decimal' || name === 'numeric') {
    const text =
      typeof value === 'bigint'
        ? value.toString()
        : typeof value === 'boolean'
          ? value
            ? '1'
            : '0'
          : String(value).trim();
    if (!/^-?\d+(\.\d+)?$/.test(text))
      throw new SqlError(8114, `Error converting data type varchar to ${name}.`);
    return type.scale ? text : text.split('.')[0]!;
  }
  if (name.includes('date')) return dateValue(value);
  if (name === 'uniqueidentifier') {
    const s = String(value).trim();
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s))
      throw new SqlError(
        8169,
        'Conversion failed when converting from a character string to uniqueidentifier.',
      );
    return s.toUpperCase();
  }
  if (name === 'varbinary' || name === 'binary')
    return Buffer.isBuffer(value) ? value : Buffer.from(String(value), 'utf8');
  return toText(value);
}

export function toText(value: SqlValue): string {
  if (value instanceof Date) return value.toISOString().replace('T', ' ').replace('Z', '');
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (Buffer.isBuffer(value)) return `0x${value.toString('hex').toUpperCase()}`;
  return String(value);
}

export function toNumber(value: SqlValue, target = 'int'): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  throw new SqlError(
    245,
    `Conversion failed when converting the ${typeof value === 'string' ? 'varchar' : 'value'} value '${toText(value)}' to data type ${target}.`,
  );
}

/** Three-valued comparison: null when either side is NULL. */
export function compare(op: string, a: SqlValue, b: SqlValue): boolean | null {
  if (a === null || b === null) return null;
  let c: number;
  if (typeof a === 'string' && typeof b === 'string') {
    const x = a.toLowerCase().trimEnd();
    const y = b.toLowerCase().trimEnd();
    c = x < y ? -1 : x > y ? 1 : 0;
  } else if (a instanceof Date || b instanceof Date) {
    c = Math.sign(dateValue(a).getTime() - dateValue(b).getTime());
  } else {
    const x = toNumber(a);
    const y = toNumber(b);
    c = Math.sign(x - y);
  }
  switch (op) {
    case '=':
      return c === 0;
    case '<>':
      return c !== 0;
    case '<':
      return c < 0;
    case '>':
      return c > 0;
    case '<=':
      return c <= 0;
    case '>=':
      return c >= 0;
    default:
      throw new Error(`unknown comparison ${op}`);
  }
}

/** The result column type for a declared variable type. */
export function columnTypeOf(type: DataType): ColumnType {
  switch (type.name) {
    case 'int':
    case 'bigint':
    case 'smallint':
    case 'tinyint':
    case 'bit':
    case 'float':
    case 'datetime':
    case 'uniqueidentifier':
      return { type: type.name } as ColumnType;
    case 'real':
    case 'money':
      return { type: 'float' };
    case 'smalldatetime':
      return { type: 'datetime' };
    case 'datetime2':
    case 'date':
    case 'datetimeoffset':
      return { type: 'datetime2', scale: 7 };
    case 'decimal':
    case 'numeric':
      return { type: type.name, precision: type.precision ?? 18, scale: type.scale ?? 0 };
    case 'varchar':
    case 'char':
      return { type: 'varchar', length: type.length ?? 30 };
    case 'varbinary':
    case 'binary':
      return { type: 'varbinary', length: type.length ?? 30 };
    case 'sysname':
      return { type: 'nvarchar', length: 128 };
    default:
      return { type: 'nvarchar', length: type.length ?? 30 };
  }
}

/** The result column type for a value with no declared type (literals, function results). */
export function columnTypeOfValue(value: SqlValue): ColumnType {
  if (typeof value === 'number')
    return Number.isInteger(value)
      ? value >= -2147483648 && value <= 2147483647
        ? { type: 'int' }
        : { type: 'bigint' }
      : { type: 'float' };
  if (typeof value === 'bigint') return { type: 'bigint' };
  if (typeof value === 'boolean') return { type: 'bit' };
  if (value instanceof Date) return { type: 'datetime' };
  if (Buffer.isBuffer(value)) return { type: 'varbinary', length: 'max' };
  if (typeof value === 'string')
    return { type: 'nvarchar', length: Math.max(1, Math.min(4000, value.length)) };
  return { type: 'int' };
}

/** RAISERROR's printf-style substitution (%s, %d, %i, %u, %%). */
export function formatMessage(template: string, args: SqlValue[]): string {
  let i = 0;
  return template.replace(
    /%(?:%|[-+ 0#]*\d*(?:\.\d+)?(?:l|h|I64)?([sdiuxXo]))/g,
    (m, conv: string | undefined) => {
      if (m === '%%') return '%';
      const v = args[i++];
      if (v === undefined) return '(null)';
      if (conv === 's') return v === null ? '(null)' : toText(v);
      return v === null ? '(null)' : String(Math.trunc(toNumber(v)));
    },
  );
}
