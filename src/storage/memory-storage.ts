import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { ErrorCode, HoldfastError } from '../core/errors.ts';
import { compareKeys } from './compare-keys.ts';
import type { StorageTarget, StorageWrite, StoredObject, WriteOptions } from './contract.ts';
import { normalizeMetadata } from './normalize-metadata.ts';
import { putViaWrite } from './put-via-write.ts';
import { requireValidKey, requireValidPrefix } from './require-valid-key.ts';

interface MemoryObject {
  data: Buffer;
  sha256: string;
  modifiedAt: Date;
  metadata?: Record<string, string>;
}

/**
 * The in-memory storage target: the contract's fake for tests of code that writes artifacts (plugins,
 * retention). Same promises as the real targets — atomic commit, sha256 while writing, idempotent delete —
 * and it passes the same conformance suite. Not for production: everything is lost with the process.
 */
export class MemoryStorageTarget implements StorageTarget {
  readonly name: string;
  readonly type = 'memory';
  readonly #objects = new Map<string, MemoryObject>();

  constructor(name = 'memory') {
    this.name = name;
  }

  locate(key: string): string {
    requireValidKey(this.name, key);
    return `memory://${this.name}/${key}`;
  }

  async openWrite(key: string, options: WriteOptions = {}): Promise<StorageWrite> {
    requireValidKey(this.name, key);
    const metadata = normalizeMetadata(this.name, options.metadata);
    if (options.ifNotExists && this.#objects.has(key)) throw this.#exists(key);
    const chunks: Buffer[] = [];
    const hash = createHash('sha256');
    let state: 'open' | 'committed' | 'aborted' = 'open';
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        if (state !== 'open') return cb(new Error('write after commit or abort'));
        chunks.push(chunk);
        hash.update(chunk);
        cb();
      },
    });
    const objects = this.#objects;
    const name = this.name;
    let committed: StoredObject | undefined;
    const exists = () => this.#exists(key);
    return {
      stream,
      async commit(): Promise<StoredObject> {
        if (committed) return committed;
        const fail = (why: string, cause?: unknown) => new HoldfastError(ErrorCode.StorageFailed, `storage ${name}: cannot commit ${key}: ${why}`, { target: name, details: { key }, cause });
        if (state === 'aborted') throw fail('the write was aborted');
        if (stream.errored) throw fail('the write failed', stream.errored);
        if (!stream.writableFinished) throw fail('commit was called before the stream was ended');
        if (options.ifNotExists && objects.has(key)) {
          state = 'aborted';
          throw exists();
        }
        state = 'committed';
        const data = Buffer.concat(chunks);
        const obj: MemoryObject = { data, sha256: hash.digest('hex'), modifiedAt: new Date(), metadata };
        objects.set(key, obj);
        committed = { key, bytes: data.length, sha256: obj.sha256, modifiedAt: obj.modifiedAt, metadata };
        return committed;
      },
      async abort(): Promise<void> {
        if (state === 'open') state = 'aborted';
        chunks.length = 0;
        stream.destroy();
      },
    };
  }

  put(key: string, data: Buffer | string, options?: WriteOptions): Promise<StoredObject> {
    return putViaWrite(this, key, data, options);
  }

  async read(key: string): Promise<Readable> {
    requireValidKey(this.name, key);
    const obj = this.#objects.get(key);
    if (!obj) throw new HoldfastError(ErrorCode.NotFound, `storage ${this.name}: ${key} does not exist`, { target: this.name, details: { key } });
    return Readable.from([obj.data]);
  }

  async stat(key: string): Promise<StoredObject | undefined> {
    requireValidKey(this.name, key);
    const obj = this.#objects.get(key);
    return obj && { key, bytes: obj.data.length, sha256: obj.sha256, modifiedAt: obj.modifiedAt, metadata: obj.metadata };
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    requireValidPrefix(this.name, prefix);
    const keys = [...this.#objects.keys()].filter((k) => k.startsWith(prefix)).sort(compareKeys);
    for (const key of keys) {
      const s = await this.stat(key);
      if (s) yield s;
    }
  }

  async delete(key: string): Promise<void> {
    requireValidKey(this.name, key);
    this.#objects.delete(key);
  }

  async check(): Promise<void> {}

  #exists(key: string): HoldfastError {
    return new HoldfastError(ErrorCode.StorageFailed, `storage ${this.name}: ${key} already exists`, { target: this.name, details: { key } });
  }
}
