import type { HistoryIndex, IndexedSet } from './history-index.ts';

/**
 * Recovery forks. A restore WITH RECOVERY to an earlier point starts a new recovery fork; backups after
 * it carry the new fork GUID, and the first log backup after it spans both (first_recovery_fork_guid =
 * old, last_recovery_fork_guid = new, fork_point_lsn = where they part). A chain may only follow the path
 * of forks that leads to the target fork: on an ancestor fork only backups that end at or before the fork
 * point belong to that path; everything after it on the ancestor is an abandoned branch.
 */
export interface ForkPath {
  /** The fork the restore ends on. */
  target: string;
  /** Forks on the path, each with the highest last_lsn a backup on it may have (null: no limit). */
  limits: Map<string, bigint | null>;
  /** child fork -> parent fork and fork point, as learned from spanning log backups. */
  parents: Map<string, { parent: string; point: bigint }>;
  forkCount: number;
}

export type ForkSelection = { ok: true; path: ForkPath } | { ok: false; message: string };

export function selectRecoveryFork(index: HistoryIndex, requested?: string): ForkSelection {
  const parents = new Map<string, { parent: string; point: bigint }>();
  const forks = new Set<string>();
  let newest: IndexedSet | undefined;
  for (const s of index.sets) {
    forks.add(s.forkFirst);
    forks.add(s.forkLast);
    if (s.forkFirst !== s.forkLast && s.forkPoint !== null && !parents.has(s.forkLast)) {
      parents.set(s.forkLast, { parent: s.forkFirst, point: s.forkPoint });
    }
    if (!newest || s.finish > newest.finish || (s.finish === newest.finish && s.id > newest.id)) newest = s;
  }
  let target: string;
  if (requested !== undefined) {
    const match = [...forks].find((f) => f === requested.toUpperCase());
    if (!match)
      return {
        ok: false,
        message: `recovery fork ${requested} does not occur in the history (forks: ${[...forks].join(', ') || 'none'})`,
      };
    target = match;
  } else if (newest) target = newest.forkLast;
  else return { ok: false, message: 'the history has no backup sets' };

  const limits = new Map<string, bigint | null>([[target, null]]);
  let child = target;
  for (let link = parents.get(child); link && !limits.has(link.parent); link = parents.get(child)) {
    limits.set(link.parent, link.point);
    child = link.parent;
  }
  return { ok: true, path: { target, limits, parents, forkCount: forks.size } };
}

/** The set lies on the path to the target fork (and, on an ancestor fork, before the fork point). */
export function onForkPath(path: ForkPath, s: IndexedSet): boolean {
  if (path.forkCount === 1) return true;
  if (!path.limits.has(s.forkLast)) return false;
  const limit = path.limits.get(s.forkLast) ?? null;
  if (limit !== null && s.last > limit) return false;
  if (s.forkFirst !== s.forkLast) {
    const link = path.parents.get(s.forkLast);
    if (!link || link.parent !== s.forkFirst || !path.limits.has(s.forkFirst)) return false;
  }
  return true;
}
