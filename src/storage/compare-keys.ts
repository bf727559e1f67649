/**
 * Key order, the order `list` returns: by Unicode code point, which is the byte order of the UTF-8 encodings
 * (Azure Blob's listing order). It differs from `<` on strings only for characters outside the Basic
 * Multilingual Plane compared with U+E000..U+FFFF.
 */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
