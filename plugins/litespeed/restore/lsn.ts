/**
 * Log sequence numbers. msdb stores them as numeric(25,0), which exceeds JavaScript's exact integers
 * (2^53), so they travel as decimal strings and are compared as BigInt, never as Number.
 */

export const LSN_PATTERN = /^\d{1,25}$/;

export function isLsn(value: unknown): value is string {
  return typeof value === 'string' && LSN_PATTERN.test(value);
}

/** Parses a decimal LSN string; throws on anything else (callers validate input first). */
export function toLsn(value: string): bigint {
  if (!isLsn(value))
    throw new TypeError(`not an LSN (decimal string of 1-25 digits): ${JSON.stringify(value)}`);
  return BigInt(value);
}

export function toLsnOrNull(value: string | null): bigint | null {
  return value === null ? null : toLsn(value);
}

/** -1, 0 or 1, for sorting. */
export function compareLsn(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Canonical decimal text (no leading zeros). */
export function lsnText(value: bigint): string {
  return value.toString(10);
}
