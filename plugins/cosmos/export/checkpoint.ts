import { text } from 'node:stream/consumers';
import { z } from 'zod';
import type { StorageTarget } from '../../../src/storage/contract.ts';

/**
 * The continuation state of an export in progress, saved to the storage target after each committed part.
 * Invariant: the parts listed hold exactly the documents read up to each range's `token`, so resuming from the
 * tokens and appending parts neither loses nor repeats a document.
 */
export const rangeStateSchema = z.strictObject({
  /** Effective-partition-key range (change feed); `''`..`'FF'` for the one sequential query. */
  min: z.string(),
  max: z.string(),
  /** SDK continuation token after the last page in a committed part; absent before the first. */
  token: z.string().optional(),
  done: z.boolean(),
  documents: z.number().int().nonnegative(),
});
export type RangeState = z.infer<typeof rangeStateSchema>;

export const committedSegmentSchema = z.strictObject({
  key: z.string(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().optional(),
  documents: z.number().int().nonnegative(),
  rawBytes: z.number().int().nonnegative(),
});
export type CommittedSegment = z.infer<typeof committedSegmentSchema>;

export const checkpointSchema = z.strictObject({
  formatVersion: z.literal(1),
  job: z.string(),
  target: z.string(),
  /** The export's key without extension (a resumed export keeps its first name and time). */
  base: z.string(),
  compression: z.enum(['gzip', 'zstd', 'none']),
  reader: z.enum(['change-feed', 'query']),
  /** Query reads only: whether the query ran with the SDK's query control (its tokens need it again). */
  queryControl: z.boolean(),
  containerRid: z.string(),
  startedAt: z.string(),
  updatedAt: z.string(),
  countAtStart: z.number().int().nonnegative(),
  ranges: z.array(rangeStateSchema).min(1),
  segments: z.array(committedSegmentSchema),
  requestCharge: z.number().nonnegative(),
  /** True once every range was read to its end. */
  readComplete: z.boolean(),
});
export type Checkpoint = z.infer<typeof checkpointSchema>;

/** Reads a checkpoint; undefined when there is none. A malformed one is reported as such (and replaced by a fresh export). */
export async function readCheckpoint(
  storage: StorageTarget,
  key: string,
): Promise<{ checkpoint?: Checkpoint; problem?: string }> {
  const found = await storage.stat(key);
  if (!found) return {};
  let json: unknown;
  try {
    json = JSON.parse(await text(await storage.read(key)));
  } catch (err) {
    return { problem: `checkpoint ${key} is not JSON (${(err as Error).message})` };
  }
  const parsed = checkpointSchema.safeParse(json);
  if (!parsed.success)
    return {
      problem: `checkpoint ${key} is not a holdfast checkpoint (${parsed.error.issues[0]?.message ?? 'invalid'})`,
    };
  return { checkpoint: parsed.data };
}

export function saveCheckpoint(
  storage: StorageTarget,
  key: string,
  checkpoint: Checkpoint,
): Promise<unknown> {
  return storage.put(key, `${JSON.stringify(checkpoint, null, 2)}\n`, { contentType: 'application/json' });
}

/** Why a checkpoint cannot be resumed by this job now, or undefined when it can. */
export function checkResumable(
  checkpoint: Checkpoint,
  expect: { job: string; target: string; compression: string; now: Date; maxAgeMs: number },
): string | undefined {
  if (checkpoint.job !== expect.job || checkpoint.target !== expect.target)
    return `it belongs to ${checkpoint.job} ${checkpoint.target}`;
  if (checkpoint.compression !== expect.compression)
    return `it was written with ${checkpoint.compression} compression, the job now asks for ${expect.compression}`;
  const age = expect.now.getTime() - Date.parse(checkpoint.updatedAt);
  if (!(age <= expect.maxAgeMs))
    return `it is older than ${Math.round(expect.maxAgeMs / 3_600_000)} h (last saved ${checkpoint.updatedAt})`;
  return undefined;
}

/** A checkpoint older than this starts over: a resumed export spans its whole time, and continuation tokens age. */
export const MAX_CHECKPOINT_AGE_MS = 24 * 3_600_000;
