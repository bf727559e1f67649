import type { IndexedSet } from './history-index.ts';

/** Why a backup set that is on the path cannot be used (damaged, incomplete metadata, missing media). */
export interface Unusable {
  rule: 'damaged-backup' | 'incomplete-metadata' | 'missing-media';
  message: string;
}

/** Where a walk along the log chain must end. */
export interface WalkEnd {
  /** The last log must end at or after this LSN (last_lsn is exclusive, so >= covers every record before it). */
  atLeast: bigint;
  /** Point in time: the last log is the first one that finished at or after this instant. */
  time: number | null;
}

export type WalkStop =
  /** No usable log continues at `from`; `next` is the first log that starts later (null: none). */
  | { kind: 'gap'; from: bigint; after: IndexedSet | null; next: IndexedSet | null }
  /** The log that continues the chain exists but cannot be used. */
  | { kind: 'blocked'; log: IndexedSet; reason: Unusable; after: IndexedSet | null };

export type WalkResult = { ok: true; logs: IndexedSet[] } | { ok: false; stop: WalkStop };

type Outcome = { ok: true; end: IndexedSet } | { ok: false; stop: WalkStop };

/**
 * The log backups of one fork path, indexed for chain walks: binary search for the log that contains an
 * LSN (`first_lsn <= lsn < last_lsn`, rule 3), a map from first_lsn for continuity (`next.first_lsn =
 * prev.last_lsn`, rule 4). Walks are memoised per end condition, so trying many bases and differentials
 * costs one pass over the logs in total.
 *
 * The logs given must already exclude copy-only logs, logs with first_lsn = last_lsn, and logs off the
 * fork path. database_backup_lsn is never consulted (pitfall P3).
 */
export class LogChain {
  readonly #logs: IndexedSet[];
  /** Keyed by the canonical first_lsn text (the schema strips leading zeros): string keys hash faster than BigInt. */
  readonly #byFirst = new Map<string, IndexedSet | IndexedSet[]>();
  readonly #unusable: (s: IndexedSet) => Unusable | null;
  readonly #memo = new Map<string, Map<number, Outcome>>();

  constructor(logs: IndexedSet[], unusable: (s: IndexedSet) => Unusable | null) {
    this.#logs = logs;
    this.#unusable = unusable;
    for (const l of logs) {
      const seen = this.#byFirst.get(l.raw.first_lsn);
      if (seen === undefined) this.#byFirst.set(l.raw.first_lsn, l);
      else if (Array.isArray(seen)) seen.push(l);
      else this.#byFirst.set(l.raw.first_lsn, [seen, l]);
    }
  }

  get size(): number {
    return this.#logs.length;
  }

  /** The log that contains `lsn` (first_lsn <= lsn < last_lsn), preferring a usable one, then the longest. */
  containing(lsn: bigint): IndexedSet | null {
    let lo = 0;
    let hi = this.#logs.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.#logs[mid]!.first <= lsn) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const candidates: IndexedSet[] = [];
    for (let i = at; i >= 0 && i > at - 16; i--) {
      const l = this.#logs[i]!;
      if (l.last > lsn) candidates.push(l);
    }
    return this.#pick(candidates);
  }

  /** The first log that starts after `lsn` (for naming the far end of a gap). */
  firstStartingAfter(lsn: bigint): IndexedSet | null {
    let lo = 0;
    let hi = this.#logs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#logs[mid]!.first <= lsn) lo = mid + 1;
      else hi = mid;
    }
    return this.#logs[lo] ?? null;
  }

  /** The log that continues `prev` (next.first_lsn = prev.last_lsn). */
  next(prev: IndexedSet): IndexedSet | null {
    const found = this.#byFirst.get(prev.raw.last_lsn);
    return found === undefined ? null : this.#pick(Array.isArray(found) ? found : [found]);
  }

  /** The last log backup of the path (highest last_lsn), or null. */
  newest(): IndexedSet | null {
    let best: IndexedSet | null = null;
    for (const l of this.#logs) if (!best || l.last > best.last) best = l;
    return best;
  }

  /** Walks from the log containing `from` until `end` is met; returns the logs in restore order. */
  walk(from: bigint, end: WalkEnd): WalkResult {
    const start = this.containing(from);
    if (!start)
      return { ok: false, stop: { kind: 'gap', from, after: null, next: this.firstStartingAfter(from) } };
    const outcome = this.#walkFrom(start, end);
    if (!outcome.ok) return outcome;
    const logs: IndexedSet[] = [start];
    for (let cur = start; cur !== outcome.end;) {
      cur = this.next(cur)!;
      logs.push(cur);
    }
    return { ok: true, logs };
  }

  #walkFrom(start: IndexedSet, end: WalkEnd): Outcome {
    const key = `${end.atLeast}|${end.time ?? ''}`;
    let memo = this.#memo.get(key);
    if (!memo) this.#memo.set(key, (memo = new Map()));
    const visited: IndexedSet[] = [];
    let outcome: Outcome | undefined;
    let prev: IndexedSet | null = null;
    let cur: IndexedSet | null = start;
    while (outcome === undefined) {
      if (cur === null) {
        const from = prev!.last;
        outcome = {
          ok: false,
          stop: { kind: 'gap', from, after: prev, next: this.firstStartingAfter(from) },
        };
        break;
      }
      const known = memo.get(cur.id);
      if (known) {
        outcome = known;
        break;
      }
      const bad = this.#unusable(cur);
      if (bad) {
        outcome = { ok: false, stop: { kind: 'blocked', log: cur, reason: bad, after: prev } };
        break;
      }
      visited.push(cur);
      if (cur.last >= end.atLeast && (end.time === null || cur.finish >= end.time)) {
        outcome = { ok: true, end: cur };
        break;
      }
      prev = cur;
      cur = this.next(cur);
    }
    for (const v of visited) memo.set(v.id, outcome);
    return outcome;
  }

  #pick(candidates: IndexedSet[]): IndexedSet | null {
    let best: IndexedSet | null = null;
    let bestUsable = false;
    for (const c of candidates) {
      const usable = this.#unusable(c) === null;
      if (
        !best ||
        (usable && !bestUsable) ||
        (usable === bestUsable && (c.last > best.last || (c.last === best.last && c.id > best.id)))
      ) {
        best = c;
        bestUsable = usable;
      }
    }
    return best;
  }
}
