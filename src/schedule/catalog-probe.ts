import { existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';

/**
 * Checks that the catalog file takes writes, for `/readyz`: opens a write transaction, creates a table and rolls
 * it back, so nothing is left behind. A busy database (another writer holds the lock) counts as writable.
 * Results are kept for `cacheMs` so a probe storm does not hammer the file.
 */
export class CatalogProbe {
  readonly #location: string;
  readonly #cacheMs: number;
  #last: { at: number; problem: string | undefined } | undefined;

  constructor(location: string, cacheMs = 2000) {
    this.#location = location;
    this.#cacheMs = cacheMs;
  }

  /** Undefined when writable; otherwise why not. */
  check(now = Date.now()): string | undefined {
    if (this.#location === ':memory:') return undefined;
    if (this.#last && now - this.#last.at < this.#cacheMs) return this.#last.problem;
    this.#last = { at: now, problem: this.#probe() };
    return this.#last.problem;
  }

  /** A fresh connection each time: a file that was removed or replaced is seen as it is now. */
  #probe(): string | undefined {
    if (!existsSync(this.#location)) return `catalog ${this.#location} is missing`;
    let db: DatabaseSync | undefined;
    try {
      db = new DatabaseSync(this.#location, { timeout: 0 });
      db.exec('BEGIN IMMEDIATE');
      try {
        db.exec('CREATE TABLE holdfast_readiness_probe (x INTEGER)');
      } finally {
        db.exec('ROLLBACK');
      }
      return undefined;
    } catch (err) {
      const e = err as { errcode?: number; message?: string };
      if (e.errcode === 5 || e.errcode === 6) return undefined; // SQLITE_BUSY / SQLITE_LOCKED: someone is writing
      return `catalog ${this.#location} is not writable: ${e.message ?? String(err)}`;
    } finally {
      db?.close();
    }
  }
}
