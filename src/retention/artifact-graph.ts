import type { Artifact, ArtifactState } from '../catalog/contract.ts';

/** A dependency an artifact's restore needs that is not (fully) there. */
export interface MissingDependency {
  id: string;
  /** `removing`/`removed` from the catalog, or `unknown` when the catalog has no such artifact. */
  state: Exclude<ArtifactState, 'present'> | 'unknown';
}

/**
 * The `dependsOn` graph of one job's artifacts. Answers what a restore from an artifact needs (its transitive
 * dependencies), whether all of it is present (then the artifact is a restore point), and who needs whom.
 */
export class ArtifactGraph {
  readonly #byId = new Map<string, Artifact>();
  readonly #dependents = new Map<string, string[]>();

  constructor(artifacts: Iterable<Artifact>) {
    for (const a of artifacts) this.#byId.set(a.id, a);
    for (const a of this.#byId.values()) {
      for (const d of a.dependsOn) this.#dependents.set(d, [...(this.#dependents.get(d) ?? []), a.id]);
    }
  }

  get(id: string): Artifact | undefined {
    return this.#byId.get(id);
  }

  /** Ids of the artifacts that list `id` in their dependsOn. */
  dependents(id: string): readonly string[] {
    return this.#dependents.get(id) ?? [];
  }

  /**
   * Every artifact a restore from `id` needs, transitively (not including `id` itself), in the order found,
   * and the ones among them that are not present.
   */
  closure(id: string): { needs: string[]; missing: MissingDependency[] } {
    const needs: string[] = [];
    const missing: MissingDependency[] = [];
    const seen = new Set<string>([id]);
    const queue = [...(this.#byId.get(id)?.dependsOn ?? [])];
    while (queue.length > 0) {
      const next = queue.shift()!;
      if (seen.has(next)) continue;
      seen.add(next);
      needs.push(next);
      const a = this.#byId.get(next);
      if (!a) missing.push({ id: next, state: 'unknown' });
      else if (a.state !== 'present') missing.push({ id: next, state: a.state });
      if (a) queue.push(...a.dependsOn);
    }
    return { needs, missing };
  }

  /**
   * A restore point: a present artifact that restores on its own terms (see {@link startsRestore}) and whose
   * transitive dependencies are all present.
   */
  isRestorePoint(id: string): boolean {
    const a = this.#byId.get(id);
    return (
      a !== undefined && a.state === 'present' && startsRestore(a) && this.closure(id).missing.length === 0
    );
  }
}

/**
 * Whether a restore can end at this artifact. File and filegroup backups (msdb types F and G) only restore as
 * part of a database's chain, so they are not restore points by themselves; a plugin may say so for other
 * artifacts with `metadata.restorePoint: false` (or force it with `true`).
 */
export function startsRestore(a: Artifact): boolean {
  const flag = a.metadata.restorePoint;
  if (typeof flag === 'boolean') return flag;
  return a.type !== 'F' && a.type !== 'G';
}

/** Newest first; ties broken by id so the order never depends on input order. */
export function newestFirst(a: Artifact, b: Artifact): number {
  return b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** A short human name for an artifact in reasons: `P 2026-03-01 01:00 (P1)`. */
export function describeArtifact(a: Artifact | undefined, id: string): string {
  if (!a) return `artifact ${shortId(id)}`;
  return `${a.type} ${a.createdAt.toISOString().slice(0, 16).replace('T', ' ')} (${shortId(a.id)})`;
}

/** UUIDs are cut to their first 8 characters; readable ids stay as they are. */
export function shortId(id: string): string {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(id) ? id.slice(0, 8) : id;
}
