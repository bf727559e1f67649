import { setTimeout as sleep } from 'node:timers/promises';
import type { BulkOperationResult, Container, OperationInput, PartitionKeyDefinition } from '@azure/cosmos';
import { readCosmosFailure } from '../cosmos-errors.ts';
import { retryTransient, type RetryTransientOptions } from '../retry-transient.ts';
import type { DeadLetterFile } from './dead-letter-file.ts';
import { partitionKeyOf, stripSystemProperties } from './prepare-document.ts';
import type { ExportLine } from './read-export-lines.ts';

export interface LoadStats {
  read: number;
  written: number;
  deadLettered: number;
  requestCharge: number;
}

export interface LoadOptions {
  partitionKey: PartitionKeyDefinition | undefined;
  deadLetter: DeadLetterFile;
  /** Operations per executeBulkOperations call (the SDK groups them by partition into requests of ≤100). */
  batchSize?: number;
  /**
   * executeBulkOperations calls in flight at once (default 4). Each call waits at least a second for its last
   * partial batches (the SDK's interval), so several calls keep the account busy meanwhile.
   */
  parallelCalls?: number;
  /** Body bytes per call, so a run of near-2 MB documents does not pile up in memory. */
  maxBatchBytes?: number;
  signal: AbortSignal;
  retry?: RetryTransientOptions;
  onProgress?(stats: LoadStats, rawBytes: number): void;
}

interface Pending {
  line: number;
  op: OperationInput;
}

const RETRYABLE = new Set([408, 410, 429, 449, 503]);
const RETRY_ROUNDS = 6;

/**
 * Upserts the documents of an export with executeBulkOperations (idempotent: loading again, or after an
 * interruption, is safe). System properties are stripped, user `_` fields kept. Throttled operations are tried
 * again with backoff; operations that fail for good are tried once more alone (a bad document must not condemn
 * its batch), then written to the dead-letter file with their error.
 */
export async function loadDocuments(
  container: Container,
  lines: AsyncIterable<ExportLine>,
  options: LoadOptions,
): Promise<LoadStats> {
  const stats: LoadStats = { read: 0, written: 0, deadLettered: 0, requestCharge: 0 };
  const batchSize = options.batchSize ?? 1000;
  const maxBytes = options.maxBatchBytes ?? 8 * 1024 * 1024;
  const parallel = Math.max(1, options.parallelCalls ?? 4);
  let rawBytes = 0;
  let batch: Pending[] = [];
  let batchBytes = 0;
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;

  const write = async (items: Pending[]) => {
    const failed = await writeWithRetries(container, items, stats, options);
    const final = failed.length > 1 ? await isolate(container, failed, stats, options) : failed;
    for (const f of final) {
      stats.deadLettered++;
      await options.deadLetter.add({
        line: f.pending.line,
        id: (f.pending.op as { resourceBody?: { id?: unknown } }).resourceBody?.id,
        status: f.status,
        error: f.error,
        document: (f.pending.op as { resourceBody?: unknown }).resourceBody,
      });
    }
    options.onProgress?.(stats, rawBytes);
  };
  const flush = async () => {
    if (batch.length > 0) {
      const task = write(batch).catch((err: unknown) => {
        failure ??= err;
      });
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task));
      batch = [];
      batchBytes = 0;
    }
    while (inFlight.size >= parallel) await Promise.race(inFlight);
    if (failure !== undefined) throw failure;
  };

  for await (const { line, text } of lines) {
    if (options.signal.aborted) break;
    stats.read++;
    rawBytes += text.length + 1;
    let document: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(text.toString('utf8'));
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
        throw new Error('not a JSON object');
      document = stripSystemProperties(parsed as Record<string, unknown>);
    } catch (err) {
      stats.deadLettered++;
      await options.deadLetter.add({
        line,
        error: `line ${line} is not a JSON document: ${(err as Error).message}`,
        document: text.toString('utf8'),
      });
      continue;
    }
    batch.push({
      line,
      op: {
        operationType: 'Upsert',
        resourceBody: document as { id: string },
        partitionKey: partitionKeyOf(document, options.partitionKey),
      },
    });
    batchBytes += text.length;
    if (batch.length >= batchSize || batchBytes >= maxBytes) await flush();
  }
  await flush();
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
  return stats;
}

interface Failure {
  pending: Pending;
  status?: number;
  error: string;
}

async function writeWithRetries(
  container: Container,
  items: Pending[],
  stats: LoadStats,
  options: LoadOptions,
): Promise<Failure[]> {
  let todo = items;
  const failed: Failure[] = [];
  for (let round = 1; todo.length > 0; round++) {
    const results = await retryTransient(() => container.items.executeBulkOperations(todo.map((p) => p.op)), {
      ...options.retry,
      signal: options.signal,
    });
    const again: Failure[] = [];
    results.forEach((result, i) => {
      const pending = todo[i]!;
      const verdict = judge(result);
      stats.requestCharge += result.response?.requestCharge ?? 0;
      if (verdict.ok) stats.written++;
      else if (verdict.retryable && round < RETRY_ROUNDS) again.push({ pending, ...verdict });
      else failed.push({ pending, ...verdict });
    });
    todo = again.map((f) => f.pending);
    if (todo.length > 0) await sleep(Math.min(5000, 100 * 2 ** round), undefined, { signal: options.signal });
  }
  return failed;
}

/** Tries each failed operation alone with a plain upsert (the SDK's throttling retries apply), to find the bad ones. */
async function isolate(
  container: Container,
  failures: Failure[],
  stats: LoadStats,
  options: LoadOptions,
): Promise<Failure[]> {
  const still: Failure[] = [];
  for (const f of failures) {
    const body = (f.pending.op as { resourceBody: Record<string, unknown> }).resourceBody;
    try {
      const response = await retryTransient(
        () =>
          container.items.upsert(body, { abortSignal: options.signal, disableAutomaticIdGeneration: true }),
        { ...options.retry, signal: options.signal },
      );
      stats.requestCharge += response.requestCharge;
      stats.written++;
    } catch (err) {
      const failure = readCosmosFailure(err);
      still.push({ pending: f.pending, status: failure.status, error: failure.message.slice(0, 500) });
    }
  }
  return still;
}

function judge(result: BulkOperationResult): {
  ok: boolean;
  retryable: boolean;
  status?: number;
  error: string;
} {
  const status =
    result.response?.statusCode ?? (typeof result.error?.code === 'number' ? result.error.code : undefined);
  if (!result.error && status !== undefined && status >= 200 && status < 300)
    return { ok: true, retryable: false, status, error: '' };
  const message = result.error?.message ?? `status ${status ?? 'unknown'}`;
  return {
    ok: false,
    retryable: status !== undefined && RETRYABLE.has(status),
    status,
    error: message.split('\n')[0]!.slice(0, 500),
  };
}
