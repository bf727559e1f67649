import { TdsProtocolError } from './protocol-error.ts';

/**
 * Bounds-checked little-endian reader over one decoded message payload. Every read past the end
 * throws a {@link TdsProtocolError} naming what was being read, the offset and what was left.
 */
export class ByteReader {
  readonly buffer: Buffer;
  offset: number;
  private readonly what: string;

  constructor(buffer: Buffer, what: string, offset = 0) {
    this.buffer = buffer;
    this.what = what;
    this.offset = offset;
  }

  get remaining(): number {
    return this.buffer.length - this.offset;
  }

  private need(n: number, field: string): void {
    if (n < 0 || this.offset + n > this.buffer.length) {
      throw new TdsProtocolError(
        `${this.what}: ${field} needs ${n} byte(s) at offset ${this.offset}, but only ${this.remaining} remain`,
      );
    }
  }

  u8(field = 'byte'): number {
    this.need(1, field);
    return this.buffer[this.offset++]!;
  }

  u16(field = 'ushort'): number {
    this.need(2, field);
    const v = this.buffer.readUInt16LE(this.offset);
    this.offset += 2;
    return v;
  }

  u16be(field = 'ushort'): number {
    this.need(2, field);
    const v = this.buffer.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  u32(field = 'ulong'): number {
    this.need(4, field);
    const v = this.buffer.readUInt32LE(this.offset);
    this.offset += 4;
    return v;
  }

  i32(field = 'long'): number {
    this.need(4, field);
    const v = this.buffer.readInt32LE(this.offset);
    this.offset += 4;
    return v;
  }

  u64(field = 'ulonglong'): bigint {
    this.need(8, field);
    const v = this.buffer.readBigUInt64LE(this.offset);
    this.offset += 8;
    return v;
  }

  bytes(n: number, field = 'bytes'): Buffer {
    this.need(n, field);
    const v = this.buffer.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  /** `chars` UTF-16LE code units. */
  ucs2(chars: number, field = 'string'): string {
    return this.bytes(chars * 2, field).toString('utf16le');
  }

  /** B_VARCHAR: a one-byte character count, then UTF-16LE. */
  bVarchar(field = 'B_VARCHAR'): string {
    return this.ucs2(this.u8(field), field);
  }

  /** US_VARCHAR: a two-byte character count, then UTF-16LE. */
  usVarchar(field = 'US_VARCHAR'): string {
    return this.ucs2(this.u16(field), field);
  }

  fail(message: string): never {
    throw new TdsProtocolError(`${this.what}: ${message} (at offset ${this.offset})`);
  }
}
