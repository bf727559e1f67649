import type { Readable } from 'node:stream';
import { ErrorCode, HoldfastError } from '../core/errors.ts';
import type { SecretResolver } from '../config/secret-resolver.ts';
import type { LoadedManifest } from '../config/load-manifests.ts';
import type { StorageTarget, StorageWrite, StoredObject, WriteOptions } from '../storage/contract.ts';
import { createStorageTarget } from '../storage/create-storage-target.ts';
import type { StorageSpec } from '../storage/schema.ts';

/**
 * Creates storage targets for the Storage manifests on first use (credentials are resolved then, not at load),
 * one per name per process.
 */
export function storageRegistry(manifests: readonly LoadedManifest[], resolveSecret: SecretResolver): (name: string) => StorageTarget {
  const cache = new Map<string, StorageTarget>();
  return (name) => {
    const hit = cache.get(name);
    if (hit) return hit;
    const manifest = manifests.find((m) => m.kind === 'Storage' && m.metadata.name === name);
    if (!manifest) throw new HoldfastError(ErrorCode.ConfigInvalid, `no Storage manifest named ${name}`);
    const target = new LazyStorageTarget(name, (manifest.spec as StorageSpec).type, () =>
      Promise.resolve(
        createStorageTarget(name, manifest.spec as StorageSpec, { resolveSecret: (ref) => resolveSecret(ref, manifest.baseDir), baseDir: manifest.baseDir }),
      ),
    );
    cache.set(name, target);
    return target;
  };
}

class LazyStorageTarget implements StorageTarget {
  readonly name: string;
  readonly type: string;
  #target?: Promise<StorageTarget>;
  #resolved?: StorageTarget;
  readonly #create: () => Promise<StorageTarget>;

  constructor(name: string, type: string, create: () => Promise<StorageTarget>) {
    this.name = name;
    this.type = type;
    this.#create = create;
  }

  async #get(): Promise<StorageTarget> {
    this.#target ??= this.#create().then((t) => (this.#resolved = t));
    return this.#target;
  }

  locate(key: string): string {
    return this.#resolved ? this.#resolved.locate(key) : `${this.name}:${key}`;
  }
  async openWrite(key: string, options?: WriteOptions): Promise<StorageWrite> {
    return (await this.#get()).openWrite(key, options);
  }
  async put(key: string, data: Buffer | string, options?: WriteOptions): Promise<StoredObject> {
    return (await this.#get()).put(key, data, options);
  }
  async read(key: string): Promise<Readable> {
    return (await this.#get()).read(key);
  }
  async stat(key: string): Promise<StoredObject | undefined> {
    return (await this.#get()).stat(key);
  }
  async *list(prefix: string): AsyncIterable<StoredObject> {
    yield* (await this.#get()).list(prefix);
  }
  async delete(key: string): Promise<void> {
    return (await this.#get()).delete(key);
  }
  async check(): Promise<void> {
    return (await this.#get()).check();
  }
}
