/** Growable little-endian writer used to build token streams. */
export class ByteWriter {
  private buf: Buffer;
  length = 0;

  constructor(initialSize = 512) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  private ensure(n: number): void {
    const needed = this.length + n;
    if (needed <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < needed) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16LE(v, this.length);
    this.length += 2;
    return this;
  }

  u16be(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.length);
    this.length += 2;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32LE(v, this.length);
    this.length += 4;
    return this;
  }

  u32be(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.length);
    this.length += 4;
    return this;
  }

  i32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32LE(v, this.length);
    this.length += 4;
    return this;
  }

  u64(v: bigint | number): this {
    this.ensure(8);
    this.buf.writeBigUInt64LE(BigInt(v), this.length);
    this.length += 8;
    return this;
  }

  i64(v: bigint): this {
    this.ensure(8);
    this.buf.writeBigInt64LE(v, this.length);
    this.length += 8;
    return this;
  }

  f64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.length);
    this.length += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  /** UTF-16LE text without a length prefix. */
  ucs2(s: string): this {
    const n = s.length * 2;
    this.ensure(n);
    this.buf.write(s, this.length, n, 'utf16le');
    this.length += n;
    return this;
  }

  /** B_VARCHAR: one-byte character count (text is cut at 255 characters). */
  bVarchar(s: string): this {
    const text = s.length > 255 ? s.slice(0, 255) : s;
    return this.u8(text.length).ucs2(text);
  }

  /** US_VARCHAR: two-byte character count (text is cut at 65535 characters). */
  usVarchar(s: string): this {
    const text = s.length > 0xffff ? s.slice(0, 0xffff) : s;
    return this.u16(text.length).ucs2(text);
  }

  /** Reserves two bytes and returns a function that fills them with the bytes written since. */
  lengthPrefix16(): () => void {
    const at = this.length;
    this.u16(0);
    return () => this.buf.writeUInt16LE(this.length - at - 2, at);
  }

  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }
}
