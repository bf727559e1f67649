import type { ContainerDefinition } from '@azure/cosmos';
import type { Clock } from '../../../src/core/clock.ts';
import { ErrorCode, HoldfastError } from '../../../src/core/errors.ts';
import type { Logger } from '../../../src/core/logger.ts';
import type { ProgressUpdate } from '../../../src/plugin/contract.ts';
import type { StorageTarget, StoredObject } from '../../../src/storage/contract.ts';
import type { CosmosConnection } from '../connect-cosmos.ts';
import { countDocuments, readThroughput } from '../container-facts.ts';
import { toCosmosError } from '../cosmos-errors.ts';
import { CONSISTENCY_NOTE, cleanDefinition, type ExportManifest } from '../export-manifest.ts';
import { checkpointKey, exportKeys } from '../file-name.ts';
import { retryTransient, type RetryTransientOptions } from '../retry-transient.ts';
import type { CosmosBackupSpec } from '../schema.ts';
import { checkpointSchema, readCheckpoint, saveCheckpoint, type Checkpoint } from './checkpoint.ts';
import { discardExport } from './discard-export.ts';
import { ExportWriter } from './export-writer.ts';
import { budgetSource, exportBudget } from './export-budget.ts';
import { planReading, type ReadingPlan } from './plan-reading.ts';
import { ProgressMeter } from './progress-meter.ts';
import { readRanges } from './read-ranges.ts';

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
  const wrap = (err: unknown, action: string) =>
    toCosmosError(err, {
      endpoint: connection.endpoint,
      action: `${action} ${label}`,
      container: label,
      secrets: connection.secrets,
    });
  const container = connection.client.database(input.database).container(input.container);
  const notes: string[] = [];
  const ckKey = checkpointKey(input.job, input.target);

  const definition = await retryTransient(() => container.read(), retry).catch((err: unknown) => {
    throw wrap(err, 'reading the definition of');
  });
  if (!definition.resource)
    throw wrap(Object.assign(new Error('not found'), { code: 404 }), 'reading the definition of');
  const resource = definition.resource as ContainerDefinition & { _rid?: string };

  // Resume the checkpoint of this very export (same key, same container), or clear any other one away.
  let checkpoint: Checkpoint | undefined;
  const found = await readCheckpoint(storage, ckKey);
  if (
    found.checkpoint &&
    found.checkpoint.base === input.base &&
    found.checkpoint.containerRid === resource._rid &&
    found.checkpoint.compression === spec.compression
  ) {
    checkpoint = found.checkpoint;
  } else if (found.checkpoint || found.problem) {
    const why =
      found.problem ??
      (found.checkpoint!.containerRid !== resource._rid
        ? 'the container was recreated since'
        : `it is for ${found.checkpoint!.base}`);
    notes.push(`discarded an interrupted export (${why})`);
    if (found.checkpoint)
      await discardExport(
        storage,
        exportKeys(found.checkpoint.base, found.checkpoint.compression),
        found.checkpoint.segments,
      );
    await storage.delete(ckKey);
  }
  const keys = exportKeys(input.base, spec.compression);
  const { throughput, reason: throughputReason } = await readThroughput(container, connection.authType);
  const budget = exportBudget(spec, throughput?.requestUnitsPerSecond, notes);
  let plan: ReadingPlan;
  try {
    plan = await planReading(container, spec, checkpoint, retry);
  } catch (err) {
    if (!(checkpoint && err instanceof HoldfastError && err.code === ErrorCode.RuleViolation))
      throw wrap(err, 'preparing to read');
    // The checkpoint cannot be followed (feed ranges merged since): start over under the same name.
    notes.push(`discarded an interrupted export (${err.message})`);
    await discardExport(storage, exportKeys(checkpoint.base, checkpoint.compression), checkpoint.segments);
    await storage.delete(ckKey);
    checkpoint = undefined;
    plan = await planReading(container, spec, undefined, retry).catch((e: unknown) => {
      throw wrap(e, 'preparing to read');
    });
  }
  const resumed = checkpoint !== undefined;
  const startedAt = checkpoint ? new Date(checkpoint.startedAt) : input.clock.now();
  const writer = new ExportWriter({
    storage,
    keys,
    compression: spec.compression,
    level: spec.compressionLevel,
    committed: checkpoint?.segments,
  });
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
      await readRanges(container, plan.ranges, state, {
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
      const changed =
        atEnd.count !== state.countAtStart
          ? ` (${state.countAtStart} when the export started: the container changed while it ran)`
          : '';
      throw new HoldfastError(
        ErrorCode.VerificationFailed,
        `export of ${label} read ${exported} documents but the container holds ${atEnd.count}${changed}; ` +
          (state.reader === 'change-feed'
            ? "the change feed did not return every document (set reader: query if this server's change feed is incomplete)"
            : 'nothing was committed'),
        {
          details: { exported, counted: atEnd.count, countAtStart: state.countAtStart, reader: state.reader },
          retryable: false,
        },
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
      tool: {
        name: 'holdfast',
        version: input.versions.holdfast,
        plugin: `cosmos ${input.versions.plugin}`,
        sdk: `@azure/cosmos ${input.versions.sdk}`,
      },
      job: input.job,
      target: input.target,
      account: { name: connection.accountName, endpoint: connection.endpoint },
      database: { id: input.database },
      container: {
        id: input.container,
        rid: resource._rid,
        definition: cleanDefinition(resource as unknown as Record<string, unknown>),
      },
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
      requestUnitBudget: budget.ratePerSecond
        ? { perSecond: budget.ratePerSecond, source: budgetSource(spec, throughput?.requestUnitsPerSecond) }
        : null,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      consistency: CONSISTENCY_NOTE,
    };
    const manifestObject = await storage.put(keys.manifest, `${JSON.stringify(manifest, null, 2)}\n`, {
      contentType: 'application/json',
    });
    meter.report(true);
    await cleanUp(storage, [...segments.slice(1).map((s) => s.key), ckKey], input.logger);
    return { manifest, data, manifestObject, resumed, notes };
  } catch (err) {
    await writer.abort().catch(() => undefined);
    const permanent =
      err instanceof HoldfastError &&
      (err.code === ErrorCode.NotFound || err.code === ErrorCode.VerificationFailed);
    if (permanent) {
      await discardExport(storage, keys, writer.committed).catch(() => undefined);
      await storage.delete(ckKey).catch(() => undefined);
    }
    throw err;
  }
}

function checkpointClock(spec: CosmosBackupSpec, clock: Clock, writer: ExportWriter): () => boolean {
  let last = clock.now().getTime();
  return () => {
    const now = clock.now().getTime();
    const byTime = now - last >= spec.checkpoint.seconds * 1000;
    const byCount =
      spec.checkpoint.documents !== undefined && writer.pendingDocuments >= spec.checkpoint.documents;
    if (!byTime && !byCount) return false;
    last = now;
    return writer.pendingDocuments > 0;
  };
}

async function cleanUp(storage: StorageTarget, keys: string[], logger: Logger): Promise<void> {
  for (const key of keys) {
    await storage
      .delete(key)
      .catch((err: unknown) =>
        logger.warn(
          { key, err: (err as Error).message },
          'could not remove a part of a finished export; it is safe to delete',
        ),
      );
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
