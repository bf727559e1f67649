import type { Clock } from '../../../src/core/clock.ts';

/**
 * The simulator's clock: an injected base clock plus an offset that `advance` moves, so tests with a
 * ManualClock and demos on the system clock can both jump ahead ("a week later") on demand.
 */
export class SimClock implements Clock {
  readonly base: Clock;
  #offsetMs = 0;

  constructor(base: Clock) {
    this.base = base;
  }

  now(): Date {
    return new Date(this.base.now().getTime() + this.#offsetMs);
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError(`advance: ${ms} is not a non-negative number of milliseconds`);
    this.#offsetMs += ms;
  }
}

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Parses `90s`, `15m`, `2h`, `1d`, `1w` (or a number of milliseconds). */
export function parseDuration(value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`not a duration: ${value}`);
    return value;
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h|d|w)\s*$/i.exec(value);
  if (!m) throw new RangeError(`not a duration (use e.g. 90s, 15m, 2h, 1d, 1w): ${JSON.stringify(value)}`);
  return Math.round(Number(m[1]) * UNIT_MS[m[2]!.toLowerCase()]!);
}

const SIZE_FACTOR: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

/** Parses `512MB`, `1.5GB`, `2TB` (binary units) or a number of bytes. */
export function parseSize(value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`not a size: ${value}`);
    return Math.round(value);
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB)\s*$/i.exec(value);
  if (!m) throw new RangeError(`not a size (use e.g. 512MB, 1.5GB, 2TB): ${JSON.stringify(value)}`);
  return Math.round(Number(m[1]) * SIZE_FACTOR[m[2]!.toUpperCase()]!);
}
