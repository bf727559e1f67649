import type { Container, ContainerDefinition, FeedRange } from '@azure/cosmos';
import type { Clock } from '../../../src/core/clock.ts';
import { ErrorCode, HoldfastError } from '../../../src/core/errors.ts';
import type { Logger } from '../../../src/core/logger.ts';
import type { ProgressUpdate } from '../../../src/plugin/contract.ts';
import type { StorageTarget, StoredObject } from '../../../src/storage/contract.ts';
import type { CosmosConnection } from '../connect-cosmos.ts';
import { countDocuments, readThroughput, servesQueryPlans } from '../container-facts.ts';
import { toCosmosError } from '../cosmos-errors.ts';
import { CONSISTENCY_NOTE, cleanDefinition, type ExportManifest } from '../export-manifest.ts';
import { checkpointKey, exportKeys, type ExportKeys } from '../file-name.ts';
import { retryTransient, type RetryTransientOptions } from '../retry-transient.ts';
import type { CosmosBackupSpec } from '../schema.ts';
import { checkpointSchema, readCheckpoint, saveCheckpoint, type Checkpoint, type RangeState } from './checkpoint.ts';
import { discardExport } from './discard-export.ts';
import { ExportWriter } from './export-writer.ts';
import type { FeedPage, ReadOptions } from './feed-page.ts';
import { ProgressMeter } from './progress-meter.ts';
import { readChangeFeedRange } from './read-change-feed.ts';
import { readQuery } from './read-query.ts';
import { RequestUnitBudget } from './request-unit-budget.ts';
import { resolveStartRanges } from './resolve-start-ranges.ts';

export interface ExportContainerInput {
  connection: CosmosConnection;
  storage: StorageTarget;
  spec: CosmosBackupSpec;
  job: string;
  /** `<account>/<db>/<container>` */
  target: string;
  database: string;
  container: string;
  /** Key of the export without extension, as planned (a checkpoint for the same key is resumed). */
  base: string;
  clock: Clock;
  logger: Logger;
  signal: AbortSignal;
  progress(update: ProgressUpdate): void;
  versions: { holdfast: string; plugin: string; sdk: string };
  /** Outer retry of each Cosmos call (defaults suit production; tests shorten them). */
  retry?: RetryTransientOptions;
  /** Take documents as the server's bytes (default true); false re-serialises what the SDK parsed. */
  rawPages?: boolean;
}

export interface ExportContainerResult {
  manifest: ExportManifest;
  data: StoredObject;
  manifestObject: StoredObject;
  resumed: boolean;
  notes: string[];
}

/**
 * Exports one container: reads every document (feed ranges in parallel, paced under the RU budget, riding out
 * throttling), streams them as compressed JSON Lines into storage, checkpoints so that an interrupted export
 * resumes, checks the count against the container, then commits the data and, last, the manifest.
 * On failure nothing that looks like a complete export is left; the checkpoint stays for a resume unless the
 * container is gone or the export cannot be right (count mismatch), in which case everything is removed.
 */
export async function exportContainer(input: ExportContainerInput): Promise<ExportContainerResult> {
  const { spec, storage, connection, signal } = input;
  const label = `${input.database}/${input.container}`;
  const retry: RetryTransientOptions = { ...input.retry, signal };
  const wrap = (err: unknown, action: string) => toCosmosError(err, { endpoint: connection.endpoint, action: `${action} ${label}`, container: label, secrets: connection.secrets });
  const container = connection.client.database(input.database).container(input.container);
  const notes: string[] = [];
  const ckKey = checkpointKey(input.job, input.target);

  const definition = await retryTransient(() => container.read(), retry).catch((err: unknown) => {
    throw wrap(err, 'reading the definition of');
  });
  if (!definition.resource) throw wrap(Object.assign(new Error('not found'), { code: 404 }), 'reading the definition of');
  const resource = definition.resource as ContainerDefinition & { _rid?: string };

  // Resume the checkpoint of this very export (same key, same container), or clear any other one away.
  let checkpoint: Checkpoint | undefined;
  const found = await readCheckpoint(storage, ckKey);
  if (found.checkpoint && found.checkpoint.base === input.base && found.checkpoint.containerRid === resource._rid && found.checkpoint.compression === spec.compression) {
    checkpoint = found.checkpoint;
  } else if (found.checkpoint || found.problem) {
    const why = found.problem ?? (found.checkpoint!.containerRid !== resource._rid ? 'the container was recreated since' : `it is for ${found.checkpoint!.base}`);
    notes.push(`discarded an interrupted export (${why})`);
    if (found.checkpoint) await discardExport(storage, exportKeys(found.checkpoint.base, found.checkpoint.compression), found.checkpoint.segments);
    await storage.delete(ckKey);
  }
  const resumed = checkpoint !== undefined;
  const keys = exportKeys(input.base, spec.compression);

  const startedAt = checkpoint ? new Date(checkpoint.startedAt) : input.clock.now();
  const { throughput, reason: throughputReason } = await readThroughput(container, connection.authType);
  const budget = requestUnitBudget(spec, throughput?.requestUnitsPerSecond, notes);
  const plan = await planReading(container, spec, checkpoint, retry).catch((err: unknown) => {
    throw wrap(err, 'preparing to read');
  });
  const writer = new ExportWriter({ storage, keys, compression: spec.compression, level: spec.compressionLevel, committed: checkpoint?.segments });
  const state: Checkpoint = checkpoint ?? {
    formatVersion: 1,
    job: input.job,
    target: input.target,
    base: input.base,
    compression: spec.compression,
    reader: plan.reader,
    queryControl: plan.queryControl,
    containerRid: resource._rid ?? '',
    startedAt: startedAt.toISOString(),
    updatedAt: startedAt.toISOString(),
    countAtStart: plan.countAtStart,
    ranges: plan.ranges.map((r) => r.state),
    segments: [],
    requestCharge: plan.requestCharge,
    readComplete: false,
  };
  if (checkpoint) state.ranges = plan.ranges.map((r) => r.state);

  const meter = new ProgressMeter(input.progress, state.countAtStart, writer.documents);
  try {
    if (!state.readComplete) {
      await readAllRanges(container, plan.ranges, state, {
        writer,
        readOptions: { pageSize: spec.pageSize, budget, signal, retry, capture: input.rawPages ?? true },
        checkpointDue: checkpointClock(spec, input.clock, writer),
        save: async () => {
          await writer.commitSegment();
          state.segments = [...writer.committed];
          state.updatedAt = input.clock.now().toISOString();
          await saveCheckpoint(storage, ckKey, checkpointSchema.parse(structuredClone(state)));
        },
        meter,
        signal,
        wrap,
        maxParallelRanges: spec.maxParallelRanges,
      });
      state.readComplete = true;
    }

    const atEnd = await countDocuments(container, retry).catch((err: unknown) => {
      throw wrap(err, 'counting the documents of');
    });
    state.requestCharge += atEnd.requestCharge;
    const exported = writer.documents;
    if (exported !== atEnd.count) {
      const changed = atEnd.count !== state.countAtStart ? ` (${state.countAtStart} when the export started: the container changed while it ran)` : '';
      throw new HoldfastError(
        ErrorCode.VerificationFailed,
        `export of ${label} read ${exported} documents but the container holds ${atEnd.count}${changed}; ` +
          (state.reader === 'change-feed' ? "the change feed did not return every document (set reader: query if this server's change feed is incomplete)" : 'nothing was committed'),
        { details: { exported, counted: atEnd.count, countAtStart: state.countAtStart, reader: state.reader }, retryable: false },
      );
    }

    await writer.commitSegment();
    if (writer.committed.length > 1) {
      state.segments = [...writer.committed];
      state.updatedAt = input.clock.now().toISOString();
      await saveCheckpoint(storage, ckKey, state);
    }
    const { object: data, segments } = await writer.finish();
    const finishedAt = input.clock.now();
    const manifest: ExportManifest = {
      formatVersion: 1,
      kind: 'holdfast/cosmos-export',
      tool: { name: 'holdfast', version: input.versions.holdfast, plugin: `cosmos ${input.versions.plugin}`, sdk: `@azure/cosmos ${input.versions.sdk}` },
      job: input.job,
      target: input.target,
      account: { name: connection.accountName, endpoint: connection.endpoint },
      database: { id: input.database },
      container: { id: input.container, rid: resource._rid, definition: cleanDefinition(resource as unknown as Record<string, unknown>) },
      throughput,
      ...(throughput ? {} : { throughputUnavailableReason: throughputReason }),
      data: {
        key: keys.data,
        format: 'jsonl',
        compression: spec.compression,
        documentCount: exported,
        bytesRaw: writer.rawBytes,
        bytesCompressed: data.bytes,
        sha256: data.sha256 ?? '',
        segments: segments.map((s) => ({ bytes: s.bytes, documents: s.documents, rawBytes: s.rawBytes })),
      },
      count: { atStart: state.countAtStart, atEnd: atEnd.count, exported },
      read: {
        reader: state.reader,
        feedRanges: state.ranges.length,
        resumed,
        ...(state.reader === 'change-feed' ? { continuation: state.ranges.map((r) => r.token ?? '') } : {}),
      },
      requestCharge: round(state.requestCharge),
      requestUnitBudget: budget.ratePerSecond ? { perSecond: budget.ratePerSecond, source: budgetSource(spec, throughput?.requestUnitsPerSecond) } : null,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      consistency: CONSISTENCY_NOTE,
    };
    const manifestObject = await storage.put(keys.manifest, `${JSON.stringify(manifest, null, 2)}\n`, { contentType: 'application/json' });
    meter.report(true);
    await cleanUp(storage, [...segments.slice(1).map((s) => s.key), ckKey], input.logger);
    return { manifest, data, manifestObject, resumed, notes };
  } catch (err) {
    await writer.abort().catch(() => undefined);
    const permanent = err instanceof HoldfastError && (err.code === ErrorCode.NotFound || err.code === ErrorCode.VerificationFailed);
    if (permanent) {
      await discardExport(storage, keys, writer.committed).catch(() => undefined);
      await storage.delete(ckKey).catch(() => undefined);
    }
    throw err;
  }
}

interface StartRange {
  state: RangeState;
  range?: FeedRange;
}

interface ReadingPlan {
  reader: Checkpoint['reader'];
  queryControl: boolean;
  ranges: StartRange[];
  countAtStart: number;
  requestCharge: number;
}

async function planReading(container: Container, spec: CosmosBackupSpec, checkpoint: Checkpoint | undefined, retry: RetryTransientOptions): Promise<ReadingPlan> {
  if (checkpoint) {
    const ranges = checkpoint.reader === 'change-feed' ? resolveStartRanges(checkpoint.ranges, await retryTransient(() => container.getFeedRanges(), retry)) : checkpoint.ranges.map((state) => ({ state }));
    return { reader: checkpoint.reader, queryControl: checkpoint.queryControl, ranges, countAtStart: checkpoint.countAtStart, requestCharge: 0 };
  }
  const plans = spec.reader === 'change-feed' ? true : await retryTransient(() => servesQueryPlans(container), retry);
  const reader: Checkpoint['reader'] = spec.reader === 'query' || (spec.reader === 'auto' && !plans) ? 'query' : 'change-feed';
  const { count, requestCharge } = await countDocuments(container, retry);
  if (reader === 'query') return { reader, queryControl: plans, ranges: [{ state: { min: '', max: 'FF', done: false, documents: 0 } }], countAtStart: count, requestCharge };
  const feedRanges = await retryTransient(() => container.getFeedRanges(), retry);
  const ranges = feedRanges.map((range) => ({ range, state: { min: range.minInclusive, max: range.maxExclusive, done: false, documents: 0 } }));
  return { reader, queryControl: false, ranges, countAtStart: count, requestCharge };
}

interface ReadAllContext {
  writer: ExportWriter;
  readOptions: ReadOptions;
  checkpointDue(): boolean;
  save(): Promise<void>;
  meter: ProgressMeter;
  signal: AbortSignal;
  wrap(err: unknown, action: string): Error;
  maxParallelRanges: number;
}

/** Reads the ranges that are not done, `maxParallelRanges` at a time; pages are written one at a time. */
async function readAllRanges(container: Container, ranges: StartRange[], state: Checkpoint, ctx: ReadAllContext): Promise<void> {
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
  const parallel = state.reader === 'query' ? 1 : Math.max(1, Math.min(pending.length, ctx.maxParallelRanges));
  const worker = async (): Promise<void> => {
    for (let next = pending.shift(); next; next = pending.shift()) {
      const r = next;
      const onPage = (page: FeedPage) =>
        serial(async () => {
          await ctx.writer.write(page.lines, page.documents);
          r.state.documents += page.documents;
          if (page.token !== undefined) r.state.token = page.token;
          state.requestCharge += page.requestCharge;
          ctx.meter.add(page.documents, page.requestCharge, ctx.writer.rawBytes);
          if (ctx.checkpointDue()) await ctx.save();
        });
      if (state.reader === 'query') await readQuery(container, { token: r.state.token, queryControl: state.queryControl }, options, onPage);
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

function checkpointClock(spec: CosmosBackupSpec, clock: Clock, writer: ExportWriter): () => boolean {
  let last = clock.now().getTime();
  return () => {
    const now = clock.now().getTime();
    const byTime = now - last >= spec.checkpoint.seconds * 1000;
    const byCount = spec.checkpoint.documents !== undefined && writer.pendingDocuments >= spec.checkpoint.documents;
    if (!byTime && !byCount) return false;
    last = now;
    return writer.pendingDocuments > 0;
  };
}

function requestUnitBudget(spec: CosmosBackupSpec, provisioned: number | undefined, notes: string[]): RequestUnitBudget {
  const limits: number[] = [];
  if (spec.maxRequestUnitsPerSecond !== undefined) limits.push(spec.maxRequestUnitsPerSecond);
  if (spec.throughputShare !== undefined) {
    if (provisioned !== undefined) limits.push(provisioned * spec.throughputShare);
    else notes.push(`throughputShare ${spec.throughputShare} ignored: the throughput could not be read${limits.length > 0 ? '' : '; the export ran unpaced'}`);
  }
  return new RequestUnitBudget(limits.length > 0 ? Math.min(...limits) : undefined);
}

function budgetSource(spec: CosmosBackupSpec, provisioned: number | undefined): string {
  const share = spec.throughputShare !== undefined && provisioned !== undefined ? provisioned * spec.throughputShare : undefined;
  if (share !== undefined && (spec.maxRequestUnitsPerSecond === undefined || share < spec.maxRequestUnitsPerSecond)) return `throughputShare ${spec.throughputShare} of ${provisioned} RU/s`;
  return 'maxRequestUnitsPerSecond';
}

async function cleanUp(storage: StorageTarget, keys: string[], logger: Logger): Promise<void> {
  for (const key of keys) {
    await storage.delete(key).catch((err: unknown) => logger.warn({ key, err: (err as Error).message }, 'could not remove a part of a finished export; it is safe to delete'));
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

export type { ExportKeys };
