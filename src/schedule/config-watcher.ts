import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../core/logger.ts';

/**
 * Watches job files and directories (recursively) and calls `onChange` once things have been quiet for
 * `debounceMs`, so an editor's save (write, rename, chmod) or a ConfigMap swap causes one reload.
 * Only YAML files and directory changes count. Watching a single file watches its directory (editors
 * replace files by renaming, which ends a watch on the file itself).
 */
export class ConfigWatcher {
  readonly #watchers: FSWatcher[] = [];
  readonly #debounceMs: number;
  readonly #onChange: (files: string[]) => void;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | undefined;
  #changed = new Set<string>();

  private constructor(debounceMs: number, onChange: (files: string[]) => void, logger: Logger) {
    this.#debounceMs = debounceMs;
    this.#onChange = onChange;
    this.#logger = logger;
  }

  static async start(
    paths: readonly string[],
    options: { debounceMs?: number; logger: Logger; onChange: (files: string[]) => void },
  ): Promise<ConfigWatcher> {
    const w = new ConfigWatcher(options.debounceMs ?? 500, options.onChange, options.logger);
    for (const p of paths) {
      const isDir = await stat(p)
        .then((s) => s.isDirectory())
        .catch(() => false);
      const dir = isDir ? p : path.dirname(p);
      const only = isDir ? undefined : path.basename(p);
      try {
        const watcher = watch(dir, { recursive: isDir, persistent: true }, (_event, name) =>
          w.#seen(dir, name?.toString(), only),
        );
        watcher.on('error', (err) =>
          options.logger.warn(
            { err, path: dir },
            `watching ${dir} failed: ${String(err)}; reload with SIGHUP`,
          ),
        );
        w.#watchers.push(watcher);
      } catch (err) {
        options.logger.warn({ err, path: dir }, `cannot watch ${dir}: ${String(err)}; reload with SIGHUP`);
      }
    }
    return w;
  }

  #seen(dir: string, name: string | undefined, only: string | undefined): void {
    if (only !== undefined && name !== undefined && path.basename(name) !== only) return;
    // Kubernetes ConfigMap volumes swap a `..data` symlink; the YAML names never change, so count those too.
    if (
      name !== undefined &&
      !/\.ya?ml$/i.test(name) &&
      !name.includes('..data') &&
      path.extname(name) !== ''
    )
      return;
    this.#changed.add(name ? path.join(dir, name) : dir);
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const files = [...this.#changed];
      this.#changed = new Set();
      this.#logger.debug({ files }, 'job files changed');
      this.#onChange(files);
    }, this.#debounceMs);
  }

  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    for (const w of this.#watchers.splice(0)) w.close();
  }
}
