import type { Container, FeedRange } from '@azure/cosmos';
import { countDocuments, servesQueryPlans } from '../container-facts.ts';
import { retryTransient, type RetryTransientOptions } from '../retry-transient.ts';
import type { CosmosBackupSpec } from '../schema.ts';
import type { Checkpoint, RangeState } from './checkpoint.ts';
import { resolveStartRanges } from './resolve-start-ranges.ts';

/** A range to read and where it starts: a token in its state, or (not started yet) the SDK's FeedRange. */
export interface StartRange {
  state: RangeState;
  range?: FeedRange;
}

/** How an export reads its container: which reader, which ranges, and the count it started from. */
export interface ReadingPlan {
  reader: Checkpoint['reader'];
  queryControl: boolean;
  ranges: StartRange[];
  countAtStart: number;
  requestCharge: number;
}

/**
 * A fresh export: the reader (`auto`: the change feed per feed range where the gateway serves query plans, as
 * Azure does; one sequential query where it does not, as the npm emulator), its ranges, and the count at the start.
 * A resumed export: the checkpoint's reader and ranges, mapped onto the feed ranges of now.
 */
export async function planReading(
  container: Container,
  spec: CosmosBackupSpec,
  checkpoint: Checkpoint | undefined,
  retry: RetryTransientOptions,
): Promise<ReadingPlan> {
  if (checkpoint) {
    const ranges =
      checkpoint.reader === 'change-feed'
        ? resolveStartRanges(checkpoint.ranges, await retryTransient(() => container.getFeedRanges(), retry))
        : checkpoint.ranges.map((state) => ({ state }));
    return {
      reader: checkpoint.reader,
      queryControl: checkpoint.queryControl,
      ranges,
      countAtStart: checkpoint.countAtStart,
      requestCharge: 0,
    };
  }
  const plans =
    spec.reader === 'change-feed' ? true : await retryTransient(() => servesQueryPlans(container), retry);
  const reader: Checkpoint['reader'] =
    spec.reader === 'query' || (spec.reader === 'auto' && !plans) ? 'query' : 'change-feed';
  const { count, requestCharge } = await countDocuments(container, retry);
  if (reader === 'query')
    return {
      reader,
      queryControl: plans,
      ranges: [{ state: { min: '', max: 'FF', done: false, documents: 0 } }],
      countAtStart: count,
      requestCharge,
    };
  const feedRanges = await retryTransient(() => container.getFeedRanges(), retry);
  const ranges = feedRanges.map((range) => ({
    range,
    state: { min: range.minInclusive, max: range.maxExclusive, done: false, documents: 0 },
  }));
  return { reader, queryControl: false, ranges, countAtStart: count, requestCharge };
}
