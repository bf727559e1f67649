import { randomBytes } from 'node:crypto';
import { link, lstat, mkdir, open, readdir, rename, rmdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { ErrorCode, HoldfastError } from '../core/errors.ts';
import { compareKeys } from './compare-keys.ts';
import type { StorageTarget, StorageWrite, StoredObject, WriteOptions } from './contract.ts';
import { HashingFileStream, type WrittenFile } from './hashing-file-stream.ts';
import {
  INTERNAL_NAME,
  readSidecar,
  sidecarPath,
  syncDirectory,
  unlinkIfExists,
  writeSidecar,
  type Sidecar,
} from './local-files.ts';
import { LocalWrite } from './local-write.ts';
import { fsCode, mapFsError } from './map-fs-error.ts';
import { normalizeMetadata } from './normalize-metadata.ts';
import { putViaWrite } from './put-via-write.ts';
import { requireValidKey, requireValidPrefix } from './require-valid-key.ts';

/**
 * A directory on this machine. Keys map to paths below the root (`a/b.gz` → `<root>/a/b.gz`). A write goes
 * to a hidden temp file in the object's directory, is fsynced, renamed into place (hard-linked for
 * ifNotExists, which fails if the name exists), and the directory is fsynced. The root is created on first
 * use only if its parent exists. A key cannot be both an object and a directory (`a` and `a/b`).
 */
export class LocalDirectoryTarget implements StorageTarget {
  readonly name: string;
  readonly type = 'local';
  /** Absolute path of the root directory. */
  readonly root: string;

  constructor(name: string, root: string) {
    if (!path.isAbsolute(root))
      throw new HoldfastError(ErrorCode.Internal, `storage ${name}: root ${root} is not absolute`);
    this.name = name;
    this.root = path.resolve(root);
  }

  locate(key: string): string {
    return this.#pathOf(key);
  }

  async openWrite(key: string, options: WriteOptions = {}): Promise<StorageWrite> {
    const finalPath = this.#pathOf(key);
    const metadata = normalizeMetadata(this.name, options.metadata);
    if (options.ifNotExists && (await this.stat(key))) throw this.#exists(key);
    const dir = path.dirname(finalPath);
    for (let attempt = 1; ; attempt++) {
      await this.#ensureDirectory(dir);
      const tempPath = path.join(
        dir,
        `.${path.basename(finalPath)}.${randomBytes(6).toString('hex')}.partial`,
      );
      try {
        const file = await open(tempPath, 'wx');
        return new LocalWrite(this, key, finalPath, tempPath, new HashingFileStream(file, tempPath), {
          ...options,
          metadata,
        });
      } catch (err) {
        // A concurrent delete may prune the directory between mkdir and open: make it again, once.
        if (fsCode(err) === 'ENOENT' && attempt === 1) continue;
        throw mapFsError(err, this.name, 'create a file in', dir);
      }
    }
  }

  put(key: string, data: Buffer | string, options?: WriteOptions): Promise<StoredObject> {
    return putViaWrite(this, key, data, options);
  }

  async read(key: string): Promise<Readable> {
    const filePath = this.#pathOf(key);
    try {
      const file = await open(filePath, 'r');
      if (!(await file.stat()).isFile()) {
        await file.close();
        throw this.#notFound(key);
      }
      return file.createReadStream();
    } catch (err) {
      if (['ENOENT', 'ENOTDIR', 'EISDIR'].includes(fsCode(err) ?? '')) throw this.#notFound(key);
      throw mapFsError(err, this.name, 'read', filePath);
    }
  }

  async stat(key: string): Promise<StoredObject | undefined> {
    return this.#statPath(key, this.#pathOf(key));
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    requireValidPrefix(this.name, prefix);
    yield* this.#walk(this.root, '', prefix);
  }

  async delete(key: string): Promise<void> {
    const filePath = this.#pathOf(key);
    await unlinkIfExists(filePath).catch((err: unknown) => {
      // unlink of a directory: there is no object with this key.
      if (fsCode(err) !== 'EISDIR' && fsCode(err) !== 'EPERM')
        throw mapFsError(err, this.name, 'delete', filePath);
    });
    await unlinkIfExists(sidecarPath(filePath)).catch(() => undefined);
    for (
      let dir = path.dirname(filePath);
      dir !== this.root && dir.startsWith(this.root + path.sep);
      dir = path.dirname(dir)
    ) {
      try {
        await rmdir(dir);
      } catch (err) {
        if (fsCode(err) !== 'ENOENT') break;
      }
    }
  }

  async check(): Promise<void> {
    await this.#ensureDirectory(this.root);
    const probe = path.join(this.root, `.holdfast-check.${randomBytes(6).toString('hex')}.partial`);
    try {
      const file = await open(probe, 'wx');
      try {
        await file.writeFile('holdfast storage check\n');
        await file.sync();
      } finally {
        await file.close();
      }
    } catch (err) {
      await unlinkIfExists(probe).catch(() => undefined);
      throw mapFsError(err, this.name, 'write', probe);
    }
    await unlink(probe).catch((err: unknown) => {
      throw mapFsError(err, this.name, 'remove', probe);
    });
  }

  /** Makes a finished temp file the object (LocalWrite's commit). Not for other callers. */
  async commitFile(
    key: string,
    finalPath: string,
    tempPath: string,
    written: WrittenFile,
    options: WriteOptions,
  ): Promise<StoredObject> {
    const sidecar: Sidecar = {
      bytes: written.bytes,
      sha256: written.sha256,
      ino: written.ino.toString(),
      mtimeNs: written.mtimeNs.toString(),
      ...(options.contentType ? { contentType: options.contentType } : {}),
      ...(options.metadata ? { metadata: options.metadata } : {}),
    };
    const sidecarFinal = sidecarPath(finalPath);
    // Narrows the window in which a lost ifNotExists race overwrites the winner's sidecar (which then only goes unused).
    if (options.ifNotExists && (await this.#statPath(key, finalPath))) throw this.#exists(key);
    try {
      await writeSidecar(sidecarFinal, sidecar, randomBytes(6).toString('hex'));
    } catch (err) {
      throw mapFsError(err, this.name, 'write metadata for', finalPath);
    }
    try {
      if (options.ifNotExists) {
        await link(tempPath, finalPath);
        await unlink(tempPath);
      } else {
        await rename(tempPath, finalPath);
      }
    } catch (err) {
      await unlinkIfExists(sidecarFinal).catch(() => undefined);
      const inTheWay = await lstat(finalPath).then(
        (s) => s.isDirectory(),
        () => false,
      );
      if (fsCode(err) === 'EEXIST' && !inTheWay) throw this.#exists(key);
      if (inTheWay) {
        throw new HoldfastError(
          ErrorCode.StorageFailed,
          `storage ${this.name}: cannot write ${finalPath}: a directory of other keys is in the way (${fsCode(err)})`,
          {
            target: this.name,
            details: { path: finalPath, errno: fsCode(err) },
            cause: err,
          },
        );
      }
      throw mapFsError(err, this.name, 'rename into place', finalPath);
    }
    await syncDirectory(path.dirname(finalPath));
    const stored = await this.#statPath(key, finalPath);
    return stored ?? { key, bytes: written.bytes, sha256: written.sha256 };
  }

  #pathOf(key: string): string {
    requireValidKey(this.name, key);
    const base = key.slice(key.lastIndexOf('/') + 1);
    if (INTERNAL_NAME.test(base)) {
      throw new HoldfastError(
        ErrorCode.StorageFailed,
        `storage ${this.name}: invalid key ${JSON.stringify(key)}: names like .x.partial and .x.meta.json are reserved for temp files and metadata`,
        {
          target: this.name,
          details: { key },
        },
      );
    }
    return path.join(this.root, ...key.split('/'));
  }

  async #statPath(key: string, filePath: string): Promise<StoredObject | undefined> {
    let st;
    try {
      st = await lstat(filePath, { bigint: true });
    } catch (err) {
      if (fsCode(err) === 'ENOENT' || fsCode(err) === 'ENOTDIR') return undefined;
      throw mapFsError(err, this.name, 'stat', filePath);
    }
    if (!st.isFile()) return undefined;
    const obj: StoredObject = { key, bytes: Number(st.size), modifiedAt: new Date(Number(st.mtimeMs)) };
    const sidecar = await readSidecar(sidecarPath(filePath));
    if (
      sidecar &&
      sidecar.ino === st.ino.toString() &&
      sidecar.mtimeNs === st.mtimeNs.toString() &&
      sidecar.bytes === obj.bytes
    ) {
      obj.sha256 = sidecar.sha256;
      if (sidecar.metadata && Object.keys(sidecar.metadata).length > 0) obj.metadata = sidecar.metadata;
    }
    return obj;
  }

  async *#walk(dir: string, keyPrefix: string, prefix: string): AsyncGenerator<StoredObject> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (fsCode(err) === 'ENOENT' || fsCode(err) === 'ENOTDIR') return;
      throw mapFsError(err, this.name, 'list', dir);
    }
    // A directory `a` sorts as `a/`, so `a-b` (0x2d) comes before everything under `a/` (0x2f), as in key order.
    const sorted = entries
      .filter((e) => e.isDirectory() || (e.isFile() && !INTERNAL_NAME.test(e.name)))
      .map((e) => ({ entry: e, sortKey: keyPrefix + e.name + (e.isDirectory() ? '/' : '') }))
      .filter(({ sortKey }) => sortKey.startsWith(prefix) || prefix.startsWith(sortKey))
      .sort((a, b) => compareKeys(a.sortKey, b.sortKey));
    for (const { entry, sortKey } of sorted) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) yield* this.#walk(full, sortKey, prefix);
      else if (sortKey.startsWith(prefix)) {
        const obj = await this.#statPath(sortKey, full);
        if (obj) yield obj;
      }
    }
  }

  async #ensureDirectory(dir: string): Promise<void> {
    try {
      await mkdir(this.root);
    } catch (err) {
      const code = fsCode(err);
      if (code === 'ENOENT') {
        throw new HoldfastError(
          ErrorCode.StorageFailed,
          `storage ${this.name}: cannot create ${this.root}: its parent directory ${path.dirname(this.root)} does not exist`,
          {
            target: this.name,
            details: { path: this.root, errno: code },
            cause: err,
          },
        );
      }
      if (code !== 'EEXIST') throw mapFsError(err, this.name, 'create directory', this.root);
    }
    if (dir === this.root) return;
    try {
      await mkdir(dir, { recursive: true });
    } catch (err) {
      const code = fsCode(err);
      if (code === 'EEXIST' || code === 'ENOTDIR') {
        throw new HoldfastError(
          ErrorCode.StorageFailed,
          `storage ${this.name}: cannot create directory ${dir}: a file is in the way (a key cannot be both an object and a directory of other keys) (${code})`,
          {
            target: this.name,
            details: { path: dir, errno: code },
            cause: err,
          },
        );
      }
      throw mapFsError(err, this.name, 'create directory', dir);
    }
  }

  #exists(key: string): HoldfastError {
    return new HoldfastError(
      ErrorCode.StorageFailed,
      `storage ${this.name}: ${key} already exists (ifNotExists)`,
      {
        target: this.name,
        details: { key, reason: 'exists' },
      },
    );
  }

  #notFound(key: string): HoldfastError {
    return new HoldfastError(ErrorCode.NotFound, `storage ${this.name}: no object ${key} in ${this.root}`, {
      target: this.name,
      details: { key },
    });
  }
}
