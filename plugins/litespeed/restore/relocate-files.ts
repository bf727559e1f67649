import type { BackupFile } from './history-schema.ts';
import type { RestoreMove, RestoreRequest } from './restore-plan.ts';

/**
 * MOVE clauses. An explicit `move` entry (by logical name, case-insensitive) wins. Otherwise, with
 * `moveDataTo`, every file goes to DIR\<file name of its physical_name>; when the database is also
 * restored under a new name (`as`), occurrences of the old database name in that file name are replaced
 * by the new name (DW_Data.mdf -> DW_Copy_Data.mdf). Without moveDataTo nothing is renamed: files keep
 * their recorded paths unless `move` says otherwise.
 */
export class FileRelocation {
  readonly #explicit = new Map<string, string>();
  readonly #used = new Set<string>();
  readonly #dir: string | undefined;
  readonly #rename: { from: RegExp; to: string } | null;

  constructor(request: RestoreRequest, originalName: string) {
    for (const m of request.move ?? []) this.#explicit.set(m.logical.toLowerCase(), m.path);
    this.#dir = request.moveDataTo;
    this.#rename =
      request.as !== undefined &&
      request.moveDataTo !== undefined &&
      request.as.toLowerCase() !== originalName.toLowerCase()
        ? { from: new RegExp(originalName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), to: request.as }
        : null;
  }

  get relocates(): boolean {
    return this.#dir !== undefined || this.#explicit.size > 0;
  }

  /** The MOVE list for the files a step creates; files with no mapping are left where they were. */
  moves(files: readonly BackupFile[]): RestoreMove[] {
    const out: RestoreMove[] = [];
    for (const f of files) {
      const physical = this.target(f);
      if (physical !== null) out.push({ logical: f.logical_name, physical });
    }
    return out;
  }

  target(f: BackupFile): string | null {
    const key = f.logical_name.toLowerCase();
    const explicit = this.#explicit.get(key);
    if (explicit !== undefined) {
      this.#used.add(key);
      return explicit;
    }
    if (this.#dir === undefined) return null;
    let name = f.physical_name.split(/[\\/]/).pop() ?? f.physical_name;
    if (this.#rename) name = name.replace(this.#rename.from, () => this.#rename!.to);
    return joinPath(this.#dir, name);
  }

  /** Explicit move entries whose logical name is not among `known` logical names. */
  unknown(known: Iterable<string>): string[] {
    const names = new Set([...known].map((n) => n.toLowerCase()));
    return [...this.#explicit.keys()].filter((k) => !names.has(k));
  }

  /** Explicit move entries not applied to any restored file. */
  unused(): string[] {
    return [...this.#explicit.keys()].filter((k) => !this.#used.has(k));
  }
}

/** Joins with the directory's own separator: backslash unless the directory only uses slashes (Linux). */
export function joinPath(dir: string, name: string): string {
  const sep = dir.includes('/') && !dir.includes('\\') ? '/' : '\\';
  return dir.endsWith(sep) ? `${dir}${name}` : `${dir}${sep}${name}`;
}
