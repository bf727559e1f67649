/**
 * The server collation and the single-byte code page behind it.
 *
 * The simulator reports SQL_Latin1_General_CP1_CI_AS (LCID 0x0409, sort id 52, code page 1252), as a
 * default SQL Server install does. varchar data is encoded in Windows-1252 in both directions, unless
 * a parameter's own collation carries the UTF-8 flag.
 */
export const SERVER_COLLATION = Buffer.from([0x09, 0x04, 0xd0, 0x00, 0x34]);

const UTF8_FLAG = 0x40;

/** True when a 5-byte collation has the UTF-8 flag (e.g. Latin1_General_100_CI_AS_SC_UTF8). */
export function isUtf8Collation(collation: Buffer): boolean {
  if (collation.length < 5) return false;
  const flags = ((collation[3]! & 0x0f) << 4) | ((collation[2]! & 0xf0) >>> 4);
  return (flags & UTF8_FLAG) !== 0;
}

// Windows-1252 bytes 0x80..0x9F; the five bytes it leaves undefined map to the same code point.
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d,
  0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a,
  0x153, 0x9d, 0x17e, 0x178,
];
const CP1252_REVERSE = new Map<number, number>(CP1252_HIGH.map((cp, i) => [cp, 0x80 + i]));

export function decodeCp1252(bytes: Buffer): string {
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return bytes.toString('latin1');
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    out += String.fromCharCode(b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80]! : b);
  }
  return out;
}

/** Characters Windows-1252 cannot hold become '?', as SQL Server does when converting to varchar. */
export function encodeCp1252(text: string): Buffer {
  const out = Buffer.allocUnsafe(text.length);
  let n = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80 || (cp >= 0xa0 && cp <= 0xff)) out[n++] = cp;
    else out[n++] = CP1252_REVERSE.get(cp) ?? 0x3f;
  }
  return out.subarray(0, n);
}

export function decodeVarchar(bytes: Buffer, collation: Buffer | undefined): string {
  return collation && isUtf8Collation(collation) ? bytes.toString('utf8') : decodeCp1252(bytes);
}
