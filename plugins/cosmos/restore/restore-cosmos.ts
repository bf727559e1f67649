import path from 'node:path';
import type { ContainerDefinition, ContainerRequest, PartitionKeyDefinition } from '@azure/cosmos';
import type { TokenCredential } from '@azure/identity';
import type { Catalog } from '../../../src/catalog/contract.ts';
import type { Clock } from '../../../src/core/clock.ts';
import { ErrorCode, HoldfastError } from '../../../src/core/errors.ts';
import type { Job, SecretRef } from '../../../src/core/job.ts';
import type { Secret } from '../../../src/core/secret.ts';
import type { ProgressUpdate } from '../../../src/plugin/contract.ts';
import type { StorageTarget } from '../../../src/storage/contract.ts';
import { accountNameOf, containerUri } from '../account-name.ts';
import { connectCosmos, type CosmosConnection } from '../connect-cosmos.ts';
import { countDocuments } from '../container-facts.ts';
import { readCosmosFailure, toCosmosError } from '../cosmos-errors.ts';
import type { ExportManifest } from '../export-manifest.ts';
import type { RetryTransientOptions } from '../retry-transient.ts';
import type { CosmosAuth, CosmosBackupSpec } from '../schema.ts';
import { DeadLetterFile } from './dead-letter-file.ts';
import { findExport } from './find-export.ts';
import { loadDocuments } from './load-documents.ts';
import { readExportLines } from './read-export-lines.ts';

export interface CosmosRestoreRequest {
  /** Source container, as exported. */
  database: string;
  container: string;
  /** `latest` (default), a catalog artifact id (or unique prefix), or a manifest key. */
  from?: string;
  toDatabase: string;
  toContainer: string;
  /** Target account endpoint (default: the job's account) and how to sign in there (default: the job's auth). */
  toAccount?: string;
  toAuth?: CosmosAuth;
  /** Load into a container that already holds documents (upserts overwrite documents with the same id and key). */
  intoExisting?: boolean;
  /** Provisioned RU/s for a container the restore creates (default: none, i.e. the database's or serverless). */
  throughput?: number;
  /** Leave defaultTtl off after loading (default false: the export's defaultTtl is applied once the documents are in). */
  skipTtl?: boolean;
  /** Where documents that cannot be stored go (default `./<db>.<container>.<time>.deadletter.jsonl`). */
  deadLetterPath?: string;
  batchSize?: number;
}

export interface CosmosRestoreServices {
  job: Job<CosmosBackupSpec>;
  storage: StorageTarget;
  catalog: Pick<Catalog, 'listArtifacts'>;
  resolveSecret(ref: SecretRef): Promise<Secret>;
  clock: Clock;
  signal: AbortSignal;
  /** Directory relative dead-letter paths resolve against. */
  cwd: string;
  progress?(update: ProgressUpdate): void;
  credential?: TokenCredential;
  retry?: RetryTransientOptions;
}

/** What a restore will do, decided by reading only (printed by --dry-run). */
export interface CosmosRestorePlan {
  source: {
    storage: string;
    manifestKey: string;
    dataKey: string;
    artifactId?: string;
    foundIn: 'catalog' | 'storage';
    exportedAt: string;
    documentCount: number;
    bytes: number;
    sourceContainer: string;
  };
  target: {
    endpoint: string;
    account: string;
    database: string;
    container: string;
    exists: boolean;
    documentCount: number;
  };
  /** The container definition the restore creates (TTL left off until the documents are in). */
  create?: ContainerRequest;
  defaultTtl?: number;
  steps: string[];
  warnings: string[];
  deadLetterPath: string;
}

export interface CosmosRestoreSummary {
  status: 'succeeded' | 'partly-failed';
  plan: CosmosRestorePlan;
  documents: { inExport: number; read: number; written: number; deadLettered: number };
  count: { expected: number; actual: number; ok: boolean };
  ttlApplied?: number;
  requestCharge: number;
  durationMs: number;
  /** Present when documents could not be stored. */
  deadLetterPath?: string;
}

/**
 * Decides a restore without writing anything: finds the export, reads its manifest, looks at the target.
 * Refuses (RULE_VIOLATION) to load into an existing container that holds documents unless `intoExisting`, and
 * into one whose partition key differs from the export's.
 */
export async function planCosmosRestore(
  request: CosmosRestoreRequest,
  services: CosmosRestoreServices,
): Promise<CosmosRestorePlan> {
  const found = await findExport(services.job, services.storage, services.catalog, request);
  const manifest = found.manifest;
  const connection = await targetConnection(request, services);
  try {
    return await decide(
      request,
      services,
      connection,
      found.manifestKey,
      found.artifactId,
      found.foundIn,
      manifest,
    );
  } finally {
    connection.dispose();
  }
}

/** Runs a planned restore: create the container, bulk-load, count, then apply TTL. */
export async function executeCosmosRestore(
  plan: CosmosRestorePlan,
  request: CosmosRestoreRequest,
  services: CosmosRestoreServices,
): Promise<CosmosRestoreSummary> {
  const started = performance.now();
  const found = await findExport(services.job, services.storage, services.catalog, {
    ...request,
    from: plan.source.manifestKey,
  });
  const manifest = found.manifest;
  const connection = await targetConnection(request, services);
  const label = `${plan.target.database}/${plan.target.container}`;
  const wrap = (err: unknown, action: string) =>
    toCosmosError(err, {
      endpoint: connection.endpoint,
      action: `${action} ${label}`,
      container: label,
      secrets: connection.secrets,
    });
  const deadLetter = new DeadLetterFile(plan.deadLetterPath);
  try {
    const client = connection.client;
    if (plan.create) {
      const { database } = await client.databases
        .createIfNotExists({ id: plan.target.database })
        .catch((err: unknown) => {
          throw wrap(err, 'creating the database of');
        });
      await database.containers.createIfNotExists(plan.create).catch((err: unknown) => {
        throw wrap(err, 'creating');
      });
    }
    const container = client.database(plan.target.database).container(plan.target.container);
    const expectedTotal = manifest.data.documentCount;
    const stats = await loadDocuments(container, readExportLines(services.storage, manifest), {
      partitionKey: manifest.container.definition.partitionKey as PartitionKeyDefinition | undefined,
      deadLetter,
      batchSize: request.batchSize,
      signal: services.signal,
      retry: services.retry,
      onProgress: (s, raw) =>
        services.progress?.({
          message: `${s.read.toLocaleString('en-US')} / ${expectedTotal.toLocaleString('en-US')} documents, ${(raw / 1_048_576).toFixed(1)} MB, ${s.deadLettered} not stored`,
          fraction: expectedTotal > 0 ? s.read / expectedTotal : 1,
          metrics: { documents: s.written, requestCharge: Math.round(s.requestCharge) },
        }),
    }).catch((err: unknown) => {
      throw err instanceof HoldfastError ? err : wrap(err, 'loading documents into');
    });
    await deadLetter.close();
    if (services.signal.aborted)
      throw new HoldfastError(
        ErrorCode.Cancelled,
        `restore into ${label} cancelled after ${stats.written} documents; run it again with --into-existing to finish (upserts are safe to repeat)`,
      );

    const counted = await countDocuments(container, { ...services.retry, signal: services.signal }).catch(
      (err: unknown) => {
        throw wrap(err, 'counting the documents of');
      },
    );
    const expected = plan.target.documentCount + stats.written;
    const ok =
      plan.target.exists && plan.target.documentCount > 0
        ? counted.count >= stats.written && counted.count <= expected
        : counted.count === expected;
    if (!ok) {
      throw new HoldfastError(
        ErrorCode.VerificationFailed,
        `after the restore ${label} holds ${counted.count} documents, expected ${expected} (${stats.written} written${plan.target.documentCount ? `, ${plan.target.documentCount} there before` : ''})`,
        { details: { counted: counted.count, expected, written: stats.written } },
      );
    }
    let ttlApplied: number | undefined;
    if (plan.defaultTtl !== undefined) {
      const { resource } = await container.read();
      await container
        .replace({
          ...(resource as ContainerDefinition),
          id: plan.target.container,
          defaultTtl: plan.defaultTtl,
        })
        .catch((err: unknown) => {
          throw wrap(err, 'setting defaultTtl on');
        });
      ttlApplied = plan.defaultTtl;
      // A container replace must keep its documents; the npm emulator recreates the container instead. Check.
      const after = await countDocuments(container, { ...services.retry, signal: services.signal });
      if (after.count < counted.count) {
        throw new HoldfastError(
          ErrorCode.VerificationFailed,
          `setting defaultTtl ${plan.defaultTtl} on ${label} left ${after.count} of its ${counted.count} documents (the server dropped them when the container was replaced, as the npm Cosmos emulator does); restore again with --skip-ttl`,
        );
      }
    }
    return {
      status: stats.deadLettered > 0 ? 'partly-failed' : 'succeeded',
      plan,
      documents: {
        inExport: expectedTotal,
        read: stats.read,
        written: stats.written,
        deadLettered: stats.deadLettered,
      },
      count: { expected, actual: counted.count, ok },
      ...(ttlApplied !== undefined ? { ttlApplied } : {}),
      requestCharge: Math.round((stats.requestCharge + counted.requestCharge) * 100) / 100,
      durationMs: Math.round(performance.now() - started),
      ...(deadLetter.count > 0 ? { deadLetterPath: deadLetter.path } : {}),
    };
  } finally {
    await deadLetter.close().catch(() => undefined);
    connection.dispose();
  }
}

/** Plans and runs a restore (what `holdfast restore cosmos` does without --dry-run). */
export async function restoreCosmos(
  request: CosmosRestoreRequest,
  services: CosmosRestoreServices,
): Promise<CosmosRestoreSummary> {
  return executeCosmosRestore(await planCosmosRestore(request, services), request, services);
}

async function targetConnection(
  request: CosmosRestoreRequest,
  services: CosmosRestoreServices,
): Promise<CosmosConnection> {
  const source = services.job.spec.account;
  const account = request.toAccount
    ? { endpoint: request.toAccount, auth: request.toAuth ?? source.auth }
    : { ...source, auth: request.toAuth ?? source.auth };
  return connectCosmos(account, { resolveSecret: services.resolveSecret, credential: services.credential });
}

async function decide(
  request: CosmosRestoreRequest,
  services: CosmosRestoreServices,
  connection: CosmosConnection,
  manifestKey: string,
  artifactId: string | undefined,
  foundIn: 'catalog' | 'storage',
  manifest: ExportManifest,
): Promise<CosmosRestorePlan> {
  const label = `${request.toDatabase}/${request.toContainer}`;
  const container = connection.client.database(request.toDatabase).container(request.toContainer);
  const definition = manifest.container.definition as Partial<ContainerDefinition>;
  let existing: ContainerDefinition | undefined;
  try {
    existing = (await container.read()).resource;
  } catch (err) {
    if (readCosmosFailure(err).status !== 404)
      throw toCosmosError(err, {
        endpoint: connection.endpoint,
        action: `reading ${label}`,
        secrets: connection.secrets,
      });
  }
  const warnings: string[] = [];
  let documentCount = 0;
  if (existing) {
    documentCount = (await countDocuments(container)).count;
    const want = JSON.stringify(definition.partitionKey?.paths ?? []);
    const have = JSON.stringify(existing.partitionKey?.paths ?? []);
    if (want !== have) {
      throw new HoldfastError(
        ErrorCode.RuleViolation,
        `${label} exists with partition key ${have}, the export's is ${want}: restore into a new container instead`,
      );
    }
    if (documentCount > 0 && !request.intoExisting) {
      throw new HoldfastError(
        ErrorCode.RuleViolation,
        `${label} already holds ${documentCount} documents: refusing to load into it (pass --into-existing to upsert into it anyway, or restore into a new container)`,
      );
    }
    warnings.push(`${label} exists: its indexing policy, unique keys and TTL are left as they are`);
  }
  const {
    defaultTtl,
    analyticalStorageTtl: _analytical,
    id: _id,
    ...rest
  } = definition as Partial<ContainerDefinition> & { analyticalStorageTtl?: number };
  const create: ContainerRequest | undefined = existing
    ? undefined
    : {
        ...(rest as ContainerRequest),
        id: request.toContainer,
        ...(request.throughput ? { throughput: request.throughput } : {}),
      };
  const stamp = services.clock
    .now()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const deadLetterPath = path.resolve(
    services.cwd,
    request.deadLetterPath ?? `${request.toDatabase}.${request.toContainer}.${stamp}.deadletter.jsonl`,
  );
  const targetUri = containerUri(connection.endpoint, request.toDatabase, request.toContainer);
  const steps = [
    existing
      ? `load into the existing container ${targetUri}${documentCount > 0 ? ` (it holds ${documentCount} documents; upserts replace those with the same id)` : ''}`
      : `create ${targetUri} from the manifest: ${creationParts(definition, request.throughput).join(', ')}; TTL off while loading`,
    `upsert ${manifest.data.documentCount} documents from ${services.storage.name}:${manifest.data.key} with executeBulkOperations (system properties _rid _self _etag _ts _attachments _lsn removed; other _ fields kept)`,
    `count the documents of ${label}`,
    ...(defaultTtl !== undefined && !existing && !request.skipTtl
      ? [`then set defaultTtl ${defaultTtl} (every document's TTL clock starts at the restore)`]
      : []),
  ];
  if (defaultTtl !== undefined && !existing && request.skipTtl)
    warnings.push(
      `defaultTtl ${defaultTtl} of the source is not applied (--skip-ttl): set it yourself when the documents may start expiring`,
    );
  if (manifest.throughput && !request.throughput)
    warnings.push(
      `the source had ${manifest.throughput.requestUnitsPerSecond} RU/s ${manifest.throughput.mode} (${manifest.throughput.scope}); the new container gets none of its own unless --throughput is given`,
    );
  return {
    source: {
      storage: services.storage.name,
      manifestKey,
      dataKey: manifest.data.key,
      ...(artifactId ? { artifactId } : {}),
      foundIn,
      exportedAt: manifest.finishedAt,
      documentCount: manifest.data.documentCount,
      bytes: manifest.data.bytesCompressed,
      sourceContainer: `${manifest.account.name}/${manifest.database.id}/${manifest.container.id}`,
    },
    target: {
      endpoint: connection.endpoint,
      account: accountNameOf({ endpoint: connection.endpoint }),
      database: request.toDatabase,
      container: request.toContainer,
      exists: existing !== undefined,
      documentCount,
    },
    ...(create ? { create } : {}),
    ...(defaultTtl !== undefined && !existing && !request.skipTtl ? { defaultTtl } : {}),
    steps,
    warnings,
    deadLetterPath,
  };
}

/** What the restore carries over when it creates the container, in words. */
function creationParts(definition: Partial<ContainerDefinition>, throughput: number | undefined): string[] {
  const key = definition.partitionKey;
  const parts = [
    `partition key ${JSON.stringify(key?.paths ?? [])}${key?.kind === 'MultiHash' ? ' (hierarchical)' : ''}`,
  ];
  if (definition.indexingPolicy) parts.push('indexing policy');
  const unique = definition.uniqueKeyPolicy?.uniqueKeys?.length ?? 0;
  if (unique > 0) parts.push(`${unique} unique key(s)`);
  if (definition.conflictResolutionPolicy) parts.push('conflict resolution');
  if (definition.computedProperties?.length) parts.push('computed properties');
  if (throughput) parts.push(`${throughput} RU/s`);
  return parts;
}
