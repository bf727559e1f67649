import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { BlockBlobClient } from '@azure/storage-blob';
import { ErrorCode, HoldfastError } from '../core/errors.ts';
import type { AzureBlobClient } from './azure-blob-client.ts';
import { BlockStagingStream } from './block-staging-stream.ts';
import type { StorageTarget, StorageWrite, StoredObject, WriteOptions } from './contract.ts';
import { azureErrorCode, azureStatus, mapAzureError } from './map-azure-error.ts';
import { normalizeMetadata, RESERVED_METADATA_PREFIX, SHA256_METADATA_KEY } from './normalize-metadata.ts';
import { putViaWrite } from './put-via-write.ts';
import { requireValidKey, requireValidPrefix } from './require-valid-key.ts';

export interface AzureBlobTargetOptions {
  /** Virtual directory every key is placed under (a trailing / is ignored). */
  prefix?: string;
  /** Base block size (default 8 MiB; it doubles every 10,000 blocks, so objects up to ~2.3 TiB fit). */
  blockSize?: number;
  /** Bytes uploaded at once per write (default 16 MiB: two 8 MiB blocks; bench/results/storage.md). */
  maxInFlightBytes?: number;
}

const MiB = 1024 * 1024;

/**
 * An Azure Blob container. Keys become block blob names (under the prefix, if any). A write stages blocks
 * while the stream runs and makes the blob visible with a single Put Block List; until then the blob does not
 * exist for list, stat or read, and an aborted write leaves only uncommitted blocks, which Azure discards after
 * a week. ifNotExists is a conditional commit (If-None-Match: *). The content's sha256 is kept in the blob's
 * metadata (`holdfast_sha256`), so stat and list return it.
 */
export class AzureBlobTarget implements StorageTarget {
  readonly name: string;
  readonly type = 'azure-blob';
  readonly #client: AzureBlobClient;
  readonly #prefix: string;
  readonly #blockSize: number;
  readonly #maxInFlightBytes: number;

  constructor(name: string, client: AzureBlobClient, options: AzureBlobTargetOptions = {}) {
    this.name = name;
    this.#client = client;
    this.#prefix = options.prefix ? options.prefix.replace(/\/+$/, '') + '/' : '';
    this.#blockSize = options.blockSize ?? 8 * MiB;
    this.#maxInFlightBytes = options.maxInFlightBytes ?? 2 * this.#blockSize;
  }

  locate(key: string): string {
    const blob = this.#blobName(key);
    return `${this.#client.accountUrl}/${this.#client.container.containerName}/${blob.split('/').map(encodeURIComponent).join('/')}`;
  }

  async openWrite(key: string, options: WriteOptions = {}): Promise<StorageWrite> {
    const blob = this.#client.container.getBlockBlobClient(this.#blobName(key));
    const metadata = normalizeMetadata(this.name, options.metadata);
    if (options.ifNotExists && (await this.stat(key))) throw this.#exists(key);
    const stream = new BlockStagingStream({
      blockSize: this.#blockSize,
      maxInFlightBytes: this.#maxInFlightBytes,
      stage: async (blockId, body) => {
        try {
          await blob.stageBlock(blockId, body, body.length);
        } catch (err) {
          throw this.mapError(err, 'write', key);
        }
      },
    });
    return new AzureWrite(this, key, blob, stream, { ...options, metadata });
  }

  put(key: string, data: Buffer | string, options?: WriteOptions): Promise<StoredObject> {
    return putViaWrite(this, key, data, options);
  }

  async read(key: string): Promise<Readable> {
    const blob = this.#client.container.getBlobClient(this.#blobName(key));
    try {
      const response = await blob.download(0, undefined, { maxRetryRequests: 5 });
      if (!response.readableStreamBody) throw new Error('the download has no body');
      return response.readableStreamBody as Readable;
    } catch (err) {
      throw this.mapError(err, 'read', key);
    }
  }

  async stat(key: string): Promise<StoredObject | undefined> {
    const blob = this.#client.container.getBlobClient(this.#blobName(key));
    try {
      const p = await blob.getProperties();
      return storedObject(key, p.contentLength ?? 0, p.lastModified, p.metadata);
    } catch (err) {
      if (azureStatus(err) === 404 && azureErrorCode(err) !== 'ContainerNotFound') return undefined;
      throw this.mapError(err, 'stat', key);
    }
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    requireValidPrefix(this.name, prefix);
    const pages = this.#client.container
      .listBlobsFlat({ prefix: this.#prefix + prefix, includeMetadata: true })
      .byPage({ maxPageSize: 1000 });
    for (;;) {
      let page;
      try {
        page = await pages.next();
      } catch (err) {
        throw this.mapError(err, 'list', prefix === '' ? undefined : `${prefix}*`);
      }
      if (page.done) return;
      for (const item of page.value.segment.blobItems) {
        yield storedObject(
          item.name.slice(this.#prefix.length),
          item.properties.contentLength ?? 0,
          item.properties.lastModified,
          item.metadata,
        );
      }
    }
  }

  async delete(key: string): Promise<void> {
    const blob = this.#client.container.getBlobClient(this.#blobName(key));
    try {
      await blob.deleteIfExists({ deleteSnapshots: 'include' });
    } catch (err) {
      throw this.mapError(err, 'delete', key);
    }
  }

  /**
   * Lists one blob (reachable, container exists, list allowed), stages one block under a hidden probe name
   * (write allowed; an uncommitted block is invisible and discarded by Azure) and deletes that name (delete allowed).
   */
  async check(): Promise<void> {
    const container = this.#client.container;
    const probe = container.getBlockBlobClient(
      `${this.#prefix}.holdfast-check-${randomBytes(6).toString('hex')}`,
    );
    let action = 'list';
    try {
      await container.listBlobsFlat({ prefix: this.#prefix }).byPage({ maxPageSize: 1 }).next();
      action = 'write';
      await probe.stageBlock(Buffer.from('probe-000').toString('base64'), Buffer.from('holdfast check'), 14);
      action = 'delete';
      await probe.deleteIfExists();
    } catch (err) {
      throw this.mapError(err, `${action} (check)`);
    }
  }

  /** Maps an SDK error with this target's account, container and secrets. */
  mapError(err: unknown, action: string, key?: string): HoldfastError {
    return mapAzureError(err, {
      target: this.name,
      action,
      subject: key,
      accountUrl: this.#client.accountUrl,
      container: this.#client.container.containerName,
      secrets: this.#client.secrets,
    });
  }

  #blobName(key: string): string {
    requireValidKey(this.name, key);
    const name = this.#prefix + key;
    if (name.length > 1024) {
      throw new HoldfastError(
        ErrorCode.StorageFailed,
        `storage ${this.name}: invalid key ${JSON.stringify(key)}: with the prefix it is longer than 1024 characters`,
        { target: this.name },
      );
    }
    return name;
  }

  #exists(key: string): HoldfastError {
    return new HoldfastError(
      ErrorCode.StorageFailed,
      `storage ${this.name}: ${key} already exists (ifNotExists)`,
      { target: this.name, details: { key, reason: 'exists' } },
    );
  }

  /** Called by AzureWrite when a conditional commit finds the blob already there. */
  existsError(key: string): HoldfastError {
    return this.#exists(key);
  }
}

class AzureWrite implements StorageWrite {
  readonly stream: BlockStagingStream;
  /** BlockStagingStream copies each chunk into a block before calling back, and keeps none. */
  readonly releasesChunks = true;
  readonly #target: AzureBlobTarget;
  readonly #key: string;
  readonly #blob: BlockBlobClient;
  readonly #options: WriteOptions;
  #state: 'open' | 'committing' | 'committed' | 'aborted' = 'open';
  #result?: StoredObject;

  constructor(
    target: AzureBlobTarget,
    key: string,
    blob: BlockBlobClient,
    stream: BlockStagingStream,
    options: WriteOptions,
  ) {
    this.#target = target;
    this.#key = key;
    this.#blob = blob;
    this.stream = stream;
    this.#options = options;
  }

  async commit(): Promise<StoredObject> {
    if (this.#state === 'committed' && this.#result) return this.#result;
    if (this.#state !== 'open')
      throw this.#error(
        `commit() after ${this.#state === 'aborted' ? 'abort()' : 'a commit that is still running'}`,
      );
    if (!this.stream.writableEnded && !this.stream.destroyed)
      throw this.#error('commit() before the stream was ended');
    this.#state = 'committing';
    try {
      await finished(this.stream);
      const staged = this.stream.staged;
      if (!staged) throw this.#error('the stream was destroyed before it finished');
      const metadata = { ...this.#options.metadata, [SHA256_METADATA_KEY]: staged.sha256 };
      let lastModified: Date | undefined;
      try {
        const response = await this.#blob.commitBlockList(staged.blockIds, {
          metadata,
          ...(this.#options.contentType
            ? { blobHTTPHeaders: { blobContentType: this.#options.contentType } }
            : {}),
          ...(this.#options.ifNotExists ? { conditions: { ifNoneMatch: '*' } } : {}),
        });
        lastModified = response.lastModified;
      } catch (err) {
        const code = azureErrorCode(err);
        if (
          this.#options.ifNotExists &&
          (code === 'BlobAlreadyExists' ||
            code === 'ConditionNotMet' ||
            azureStatus(err) === 409 ||
            azureStatus(err) === 412)
        ) {
          throw this.#target.existsError(this.#key);
        }
        if (code === 'InvalidBlockList') {
          throw new HoldfastError(
            ErrorCode.StorageFailed,
            `storage ${this.#target.name}: cannot commit ${this.#key}: another write of this key committed first and Azure discarded this write's blocks; write it again (400 InvalidBlockList)`,
            { target: this.#target.name, details: { key: this.#key, errorCode: code } },
          );
        }
        throw this.#target.mapError(err, 'commit', this.#key);
      }
      this.#result = storedObject(this.#key, staged.bytes, lastModified, metadata);
      this.#state = 'committed';
      return this.#result;
    } catch (err) {
      this.#state = 'open';
      throw this.#target.mapError(err, 'write', this.#key);
    }
  }

  async abort(): Promise<void> {
    if (this.#state === 'committed' || this.#state === 'aborted') return;
    this.#state = 'aborted';
    if (!this.stream.destroyed) this.stream.destroy();
    await finished(this.stream).catch(() => undefined);
  }

  #error(reason: string): HoldfastError {
    return new HoldfastError(
      ErrorCode.StorageFailed,
      `storage ${this.#target.name}: cannot commit ${this.#key}: ${reason}`,
      {
        target: this.#target.name,
        details: { key: this.#key },
      },
    );
  }
}

function storedObject(
  key: string,
  bytes: number,
  modifiedAt: Date | undefined,
  raw: Record<string, string> | undefined,
): StoredObject {
  const obj: StoredObject = { key, bytes };
  if (modifiedAt) obj.modifiedAt = modifiedAt;
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw ?? {})) {
    const lower = k.toLowerCase();
    if (lower === SHA256_METADATA_KEY) obj.sha256 = v;
    else if (!lower.startsWith(RESERVED_METADATA_PREFIX)) metadata[lower] = v;
  }
  if (Object.keys(metadata).length > 0) obj.metadata = metadata;
  return obj;
}
