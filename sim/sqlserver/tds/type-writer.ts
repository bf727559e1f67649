import type { ColumnType, SqlValue } from '../engine-api.ts';
import type { ByteWriter } from './byte-writer.ts';
import { encodeCp1252, SERVER_COLLATION } from './charset.ts';
import { TdsEncodeError } from './protocol-error.ts';
import {
  decimalMagnitudeLength,
  describe,
  encodeDateTime,
  encodeDateTime2,
  encodeGuid,
  isGuid,
  isValidDate,
  magnitudeBytes,
  parseDecimal,
} from './scalar-codec.ts';
import { MAX_MARKER, PLP_NULL, TypeId, USHORT_NULL } from './type-ids.ts';

/** Writes the TYPE_INFO the simulator uses for a column type in COLMETADATA and RETURNVALUE. */
export function writeTypeInfo(w: ByteWriter, c: ColumnType): void {
  switch (c.type) {
    case 'tinyint':
      w.u8(TypeId.INTN).u8(1);
      return;
    case 'smallint':
      w.u8(TypeId.INTN).u8(2);
      return;
    case 'int':
      w.u8(TypeId.INTN).u8(4);
      return;
    case 'bigint':
      w.u8(TypeId.INTN).u8(8);
      return;
    case 'bit':
      w.u8(TypeId.BITN).u8(1);
      return;
    case 'float':
      w.u8(TypeId.FLTN).u8(8);
      return;
    case 'datetime':
      w.u8(TypeId.DATETIMN).u8(8);
      return;
    case 'datetime2':
      w.u8(TypeId.DATETIME2N).u8(scaleOf(c));
      return;
    case 'uniqueidentifier':
      w.u8(TypeId.GUID).u8(16);
      return;
    case 'decimal':
    case 'numeric':
      checkPrecision(c.precision, c.scale);
      w.u8(c.type === 'decimal' ? TypeId.DECIMALN : TypeId.NUMERICN)
        .u8(decimalMagnitudeLength(c.precision) + 1)
        .u8(c.precision)
        .u8(c.scale);
      return;
    case 'nvarchar':
      w.u8(TypeId.NVARCHAR)
        .u16(c.length === 'max' ? MAX_MARKER : checkLength(c.length, 4000, 'nvarchar') * 2)
        .bytes(SERVER_COLLATION);
      return;
    case 'varchar':
      w.u8(TypeId.BIGVARCHR)
        .u16(c.length === 'max' ? MAX_MARKER : checkLength(c.length, 8000, 'varchar'))
        .bytes(SERVER_COLLATION);
      return;
    case 'varbinary':
      w.u8(TypeId.BIGVARBIN).u16(c.length === 'max' ? MAX_MARKER : checkLength(c.length, 8000, 'varbinary'));
      return;
  }
}

function scaleOf(c: { scale?: number }): number {
  const s = c.scale ?? 7;
  if (!Number.isInteger(s) || s < 0 || s > 7) throw new TdsEncodeError(`datetime2 scale ${s} is not 0..7`);
  return s;
}

function checkPrecision(p: number, s: number): void {
  if (!Number.isInteger(p) || !Number.isInteger(s) || p < 1 || p > 38 || s < 0 || s > p) {
    throw new TdsEncodeError(
      `decimal(${p}, ${s}) is not a valid precision/scale (1 <= p <= 38, 0 <= s <= p)`,
    );
  }
}

function checkLength(n: number, max: number, what: string): number {
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new TdsEncodeError(`${what}(${n}) is not a valid length (1..${max} or 'max')`);
  return n;
}

function fail(c: ColumnType, value: unknown, expected: string): never {
  throw new TdsEncodeError(`${c.type} value must be ${expected}, got ${describe(value)}`);
}

function intValue(c: ColumnType, value: SqlValue, min: number, max: number): number {
  if (typeof value === 'bigint') value = Number(value);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    fail(c, value, `an integer in ${min}..${max}`);
  return value;
}

function writeLengthPrefixed(w: ByteWriter, c: ColumnType, data: Buffer, maxBytes: number | 'max'): void {
  if (maxBytes === 'max') {
    w.u64(data.length);
    if (data.length > 0) w.u32(data.length).bytes(data);
    w.u32(0);
    return;
  }
  if (data.length > maxBytes)
    throw new TdsEncodeError(`${c.type} value of ${data.length} bytes exceeds the declared ${maxBytes}`);
  w.u16(data.length).bytes(data);
}

/** Writes one value (NULL included) in the form its TYPE_INFO announced. */
export function writeValue(w: ByteWriter, c: ColumnType, value: SqlValue): void {
  if (value === null || value === undefined) {
    switch (c.type) {
      case 'nvarchar':
      case 'varchar':
      case 'varbinary':
        if (c.length === 'max') w.u64(PLP_NULL);
        else w.u16(USHORT_NULL);
        return;
      default:
        w.u8(0);
        return;
    }
  }
  switch (c.type) {
    case 'tinyint':
      w.u8(1).u8(intValue(c, value, 0, 255));
      return;
    case 'smallint':
      w.u8(2).u16(intValue(c, value, -32768, 32767) & 0xffff);
      return;
    case 'int':
      w.u8(4).i32(intValue(c, value, -2147483648, 2147483647));
      return;
    case 'bigint': {
      let v: bigint;
      if (typeof value === 'bigint') v = value;
      else if (typeof value === 'number' && Number.isSafeInteger(value)) v = BigInt(value);
      else if (typeof value === 'string' && /^-?\d+$/.test(value)) v = BigInt(value);
      else fail(c, value, 'a bigint or a safe integer number');
      if (v < -(2n ** 63n) || v >= 2n ** 63n) fail(c, value, 'within the signed 64-bit range');
      w.u8(8).i64(v);
      return;
    }
    case 'bit':
      if (typeof value !== 'boolean' && value !== 0 && value !== 1) fail(c, value, 'a boolean');
      w.u8(1).u8(value ? 1 : 0);
      return;
    case 'float':
      if (typeof value !== 'number') fail(c, value, 'a number');
      w.u8(8).f64(value);
      return;
    case 'datetime':
      if (!isValidDate(value)) fail(c, value, 'a valid Date');
      w.u8(8).bytes(encodeDateTime(value));
      return;
    case 'datetime2': {
      if (!isValidDate(value)) fail(c, value, 'a valid Date');
      const bytes = encodeDateTime2(value, scaleOf(c));
      w.u8(bytes.length).bytes(bytes);
      return;
    }
    case 'uniqueidentifier':
      if (!isGuid(value)) fail(c, value, 'a GUID string like 6F9619FF-8B86-D011-B42D-00C04FC964FF');
      w.u8(16).bytes(encodeGuid(value));
      return;
    case 'decimal':
    case 'numeric': {
      const parsed = parseDecimal(value, c.precision, c.scale);
      if (typeof parsed === 'string')
        throw new TdsEncodeError(`${c.type}(${c.precision}, ${c.scale}) value: ${parsed}`);
      const n = decimalMagnitudeLength(c.precision);
      w.u8(n + 1)
        .u8(parsed.positive ? 1 : 0)
        .bytes(magnitudeBytes(parsed.magnitude, n));
      return;
    }
    case 'nvarchar':
      if (typeof value !== 'string') fail(c, value, 'a string');
      writeLengthPrefixed(w, c, Buffer.from(value, 'utf16le'), c.length === 'max' ? 'max' : c.length * 2);
      return;
    case 'varchar':
      if (typeof value !== 'string') fail(c, value, 'a string');
      writeLengthPrefixed(w, c, encodeCp1252(value), c.length);
      return;
    case 'varbinary':
      if (!Buffer.isBuffer(value)) fail(c, value, 'a Buffer');
      writeLengthPrefixed(w, c, value, c.length);
      return;
  }
}

/** Guards against a ColumnType the engine made up (e.g. from untyped JSON). */
export function assertColumnType(c: unknown, where: string): asserts c is ColumnType {
  const known = [
    'int',
    'bigint',
    'smallint',
    'tinyint',
    'bit',
    'nvarchar',
    'varchar',
    'datetime2',
    'datetime',
    'decimal',
    'numeric',
    'uniqueidentifier',
    'varbinary',
    'float',
  ];
  const type = (c as { type?: unknown } | null)?.type;
  if (typeof type !== 'string' || !known.includes(type)) {
    throw new TdsEncodeError(
      `${where}: unknown column type ${JSON.stringify(type)} (allowed: ${known.join(', ')})`,
    );
  }
}
