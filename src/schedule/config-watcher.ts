import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../core/logger.ts';

export interface ConfigWatcherOptions {
  debounceMs?: number;
  logger: Logger;
  onChange: (files: string[]) => void;
}

/**
 * Watches job files and directories (recursively) and calls `onChange` once things have been quiet for
 * `debounceMs`, so an editor's save (write, rename, chmod) or a ConfigMap swap causes one reload.
 * Only YAML files, directories and Kubernetes' `..data` link count. Watching a single file watches its
 * directory (editors replace files by renaming, which ends a watch on the file itself). After every change the
 * paths are resolved and watched again: a directory reached through a symbolic link that was swapped (a
 * ConfigMap's `..data`) is followed to its new target.
 */
export class ConfigWatcher {
  readonly #paths: readonly string[];
  readonly #o: ConfigWatcherOptions;
  #watchers: FSWatcher[] = [];
  #timer: NodeJS.Timeout | undefined;
  #changed = new Set<string>();
  #closed = false;

  private constructor(paths: readonly string[], options: ConfigWatcherOptions) {
    this.#paths = paths;
    this.#o = options;
  }

  static async start(paths: readonly string[], options: ConfigWatcherOptions): Promise<ConfigWatcher> {
    const w = new ConfigWatcher(paths, options);
    await w.#watchAll();
    return w;
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#unwatch();
  }

  async #watchAll(): Promise<void> {
    // One watch per directory: several files of one directory share it.
    const dirs = new Map<string, { recursive: boolean; only: Set<string> | undefined }>();
    for (const p of this.#paths) {
      const isDir = await stat(p).then(
        (s) => s.isDirectory(),
        () => false,
      );
      const dir = isDir ? p : path.dirname(p);
      const have = dirs.get(dir) ?? { recursive: false, only: new Set<string>() };
      if (isDir) dirs.set(dir, { recursive: true, only: undefined });
      else dirs.set(dir, { recursive: have.recursive, only: have.only?.add(path.basename(p)) });
    }
    if (this.#closed) return;
    for (const [dir, { recursive, only }] of dirs) {
      try {
        const watcher = watch(dir, { recursive, persistent: true }, (_event, name) =>
          this.#seen(dir, name?.toString(), only),
        );
        watcher.on('error', (err) =>
          this.#o.logger.warn(
            { err, path: dir },
            `watching ${dir} failed: ${String(err)}; reload with SIGHUP`,
          ),
        );
        this.#watchers.push(watcher);
      } catch (err) {
        this.#o.logger.warn({ err, path: dir }, `cannot watch ${dir}: ${String(err)}; reload with SIGHUP`);
      }
    }
  }

  #unwatch(): void {
    for (const w of this.#watchers.splice(0)) w.close();
  }

  #seen(dir: string, name: string | undefined, only: ReadonlySet<string> | undefined): void {
    if (this.#closed) return;
    const base = name === undefined ? undefined : path.basename(name);
    const kubernetesSwap = base !== undefined && base.startsWith('..data');
    if (!kubernetesSwap && only !== undefined && base !== undefined && !only.has(base)) return;
    if (!kubernetesSwap && name !== undefined && !/\.ya?ml$/i.test(name) && path.extname(name) !== '') return;
    this.#changed.add(name ? path.join(dir, name) : dir);
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#flush(), this.#o.debounceMs ?? 500);
  }

  async #flush(): Promise<void> {
    this.#timer = undefined;
    const files = [...this.#changed];
    this.#changed = new Set();
    this.#unwatch();
    await this.#watchAll();
    if (this.#closed) return;
    this.#o.logger.debug({ files }, 'job files changed');
    this.#o.onChange(files);
  }
}
