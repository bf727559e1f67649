import type { ColumnType, SqlValue } from '../engine-api.ts';
import type { ByteReader } from './byte-reader.ts';
import { decodeVarchar } from './charset.ts';
import { TdsUnsupportedError } from './protocol-error.ts';
import { decimalToString, decodeDateTime, decodeDateTime2, decodeGuid, timeLength } from './scalar-codec.ts';
import { MAX_MARKER, PLP_NULL, PLP_UNKNOWN_LENGTH, TypeId, USHORT_NULL } from './type-ids.ts';

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
