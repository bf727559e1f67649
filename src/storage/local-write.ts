import { finished } from 'node:stream/promises';
import { ErrorCode, HoldfastError } from '../core/errors.ts';
import type { StorageWrite, StoredObject, WriteOptions } from './contract.ts';
import type { HashingFileStream } from './hashing-file-stream.ts';
import type { LocalDirectoryTarget } from './local-directory.ts';
import { unlinkIfExists } from './local-files.ts';
import { mapFsError } from './map-fs-error.ts';

/** A write in progress to a {@link LocalDirectoryTarget}: a hidden temp file until commit renames it into place. */
export class LocalWrite implements StorageWrite {
  readonly stream: HashingFileStream;
  /** HashingFileStream hashes and writes each chunk to the file before calling back, and keeps none. */
  readonly releasesChunks = true;
  readonly #target: LocalDirectoryTarget;
  readonly #key: string;
  readonly #finalPath: string;
  readonly #tempPath: string;
  readonly #options: WriteOptions;
  #state: 'open' | 'committing' | 'committed' | 'aborted' = 'open';
  #result?: StoredObject;

  constructor(
    target: LocalDirectoryTarget,
    key: string,
    finalPath: string,
    tempPath: string,
    stream: HashingFileStream,
    options: WriteOptions,
  ) {
    this.#target = target;
    this.#key = key;
    this.#finalPath = finalPath;
    this.#tempPath = tempPath;
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
      const written = this.stream.written;
      if (!written) throw this.#error('the stream was destroyed before it finished');
      this.#result = await this.#target.commitFile(
        this.#key,
        this.#finalPath,
        this.#tempPath,
        written,
        this.#options,
      );
      this.#state = 'committed';
      return this.#result;
    } catch (err) {
      this.#state = 'open';
      if (err instanceof HoldfastError) throw err;
      throw mapFsError(err, this.#target.name, 'write', this.#finalPath);
    }
  }

  async abort(): Promise<void> {
    if (this.#state === 'committed' || this.#state === 'aborted') return;
    this.#state = 'aborted';
    if (!this.stream.destroyed) this.stream.destroy();
    await finished(this.stream).catch(() => undefined);
    await unlinkIfExists(this.#tempPath).catch(() => undefined);
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
