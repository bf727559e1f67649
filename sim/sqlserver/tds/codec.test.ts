import { describe, expect, it } from 'vitest';
import type { ColumnType, SqlValue } from '../engine-api.ts';
import { ByteReader } from './byte-reader.ts';
import { ByteWriter } from './byte-writer.ts';
import { decodeCp1252, encodeCp1252 } from './charset.ts';
import { FaultController } from './fault-controller.ts';
import { isSessionOptionsBatch } from './housekeeping.ts';
import { parseLogin7, unscramblePassword } from './login7.ts';
import { encodeMessage, PacketReader, PacketType, type TdsMessage } from './packet-framing.ts';
import { TdsEncodeError, TdsProtocolError } from './protocol-error.ts';
import { decodeGuid, encodeGuid, parseDecimal } from './scalar-codec.ts';
import { readTypeInfo, readValue } from './type-reader.ts';
import { writeTypeInfo, writeValue } from './type-writer.ts';

/** Encodes TYPE_INFO + value the way the server sends them, then decodes them the way it reads parameters. */
function roundTrip(type: ColumnType, value: SqlValue): { type: ColumnType; value: SqlValue } {
  const w = new ByteWriter();
  writeTypeInfo(w, type);
  writeValue(w, type, value);
  const r = new ByteReader(w.toBuffer(), 'test');
  const wire = readTypeInfo(r);
  const decoded = readValue(r, wire);
  expect(r.remaining).toBe(0);
  return { type: wire.column, value: decoded };
}

describe('type codec round trips (server encoding == parameter decoding)', () => {
  it('keeps decimal/numeric values exact at every precision', () => {
    const cases: Array<[number, number, string]> = [
      [25, 0, '12345678901234567890123'],
      [25, 0, '-9999999999999999999999999'],
      [38, 0, '99999999999999999999999999999999999999'],
      [38, 10, '-1234567890123456789012345678.0123456789'],
      [9, 2, '1234567.89'],
      [19, 4, '0.0001'],
      [5, 2, '0.00'],
    ];
    for (const [precision, scale, text] of cases) {
      expect(roundTrip({ type: 'numeric', precision, scale }, text)).toEqual({
        type: { type: 'numeric', precision, scale },
        value: text,
      });
      expect(roundTrip({ type: 'decimal', precision, scale }, text).value).toBe(text);
    }
    expect(roundTrip({ type: 'decimal', precision: 10, scale: 3 }, '1.5').value).toBe('1.500');
    expect(roundTrip({ type: 'decimal', precision: 25, scale: 0 }, 12345678901234567890123n).value).toBe(
      '12345678901234567890123',
    );
  });

  it('refuses decimals that would lose digits or overflow, naming the value', () => {
    expect(parseDecimal('1.234', 10, 2)).toBe('"1.234" has more than 2 fractional digit(s)');
    expect(parseDecimal('123456', 5, 0)).toBe('"123456" does not fit decimal(5, 0)');
    expect(parseDecimal('1e5', 10, 0)).toBe('"1e5" is not a decimal number');
    expect(() => roundTrip({ type: 'numeric', precision: 5, scale: 0 }, '123456')).toThrow(TdsEncodeError);
  });

  it('integers, bigint beyond 2^53, floats, bits', () => {
    expect(roundTrip({ type: 'bigint' }, 9223372036854775807n).value).toBe(9223372036854775807n);
    expect(roundTrip({ type: 'bigint' }, -42).value).toBe(-42);
    expect(roundTrip({ type: 'tinyint' }, 0).value).toBe(0);
    expect(roundTrip({ type: 'smallint' }, -1).value).toBe(-1);
    expect(roundTrip({ type: 'float' }, -0.1).value).toBe(-0.1);
    expect(roundTrip({ type: 'bit' }, false).value).toBe(false);
    expect(() => roundTrip({ type: 'int' }, 2 ** 31)).toThrow(
      /int value must be an integer in -2147483648..2147483647, got number 2147483648/,
    );
    expect(() => roundTrip({ type: 'tinyint' }, 256)).toThrow(TdsEncodeError);
  });

  it('dates at every datetime2 scale and datetime 1/300 s rounding', () => {
    const d = new Date('0001-01-01T00:00:00.000Z');
    expect(roundTrip({ type: 'datetime2', scale: 7 }, d).value).toEqual(d);
    const late = new Date('9999-12-31T23:59:59.999Z');
    expect(roundTrip({ type: 'datetime2', scale: 3 }, late).value).toEqual(late);
    expect(roundTrip({ type: 'datetime2', scale: 1 }, new Date('2020-01-01T00:00:00.049Z')).value).toEqual(
      new Date('2020-01-01T00:00:00.000Z'),
    );
    expect(roundTrip({ type: 'datetime2', scale: 0 }, new Date('2020-01-01T23:59:59.600Z')).value).toEqual(
      new Date('2020-01-02T00:00:00Z'),
    );
    expect(roundTrip({ type: 'datetime' }, new Date('2024-06-01T10:00:00.002Z')).value).toEqual(
      new Date('2024-06-01T10:00:00.003Z'),
    );
    expect(roundTrip({ type: 'datetime' }, new Date('1753-01-01T00:00:00Z')).value).toEqual(
      new Date('1753-01-01T00:00:00Z'),
    );
  });

  it('GUID byte order and upper-case canonical form', () => {
    const bytes = encodeGuid('6f9619ff-8b86-d011-b42d-00c04fc964ff');
    expect(bytes.toString('hex')).toBe('ff19966f868b11d0b42d00c04fc964ff');
    expect(decodeGuid(bytes)).toBe('6F9619FF-8B86-D011-B42D-00C04FC964FF');
  });

  it('strings, max types and NULLs', () => {
    expect(roundTrip({ type: 'nvarchar', length: 'max' }, '').value).toBe('');
    expect(roundTrip({ type: 'nvarchar', length: 'max' }, null).value).toBeNull();
    expect(roundTrip({ type: 'varchar', length: 10 }, 'Œuvre €5').value).toBe('Œuvre €5');
    expect(roundTrip({ type: 'varbinary', length: 'max' }, Buffer.alloc(0)).value).toEqual(Buffer.alloc(0));
    expect(roundTrip({ type: 'uniqueidentifier' }, null).value).toBeNull();
    expect(() => roundTrip({ type: 'nvarchar', length: 3 }, 'toolong')).toThrow(
      /nvarchar value of 14 bytes exceeds the declared 6/,
    );
  });

  it('code page 1252 maps the 0x80..0x9F block and replaces what it cannot hold', () => {
    expect(encodeCp1252('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ').toString('hex')).toBe(
      '8082838485868788898a8b8c8e9192939495969798999a9b9c9e9f',
    );
    expect(decodeCp1252(Buffer.from([0x80, 0x41, 0xe9]))).toBe('€Aé');
    expect(encodeCp1252('日本').toString()).toBe('??');
  });
});

describe('packet framing', () => {
  it('splits at the packet size and reassembles across arbitrary chunk boundaries', () => {
    const payload = Buffer.alloc(10_000, 7);
    const bytes = encodeMessage(PacketType.SQL_BATCH, payload, 512, 51);
    expect(bytes.length).toBe(10_000 + 20 * 8);
    expect(bytes.readUInt16BE(2)).toBe(512);
    expect(bytes.readUInt16BE(4)).toBe(51);
    const got: TdsMessage[] = [];
    const reader = new PacketReader((m) => got.push(m));
    for (let i = 0; i < bytes.length; i += 333) reader.push(bytes.subarray(i, i + 333));
    expect(got).toHaveLength(1);
    expect(got[0]!.payload.equals(payload)).toBe(true);
    expect(got[0]!.ignore).toBe(false);
  });

  it('reports IGNORE and RESETCONNECTION bits, rejects bad headers', () => {
    const got: TdsMessage[] = [];
    const reader = new PacketReader((m) => got.push(m));
    reader.push(Buffer.from([0x01, 0x01 | 0x02 | 0x08, 0x00, 0x08, 0, 0, 1, 0]));
    expect(got[0]).toMatchObject({ type: 1, ignore: true, resetConnection: true });
    expect(() => reader.push(Buffer.from([0x99, 1, 0, 8, 0, 0, 1, 0]))).toThrow(/unknown packet type 0x99/);
    const mixed = new PacketReader(() => undefined);
    mixed.push(Buffer.from([0x01, 0x00, 0x00, 0x09, 0, 0, 1, 0, 0x41]));
    expect(() => mixed.push(Buffer.from([0x03, 0x01, 0x00, 0x08, 0, 0, 2, 0]))).toThrow(TdsProtocolError);
  });
});

describe('LOGIN7', () => {
  it('un-obfuscates passwords (XOR 0xA5, then nibble swap)', () => {
    const plain = Buffer.from('Str0ng!Passw0rd', 'utf16le');
    const scrambled = Buffer.from(plain.map((b) => (((b & 0x0f) << 4) | (b >> 4)) ^ 0xa5));
    expect(unscramblePassword(scrambled)).toBe('Str0ng!Passw0rd');
  });

  it('rejects a truncated message and out-of-range offsets with where it went wrong', () => {
    expect(() => parseLogin7(Buffer.alloc(50))).toThrow(/shorter than the 94-byte fixed part/);
    const fixed = Buffer.alloc(94);
    fixed.writeUInt32LE(94, 0);
    fixed.writeUInt16LE(90, 40); // UserName at 90..
    fixed.writeUInt16LE(10, 42); // ..10 characters: past the end
    expect(() => parseLogin7(fixed)).toThrow(/UserName spans bytes 90..110, beyond the 94-byte message/);
  });
});

describe('FaultController matching', () => {
  const msg = { number: 1, state: 1, severity: 16, message: 'x' };
  it('matches procedure names by full or last part, case and brackets ignored', () => {
    const f = new FaultController();
    f.failCall({ procedure: 'XP_Backup_Database' }, msg);
    expect(f.onCall({ kind: 'rpc', procedure: 'master.dbo.[xp_backup_database]' })?.kind).toBe('fail');
    expect(f.onCall({ kind: 'rpc', procedure: 'master.dbo.xp_restore_database' })).toBeUndefined();
    expect(f.onCall({ kind: 'batch', sql: 'xp_backup_database' })).toBeUndefined();
  });

  it('a drop wins over a failure; nth counts only matching calls', () => {
    const f = new FaultController();
    f.failCall({ sqlContains: 'backup' }, msg);
    f.dropConnectionOnCall({ nth: 2, sqlContains: 'BACKUP' });
    expect(f.onCall({ kind: 'batch', sql: 'SELECT 1' })).toBeUndefined();
    expect(f.onCall({ kind: 'batch', sql: 'backup database x' })?.kind).toBe('fail');
    expect(f.onCall({ kind: 'batch', sql: 'backup database x' })).toEqual({
      kind: 'drop',
      at: 'mid-response',
    });
    expect(f.onCall({ kind: 'batch', sql: 'backup database x' })?.kind).toBe('fail');
  });
});

describe('housekeeping detection', () => {
  it("recognises tedious' session-option batch and nothing else", () => {
    expect(
      isSessionOptionsBatch(
        'set textsize 2147483647\nset quoted_identifier on\nset transaction isolation level read committed',
      ),
    ).toBe(true);
    expect(isSessionOptionsBatch('SET NOCOUNT ON; SELECT 1')).toBe(false);
    expect(isSessionOptionsBatch('')).toBe(false);
  });
});
