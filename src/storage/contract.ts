import type { Readable, Writable } from 'node:stream';

/**
 * A place where backup artifacts are stored: a local directory or an Azure Blob container.
 *
 * Keys are `/`-separated relative paths (`orders/shop/orders_20260301_0200.jsonl.gz`): no leading `/`,
 * no `..`, no empty segments, no backslashes. Implementations map them to their own namespace.
 *
 * Atomicity is the central promise: an object becomes visible under its key only when
 * {@link StorageWrite.commit} succeeds. An interrupted, aborted or failed write never leaves an object
 * that `list`, `stat` or `read` would return (a temp file or uncommitted blocks may remain; they are
 * invisible and cleaned up by the target where it can).
 *
 * Errors: every method throws HoldfastError with code STORAGE_FAILED (retryable where the cause is
 * transient: network, throttling) or NOT_FOUND (read/stat of a missing key is not an error for stat,
 * which returns undefined).
 */
export interface StorageTarget {
  /** The Storage manifest's name. */
  readonly name: string;
  /** `local` or `azure-blob`. */
  readonly type: string;

  /** Where a key lives, for people: an absolute path or a blob URL (never with a SAS or key in it). */
  locate(key: string): string;

  /**
   * Starts a streaming write. Bytes written to `stream` are hashed (sha256) and counted as they pass.
   * Nothing is visible until `commit()`. Not retryable as a whole: on failure call `abort()` and start again.
   * Two writes of the same key at once never mix their bytes, but which one ends up there differs: on a
   * local directory the later commit replaces the earlier; on Azure Blob the first commit wins and the later
   * one fails (Azure discards a blob's other uncommitted blocks when a block list is committed).
   */
  openWrite(key: string, options?: WriteOptions): Promise<StorageWrite>;

  /** Writes a small object in one call (manifests, checkpoints). Atomic like openWrite. */
  put(key: string, data: Buffer | string, options?: WriteOptions): Promise<StoredObject>;

  /** Streams a committed object. Throws NOT_FOUND if it does not exist. */
  read(key: string): Promise<Readable>;

  /** Metadata of a committed object, or undefined if there is none. */
  stat(key: string): Promise<StoredObject | undefined>;

  /** Committed objects whose key starts with `prefix`, in key order. */
  list(prefix: string): AsyncIterable<StoredObject>;

  /** Removes an object. Removing a missing key is not an error (idempotent, so an interrupted cleanup can repeat it). */
  delete(key: string): Promise<void>;

  /**
   * Checks that the target is reachable and writable, without leaving anything behind.
   * Used by preflight; throws STORAGE_FAILED with a clear message otherwise.
   */
  check(): Promise<void>;
}

export interface WriteOptions {
  contentType?: string;
  /**
   * Small string metadata stored with the object (blob metadata, a sidecar for local). Every target applies
   * Azure's rules: keys are identifiers (`[A-Za-z_][A-Za-z0-9_]*`) and come back lower-cased; values are
   * printable ASCII without leading or trailing spaces; 8 KiB in all; keys starting `holdfast_` are reserved.
   */
  metadata?: Record<string, string>;
  /** Fail if the key already exists (default false: replace on commit). */
  ifNotExists?: boolean;
}

export interface StorageWrite {
  /** Write the content here; end it (or pipeline into it) before commit(). */
  readonly stream: Writable;
  /** Makes the object visible atomically; resolves with its final size and sha256. */
  commit(): Promise<StoredObject>;
  /** Discards everything written; safe to call more than once and after a failed commit. */
  abort(): Promise<void>;
  /**
   * True when `stream` keeps no reference to a chunk once that chunk's write callback has run (it has hashed and
   * written it out), so the writer may free or reuse the chunk's memory then. Absent: the stream may still hold
   * a chunk after calling back (e.g. gathering chunks into larger blocks).
   */
  readonly releasesChunks?: boolean;
}

export interface StoredObject {
  key: string;
  bytes: number;
  /** Hex sha256 of the content when known (always known for objects this process wrote). */
  sha256?: string;
  modifiedAt?: Date;
  metadata?: Record<string, string>;
}

/** Validates a storage key; returns a problem description or undefined when valid. */
export function checkKey(key: string): string | undefined {
  if (key.length === 0) return 'key is empty';
  if (key.length > 1024) return 'key is longer than 1024 characters';
  if (key.startsWith('/')) return 'key starts with /';
  if (key.includes('\\')) return 'key contains a backslash';
  for (const segment of key.split('/')) {
    if (segment === '') return 'key has an empty segment (//, or a trailing /)';
    if (segment === '.' || segment === '..') return `key has a "${segment}" segment`;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(key)) return 'key contains a control character';
  return undefined;
}
