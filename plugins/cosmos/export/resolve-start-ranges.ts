import type { FeedRange } from '@azure/cosmos';
import { ErrorCode, HoldfastError } from '../../../src/core/errors.ts';
import type { RangeState } from './checkpoint.ts';

/**
 * Maps a checkpoint's ranges onto the container's feed ranges now. Ranges with a token carry their position
 * (the SDK follows splits and merges from a token). A range not started yet needs a FeedRange object to start
 * from the beginning: the same range if it still exists, else the current ranges that tile it (after a split).
 * A merge across a started and an unstarted range cannot be resumed exactly: that throws, and the export starts over.
 */
export function resolveStartRanges(
  states: readonly RangeState[],
  current: readonly FeedRange[],
): { state: RangeState; range?: FeedRange }[] {
  const out: { state: RangeState; range?: FeedRange }[] = [];
  for (const state of states) {
    if (state.token !== undefined || state.done) {
      out.push({ state });
      continue;
    }
    const same = current.find((r) => r.minInclusive === state.min && r.maxExclusive === state.max);
    if (same) {
      out.push({ state, range: same });
      continue;
    }
    const inside = current
      .filter((r) => r.minInclusive >= state.min && (state.max === 'FF' || r.maxExclusive <= state.max))
      .sort((a, b) => (a.minInclusive < b.minInclusive ? -1 : 1));
    const tiles =
      inside.length > 0 &&
      inside[0]!.minInclusive === state.min &&
      inside.at(-1)!.maxExclusive === state.max &&
      inside.every((r, i) => i === 0 || r.minInclusive === inside[i - 1]!.maxExclusive);
    if (!tiles) {
      throw new HoldfastError(
        ErrorCode.RuleViolation,
        `feed range ${state.min}..${state.max} changed since the checkpoint (partitions merged); the export has to start over`,
      );
    }
    for (const range of inside)
      out.push({
        state: { min: range.minInclusive, max: range.maxExclusive, done: false, documents: 0 },
        range,
      });
  }
  return out;
}
