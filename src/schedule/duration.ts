import { ErrorCode, HoldfastError } from '../core/errors.ts';

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;

/**
 * Parses a duration as written in job files: one or more number+unit parts, e.g. `26h`, `90m`, `1d12h`, `45s`.
 * Units: ms, s, m, h, d, w. Returns milliseconds; throws CONFIG_INVALID for anything else.
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  let total = 0;
  if (WHOLE.test(trimmed)) {
    for (const m of trimmed.matchAll(PART)) total += Number(m[1]) * UNITS[m[2]!]!;
  }
  if (!Number.isFinite(total) || total <= 0) {
    throw new HoldfastError(
      ErrorCode.ConfigInvalid,
      `"${text}" is not a duration: write a positive number and a unit, e.g. 26h, 90m, 1d12h (units ms, s, m, h, d, w)`,
    );
  }
  return Math.round(total);
}

/** Milliseconds as a short human duration: `26h`, `1d 2h`, `4m 10s`, `850ms`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(Math.round(ms));
  if (rest < 1000) return `${sign}${rest}ms`;
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
    if (parts.length === 2) break;
  }
  return sign + parts.join(' ');
}
