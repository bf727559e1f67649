import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { ErrorCode, HoldfastError } from '../../../src/core/errors.ts';
import type { StorageTarget, StorageWrite, StoredObject } from '../../../src/storage/contract.ts';
import type { ExportKeys } from '../file-name.ts';
import type { Compression } from '../schema.ts';
import type { Release } from '../transport/release-buffer.ts';
import type { CommittedSegment } from './checkpoint.ts';
import { ParallelGzip } from './parallel-gzip.ts';

interface OpenSegment {
  key: string;
  write: StorageWrite;
  sink: SegmentSink;
  documents: number;
  rawBytes: number;
}

/** Where a segment's JSON Lines go: a compressor in front of the storage stream, or the stream itself. */
interface SegmentSink {
  /**
   * Takes `chunk`; calls `release` once its bytes have been consumed: compressed, or written by a storage stream
   * that keeps no chunks (StorageWrite.releasesChunks). Never after a failure.
   */
  write(chunk: Buffer, release?: Release): Promise<void>;
  /** Flushes everything into the storage stream and ends it. */
  end(): Promise<void>;
  destroy(): void;
}

/**
 * gzip level 1 by default: on the benchmark's order documents it is 3% larger than level 3 and 16% larger than
 * level 6, and the only level that keeps up with the SDK's own drain at line speed on two cores
 * (bench/results/cosmos-export.md). `compressionLevel` trades speed for size; zstd is both smaller and faster.
 */
export const DEFAULT_GZIP_LEVEL = 1;

/**
 * gzip: members compressed on several threads (ParallelGzip). zstd: one frame per segment through Node's stream
 * (Node reads only the first frame of a zstd stream, so a segment must be a single frame). none: the stream itself.
 */
function createSink(write: StorageWrite, compression: Compression, level?: number): SegmentSink {
  const out = write.stream;
  const releasable = write.releasesChunks === true;
  if (compression === 'gzip')
    return new ParallelGzip(out, { level: level ?? DEFAULT_GZIP_LEVEL, releaseMembers: releasable });
  const zstd =
    compression === 'zstd'
      ? zlib.createZstdCompress({
          params: { [zlib.constants.ZSTD_c_compressionLevel]: level ?? 3 },
          chunkSize: 64 * 1024,
        })
      : undefined;
  return new StreamSink(out, zstd, releasable);
}

class StreamSink implements SegmentSink {
  readonly #head: Writable;
  /** Whether the head is done with a chunk when it calls back: a compressor, or storage that says so. */
  readonly #releases: boolean;
  readonly #done: Promise<void>;
  #error: unknown;

  constructor(out: Writable, transform: zlib.ZstdCompress | undefined, storageReleases: boolean) {
    this.#head = transform ?? out;
    this.#releases = transform !== undefined || storageReleases;
    this.#done = (transform ? pipeline(transform, out) : finished(out)).catch((err: unknown) => {
      this.#error ??= err;
      throw err;
    });
    this.#done.catch(() => undefined);
  }

  async write(chunk: Buffer, release?: Release): Promise<void> {
    if (this.#error !== undefined) throw this.#error;
    // zlib's transform calls back once it has compressed all of the chunk and holds no reference to it.
    const accepted = this.#head.write(
      chunk,
      this.#releases && release
        ? (err) => {
            if (!err) release();
          }
        : undefined,
    );
    if (!accepted) {
      if (this.#head.destroyed) throw this.#error ?? new Error('the export stream was closed');
      await Promise.race([once(this.#head, 'drain'), this.#done]);
    }
  }

  async end(): Promise<void> {
    this.#head.end();
    await this.#done;
  }

  destroy(): void {
    this.#head.destroy();
  }
}

/**
 * Writes an export as JSON Lines, compressed on the fly, in segments: the first at the data key, later ones
 * (after a checkpoint) at part keys. Each segment is complete gzip members / one zstd frame, so the data file is
 * their concatenation. Nothing is visible until a segment is committed; `finish` makes the data file whole.
 * Callers serialise calls (one page at a time).
 */
export class ExportWriter {
  readonly #storage: StorageTarget;
  readonly #keys: ExportKeys;
  readonly #compression: Compression;
  readonly #level?: number;
  readonly #committed: CommittedSegment[];
  #current?: OpenSegment;

  constructor(options: {
    storage: StorageTarget;
    keys: ExportKeys;
    compression: Compression;
    level?: number;
    committed?: readonly CommittedSegment[];
  }) {
    this.#storage = options.storage;
    this.#keys = options.keys;
    this.#compression = options.compression;
    this.#level = options.level;
    this.#committed = [...(options.committed ?? [])];
  }

  get committed(): readonly CommittedSegment[] {
    return this.#committed;
  }
  /** Documents written, committed or not. */
  get documents(): number {
    return this.#committed.reduce((n, s) => n + s.documents, 0) + (this.#current?.documents ?? 0);
  }
  get rawBytes(): number {
    return this.#committed.reduce((n, s) => n + s.rawBytes, 0) + (this.#current?.rawBytes ?? 0);
  }
  /** Documents in the open (uncommitted) segment. */
  get pendingDocuments(): number {
    return this.#current?.documents ?? 0;
  }

  /**
   * Appends `documents` documents given as JSON Lines (each line ending in a line break). `release` frees the
   * memory behind `chunk`; it is called once the chunk has been consumed (see SegmentSink.write).
   */
  async write(chunk: Buffer, documents: number, release?: Release): Promise<void> {
    if (documents === 0) return release?.();
    const segment = this.#current ?? (this.#current = await this.#open());
    segment.documents += documents;
    segment.rawBytes += chunk.length;
    await segment.sink.write(chunk, release);
  }

  /** Commits the open segment (a checkpoint); the next write opens a new one at the next part key. */
  async commitSegment(): Promise<CommittedSegment | undefined> {
    const segment = this.#current;
    if (!segment) return undefined;
    this.#current = undefined;
    try {
      await segment.sink.end();
      const stored = await segment.write.commit();
      const committed: CommittedSegment = {
        key: segment.key,
        bytes: stored.bytes,
        sha256: stored.sha256,
        documents: segment.documents,
        rawBytes: segment.rawBytes,
      };
      this.#committed.push(committed);
      return committed;
    } catch (err) {
      await segment.write.abort();
      throw err;
    }
  }

  /**
   * Ends the export: commits what is open and, when it was written in several segments, joins them into the data
   * key (re-reading the first there, which stays readable until the joined object replaces it).
   */
  async finish(): Promise<{ object: StoredObject; segments: CommittedSegment[] }> {
    if (this.#committed.length === 0 && !this.#current) this.#current = await this.#open();
    await this.commitSegment();
    const segments = [...this.#committed];
    if (segments.length === 1) {
      const only = segments[0]!;
      return { object: { key: only.key, bytes: only.bytes, sha256: only.sha256 }, segments };
    }
    return { object: await this.joinSegments(segments), segments };
  }

  /** Writes the concatenation of the segments to the data key. */
  async joinSegments(segments: readonly CommittedSegment[]): Promise<StoredObject> {
    const write = await this.#storage.openWrite(this.#keys.data, {
      contentType: contentTypeOf(this.#compression),
    });
    try {
      for (const s of segments) {
        for await (const chunk of await this.#storage.read(s.key)) {
          if (!write.stream.write(chunk)) await once(write.stream, 'drain');
        }
      }
      write.stream.end();
      await finished(write.stream);
      const object = await write.commit();
      const expected = segments.reduce((n, s) => n + s.bytes, 0);
      if (object.bytes !== expected) {
        throw new HoldfastError(
          ErrorCode.VerificationFailed,
          `joining the parts of ${this.#keys.data} gave ${object.bytes} bytes, expected ${expected}`,
        );
      }
      return object;
    } catch (err) {
      await write.abort();
      throw err;
    }
  }

  /** Discards the open segment (nothing of it becomes visible). */
  async abort(): Promise<void> {
    const segment = this.#current;
    this.#current = undefined;
    if (!segment) return;
    segment.sink.destroy();
    await segment.write.abort();
  }

  async #open(): Promise<OpenSegment> {
    const index = this.#committed.length;
    const key = index === 0 ? this.#keys.data : this.#keys.part(index);
    const write = await this.#storage.openWrite(key, { contentType: contentTypeOf(this.#compression) });
    return {
      key,
      write,
      sink: createSink(write, this.#compression, this.#level),
      documents: 0,
      rawBytes: 0,
    };
  }
}

function contentTypeOf(compression: Compression): string {
  return compression === 'gzip'
    ? 'application/gzip'
    : compression === 'zstd'
      ? 'application/zstd'
      : 'application/x-ndjson';
}
