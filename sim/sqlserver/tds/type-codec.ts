import type { ColumnType, SqlValue } from '../engine-api.ts';
import type { ByteReader } from './byte-reader.ts';
import type { ByteWriter } from './byte-writer.ts';
import { decodeVarchar, encodeCp1252, SERVER_COLLATION } from './charset.ts';
import { TdsEncodeError, TdsUnsupportedError } from './protocol-error.ts';
import {
  decimalMagnitudeLength,
  decimalToString,
  decodeDateTime,
  decodeDateTime2,
  decodeGuid,
  describe,
  encodeDateTime,
  encodeDateTime2,
  encodeGuid,
  isGuid,
  isValidDate,
  magnitudeBytes,
  parseDecimal,
  timeLength,
} from './scalar-codec.ts';

/** TDS data type ids (MS-TDS 2.2.5.4) the simulator reads or writes. */
export const TypeId = {
  INT1: 0x30,
  BIT: 0x32,
  INT2: 0x34,
  INT4: 0x38,
  DATETIME: 0x3d,
  FLT8: 0x3e,
  INT8: 0x7f,
  GUID: 0x24,
  INTN: 0x26,
  DATETIME2N: 0x2a,
  BITN: 0x68,
  DECIMALN: 0x6a,
  NUMERICN: 0x6c,
  FLTN: 0x6d,
  DATETIMN: 0x6f,
  BIGVARBIN: 0xa5,
  BIGVARCHR: 0xa7,
  BIGBINARY: 0xad,
  BIGCHAR: 0xaf,
  NVARCHAR: 0xe7,
  NCHAR: 0xef,
} as const;

const MAX_MARKER = 0xffff;
const PLP_NULL = 0xffffffffffffffffn;
const PLP_UNKNOWN_LENGTH = 0xfffffffffffffffen;
const USHORT_NULL = 0xffff;

/** A parameter's TYPE_INFO as the client sent it, and the engine-facing column type it maps to. */
export interface WireType {
  id: number;
  /** Fixed types: byte size; n-types: the declared length byte; strings/binary: max bytes (0xFFFF = MAX). */
  length: number;
  precision: number;
  scale: number;
  collation?: Buffer;
  column: ColumnType;
}

const INT_BY_SIZE: Record<number, ColumnType> = {
  1: { type: 'tinyint' },
  2: { type: 'smallint' },
  4: { type: 'int' },
  8: { type: 'bigint' },
};

function fixed(id: number, length: number, column: ColumnType): WireType {
  return { id, length, precision: 0, scale: 0, column };
}

/** Reads a TYPE_INFO. Types outside the simulator's set throw {@link TdsUnsupportedError}. */
export function readTypeInfo(r: ByteReader): WireType {
  const id = r.u8('TYPE_INFO type id');
  switch (id) {
    case TypeId.INT1:
      return fixed(id, 1, { type: 'tinyint' });
    case TypeId.INT2:
      return fixed(id, 2, { type: 'smallint' });
    case TypeId.INT4:
      return fixed(id, 4, { type: 'int' });
    case TypeId.INT8:
      return fixed(id, 8, { type: 'bigint' });
    case TypeId.BIT:
      return fixed(id, 1, { type: 'bit' });
    case TypeId.FLT8:
      return fixed(id, 8, { type: 'float' });
    case TypeId.DATETIME:
      return fixed(id, 8, { type: 'datetime' });
    case TypeId.INTN: {
      const length = r.u8('INTN length');
      const column = INT_BY_SIZE[length];
      if (!column) r.fail(`INTN length ${length} is not 1, 2, 4 or 8`);
      return fixed(id, length, column);
    }
    case TypeId.BITN:
      return fixed(id, r.u8('BITN length'), { type: 'bit' });
    case TypeId.FLTN: {
      const length = r.u8('FLTN length');
      if (length !== 4 && length !== 8) r.fail(`FLTN length ${length} is not 4 or 8`);
      return fixed(id, length, { type: 'float' });
    }
    case TypeId.GUID:
      return fixed(id, r.u8('GUID length'), { type: 'uniqueidentifier' });
    case TypeId.DATETIMN: {
      const length = r.u8('DATETIMN length');
      if (length !== 4 && length !== 8) r.fail(`DATETIMN length ${length} is not 4 or 8`);
      return fixed(id, length, { type: 'datetime' });
    }
    case TypeId.DATETIME2N: {
      const scale = r.u8('DATETIME2N scale');
      if (scale > 7) r.fail(`DATETIME2N scale ${scale} is above 7`);
      return { id, length: timeLength(scale) + 3, precision: 0, scale, column: { type: 'datetime2', scale } };
    }
    case TypeId.DECIMALN:
    case TypeId.NUMERICN: {
      const length = r.u8('DECIMALN length');
      const precision = r.u8('DECIMALN precision');
      const scale = r.u8('DECIMALN scale');
      if (precision < 1 || precision > 38 || scale > precision)
        r.fail(`decimal(${precision}, ${scale}) is not a valid precision/scale`);
      const type = id === TypeId.DECIMALN ? 'decimal' : 'numeric';
      return { id, length, precision, scale, column: { type, precision, scale } };
    }
    case TypeId.NVARCHAR:
    case TypeId.NCHAR: {
      const length = r.u16('NVARCHAR max length');
      const collation = r.bytes(5, 'collation');
      const column: ColumnType = { type: 'nvarchar', length: length === MAX_MARKER ? 'max' : length / 2 };
      return { id, length, precision: 0, scale: 0, collation, column };
    }
    case TypeId.BIGVARCHR:
    case TypeId.BIGCHAR: {
      const length = r.u16('VARCHAR max length');
      const collation = r.bytes(5, 'collation');
      return {
        id,
        length,
        precision: 0,
        scale: 0,
        collation,
        column: { type: 'varchar', length: length === MAX_MARKER ? 'max' : length },
      };
    }
    case TypeId.BIGVARBIN:
    case TypeId.BIGBINARY: {
      const length = r.u16('VARBINARY max length');
      return {
        id,
        length,
        precision: 0,
        scale: 0,
        column: { type: 'varbinary', length: length === MAX_MARKER ? 'max' : length },
      };
    }
    default:
      throw new TdsUnsupportedError(
        `data type 0x${id.toString(16).padStart(2, '0').toUpperCase()} is not supported by the simulator ` +
          '(supported: int, bigint, smallint, tinyint, bit, float, decimal, numeric, nvarchar, nchar, varchar, char, ' +
          'varbinary, binary, datetime2, datetime, smalldatetime, uniqueidentifier)',
      );
  }
}

function isPlp(t: WireType): boolean {
  return (
    t.length === MAX_MARKER &&
    (t.id === TypeId.NVARCHAR || t.id === TypeId.BIGVARCHR || t.id === TypeId.BIGVARBIN)
  );
}

function readPlp(r: ByteReader): Buffer | null {
  const total = r.u64('PLP total length');
  if (total === PLP_NULL) return null;
  const chunks: Buffer[] = [];
  for (;;) {
    const n = r.u32('PLP chunk length');
    if (n === 0) break;
    chunks.push(r.bytes(n, 'PLP chunk'));
  }
  const data = Buffer.concat(chunks);
  if (total !== PLP_UNKNOWN_LENGTH && BigInt(data.length) !== total) {
    r.fail(`PLP value announced ${total} bytes but its chunks hold ${data.length}`);
  }
  return data;
}

function bigintValue(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** Reads one value of a TYPE_INFO, mapped to the JS form of engine-api.ts. */
export function readValue(r: ByteReader, t: WireType): SqlValue {
  let data: Buffer | null;
  switch (t.id) {
    case TypeId.INT1:
    case TypeId.INT2:
    case TypeId.INT4:
    case TypeId.INT8:
    case TypeId.BIT:
    case TypeId.FLT8:
    case TypeId.DATETIME:
      data = r.bytes(t.length, 'fixed-length value');
      break;
    case TypeId.NVARCHAR:
    case TypeId.NCHAR:
    case TypeId.BIGVARCHR:
    case TypeId.BIGCHAR:
    case TypeId.BIGVARBIN:
    case TypeId.BIGBINARY:
      if (isPlp(t)) data = readPlp(r);
      else {
        const n = r.u16('value length');
        data = n === USHORT_NULL ? null : r.bytes(n, 'value');
      }
      break;
    default: {
      const n = r.u8('value length');
      data = n === 0 ? null : r.bytes(n, 'value');
    }
  }
  if (data === null) return null;

  switch (t.column.type) {
    case 'tinyint':
      return data.readUInt8(0);
    case 'smallint':
      return data.readInt16LE(0);
    case 'int':
      return data.readInt32LE(0);
    case 'bigint':
      return bigintValue(data.readBigInt64LE(0));
    case 'bit':
      return data[0] !== 0;
    case 'float':
      return data.length === 4 ? data.readFloatLE(0) : data.readDoubleLE(0);
    case 'datetime':
      return decodeDateTime(data);
    case 'datetime2':
      return decodeDateTime2(data, t.scale);
    case 'uniqueidentifier':
      if (data.length !== 16) r.fail(`uniqueidentifier value has ${data.length} bytes, expected 16`);
      return decodeGuid(data);
    case 'decimal':
    case 'numeric':
      if (data.length < 2) r.fail(`decimal value has ${data.length} byte(s)`);
      return decimalToString(data[0] === 1, data.subarray(1), t.scale);
    case 'nvarchar':
      if (data.length % 2 !== 0) r.fail(`nvarchar value has an odd byte count ${data.length}`);
      return data.toString('utf16le');
    case 'varchar':
      return decodeVarchar(data, t.collation);
    case 'varbinary':
      return Buffer.from(data);
  }
}

// ---------------------------------------------------------------- writing

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
