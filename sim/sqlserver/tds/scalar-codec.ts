/**
 * Byte layouts of the scalar types whose wire form is not a plain integer or string:
 * decimal/numeric, datetime2, datetime/smalldatetime and uniqueidentifier.
 */

// ---------- decimal / numeric ----------

/** Bytes of the magnitude of a decimal of this precision (sign byte not included). */
export function decimalMagnitudeLength(precision: number): number {
  if (precision <= 9) return 4;
  if (precision <= 19) return 8;
  if (precision <= 28) return 12;
  return 16;
}

/** Exact decimal text of a sign + little-endian magnitude, with exactly `scale` fractional digits. */
export function decimalToString(positive: boolean, magnitude: Buffer, scale: number): string {
  let n = 0n;
  for (let i = magnitude.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(magnitude[i]!);
  let digits = n.toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  }
  return positive || n === 0n ? digits : `-${digits}`;
}

/**
 * Parses a decimal value (exact text such as "-123.4500", a number, or a bigint) into sign and
 * scaled integer magnitude. Returns an error message instead when it does not fit decimal(p, s).
 */
export function parseDecimal(
  value: unknown,
  precision: number,
  scale: number,
): { positive: boolean; magnitude: bigint } | string {
  let text: string;
  if (typeof value === 'string') text = value.trim();
  else if (typeof value === 'bigint') text = value.toString();
  else if (typeof value === 'number') {
    if (!Number.isFinite(value)) return `${value} is not a finite number`;
    text = Number.isInteger(value) ? BigInt(value).toString() : value.toFixed(Math.min(scale, 100));
  } else return `expected a decimal string, number or bigint, got ${describe(value)}`;
  const m = /^([+-])?(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return `"${text}" is not a decimal number`;
  const whole = (m[2] ?? '').replace(/^0+(?=\d)/, '');
  let fraction = m[3] ?? '';
  if (fraction.length > scale) {
    if (/[^0]/.test(fraction.slice(scale))) return `"${text}" has more than ${scale} fractional digit(s)`;
    fraction = fraction.slice(0, scale);
  }
  fraction = fraction.padEnd(scale, '0');
  const magnitude = BigInt((whole || '0') + fraction);
  if (magnitude >= 10n ** BigInt(precision)) return `"${text}" does not fit decimal(${precision}, ${scale})`;
  return { positive: m[1] !== '-' || magnitude === 0n, magnitude };
}

export function magnitudeBytes(magnitude: bigint, length: number): Buffer {
  const out = Buffer.alloc(length);
  let n = magnitude;
  for (let i = 0; i < length; i++) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

// ---------- dates ----------

const MS_PER_DAY = 86_400_000;
/** 0001-01-01T00:00:00Z in ms since the Unix epoch. */
const EPOCH_0001 = -62_135_596_800_000;
/** 1900-01-01T00:00:00Z in ms since the Unix epoch. */
const EPOCH_1900 = -2_208_988_800_000;

/** Bytes of the time part of datetime2/time at this scale. */
export function timeLength(scale: number): number {
  if (scale <= 2) return 3;
  if (scale <= 4) return 4;
  return 5;
}

/** datetime2(scale) payload (time, then 3-byte day count since 0001-01-01), as UTC. */
export function encodeDateTime2(date: Date, scale: number): Buffer {
  const ms = date.getTime() - EPOCH_0001;
  let days = Math.floor(ms / MS_PER_DAY);
  const msOfDay = ms - days * MS_PER_DAY;
  let units = scale >= 3 ? msOfDay * 10 ** (scale - 3) : Math.round(msOfDay / 10 ** (3 - scale));
  if (units >= 86_400 * 10 ** scale) {
    units = 0;
    days += 1;
  }
  const tl = timeLength(scale);
  const out = Buffer.alloc(tl + 3);
  out.writeUIntLE(units, 0, tl);
  out.writeUIntLE(days, tl, 3);
  return out;
}

export function decodeDateTime2(bytes: Buffer, scale: number): Date {
  const tl = bytes.length - 3;
  const units = bytes.readUIntLE(0, tl);
  const days = bytes.readUIntLE(tl, 3);
  const ms = scale >= 3 ? Math.floor(units / 10 ** (scale - 3)) : units * 10 ** (3 - scale);
  return new Date(EPOCH_0001 + days * MS_PER_DAY + ms);
}

/** datetime payload: days since 1900-01-01 (int32) and 1/300 s ticks (uint32), as UTC. */
export function encodeDateTime(date: Date): Buffer {
  const ms = date.getTime() - EPOCH_1900;
  let days = Math.floor(ms / MS_PER_DAY);
  let ticks = Math.round(((ms - days * MS_PER_DAY) * 3) / 10);
  if (ticks >= 25_920_000) {
    ticks = 0;
    days += 1;
  }
  const out = Buffer.alloc(8);
  out.writeInt32LE(days, 0);
  out.writeUInt32LE(ticks, 4);
  return out;
}

export function decodeDateTime(bytes: Buffer): Date {
  if (bytes.length === 4) {
    // smalldatetime: days since 1900-01-01, minutes since midnight
    return new Date(EPOCH_1900 + bytes.readUInt16LE(0) * MS_PER_DAY + bytes.readUInt16LE(2) * 60_000);
  }
  const days = bytes.readInt32LE(0);
  const ticks = bytes.readUInt32LE(4);
  return new Date(EPOCH_1900 + days * MS_PER_DAY + Math.round((ticks * 10) / 3));
}

export function isValidDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

// ---------- uniqueidentifier ----------

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Wire order of the 16 bytes of the canonical text form: the first three groups are little-endian. */
const GUID_ORDER = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];

export function isGuid(value: unknown): value is string {
  return typeof value === 'string' && GUID_RE.test(value);
}

export function encodeGuid(guid: string): Buffer {
  const hex = guid.replace(/-/g, '');
  const out = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(hex.substr(GUID_ORDER[i]! * 2, 2), 16);
  return out;
}

/** Upper-case canonical form, as SQL Server returns it. */
export function decodeGuid(bytes: Buffer): string {
  let hex = '';
  for (let i = 0; i < 16; i++) {
    const at = GUID_ORDER.indexOf(i);
    hex += bytes[at]!.toString(16).padStart(2, '0');
  }
  hex = hex.toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Buffer.isBuffer(value)) return `Buffer(${value.length})`;
  if (value instanceof Date)
    return `Date(${Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString()})`;
  if (typeof value === 'string') return `string "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return `${typeof value} ${String(value)}`;
}
