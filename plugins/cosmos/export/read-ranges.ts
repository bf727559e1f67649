import type { Container } from '@azure/cosmos';
import { HoldfastError } from '../../../src/core/errors.ts';
import type { Checkpoint } from './checkpoint.ts';
import type { ExportWriter } from './export-writer.ts';
import type { FeedPage, ReadOptions } from './feed-page.ts';
import type { StartRange } from './plan-reading.ts';
import type { ProgressMeter } from './progress-meter.ts';
import { readChangeFeedRange } from './read-change-feed.ts';
import { readQuery } from './read-query.ts';

export interface ReadRangesContext {
  writer: ExportWriter;
  readOptions: ReadOptions;
  checkpointDue(): boolean;
  save(): Promise<void>;
  meter: ProgressMeter;
  signal: AbortSignal;
  wrap(err: unknown, action: string): Error;
  maxParallelRanges: number;
}

/**
 * Reads the ranges that are not done, `maxParallelRanges` at a time, and writes their pages one at a time,
 * recording each range's token with the page it belongs to (so a checkpoint taken between two pages is exact).
 * The first failure stops the other readers.
 */
export async function readRanges(
  container: Container,
  ranges: StartRange[],
  state: Checkpoint,
  ctx: ReadRangesContext,
): Promise<void> {
  const stop = new AbortController();
  const signal = AbortSignal.any([ctx.signal, stop.signal]);
  const options = { ...ctx.readOptions, signal, retry: { ...ctx.readOptions.retry, signal } };
  let queue: Promise<void> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task);
    queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  };
  const pending = ranges.filter((r) => !r.state.done);
  const parallel =
    state.reader === 'query' ? 1 : Math.max(1, Math.min(pending.length, ctx.maxParallelRanges));
  const worker = async (): Promise<void> => {
    for (let next = pending.shift(); next; next = pending.shift()) {
      const r = next;
      const onPage = (page: FeedPage) =>
        serial(async () => {
          await ctx.writer.write(page.lines, page.documents, page.release);
          r.state.documents += page.documents;
          if (page.token !== undefined) r.state.token = page.token;
          state.requestCharge += page.requestCharge;
          ctx.meter.add(page.documents, page.requestCharge, ctx.writer.rawBytes);
          if (ctx.checkpointDue()) await ctx.save();
        });
      if (state.reader === 'query')
        await readQuery(
          container,
          { token: r.state.token, queryControl: state.queryControl },
          options,
          onPage,
        );
      else await readChangeFeedRange(container, { token: r.state.token, range: r.range }, options, onPage);
      await serial(async () => {
        r.state.done = true;
      });
    }
  };
  const workers = Array.from({ length: parallel }, () =>
    worker().catch((err: unknown) => {
      stop.abort(err);
      throw err;
    }),
  );
  const results = await Promise.allSettled(workers);
  await queue;
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    const err: unknown = failure.reason;
    if (err instanceof HoldfastError) throw err;
    throw ctx.wrap(err, 'reading');
  }
}
