import { existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import type { Catalog } from '../catalog/contract.ts';

/** Newest good backup per job and target: job → target → time. */
export type LastSuccesses = Map<string, Map<string, Date>>;

/**
 * The newest present artifact per job and target, for the last-success metrics. A catalog in a node:sqlite file
 * is asked with one aggregate query over its `artifacts_job` index, on a read-only connection of its own (WAL
 * readers never wait for the writer); any other catalog is read job by job through the contract. A catalog of
 * hundreds of thousands of artifacts is one query, not one call (and statement) per artifact.
 */
export function readLastSuccesses(
  catalog: Pick<Catalog, 'location' | 'listArtifacts'>,
  jobs: readonly string[],
): LastSuccesses {
  const wanted = new Set(jobs);
  const out: LastSuccesses = new Map();
  const add = (job: string, target: string, at: Date) => {
    if (!wanted.has(job)) return;
    const targets = out.get(job) ?? new Map<string, Date>();
    const have = targets.get(target);
    if (!have || at > have) targets.set(target, at);
    out.set(job, targets);
  };
  const rows = aggregate(catalog.location);
  if (rows) {
    for (const r of rows) add(r.job, r.target, new Date(r.at));
    return out;
  }
  for (const job of wanted) for (const a of catalog.listArtifacts({ job })) add(job, a.target, a.createdAt);
  return out;
}

function aggregate(location: string): { job: string; target: string; at: string }[] | undefined {
  if (location === ':memory:' || !existsSync(location)) return undefined;
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(location, { readOnly: true, timeout: 5000 });
    return db
      .prepare(
        "SELECT job, target, MAX(created_at) AS at FROM artifacts WHERE state = 'present' GROUP BY job, target",
      )
      .all() as { job: string; target: string; at: string }[];
  } catch {
    return undefined; // not the schema we know (or unreadable): the contract path still works
  } finally {
    db?.close();
  }
}
