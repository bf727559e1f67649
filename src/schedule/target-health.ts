import type { Catalog } from '../catalog/contract.ts';

/** The last good backup and the last failure of one target of a job, from the catalog. */
export interface TargetHealth {
  job: string;
  target: string;
  /** When the newest artifact of the target was created: a good backup is one the catalog holds an artifact of. */
  lastSuccess?: Date;
  lastFailure?: { at: Date; summary: string; runId: string };
}

type HealthCatalog = Pick<Catalog, 'listArtifacts' | 'listRuns' | 'listSteps' | 'lastStep'>;

/**
 * Reads, for each target a job has backed up or tried to, its last success and last failure.
 * Targets come from the job's artifacts and from the failed steps of its recent runs (`plugin`: only steps of
 * the job's own plugin count, so a retention step never looks like a target).
 */
export function readTargetHealth(
  catalog: HealthCatalog,
  job: string,
  plugin?: string,
  recentRuns = 20,
): TargetHealth[] {
  const byTarget = new Map<string, TargetHealth>();
  for (const a of catalog.listArtifacts({ job })) {
    const h = byTarget.get(a.target) ?? { job, target: a.target };
    if (!h.lastSuccess || a.createdAt > h.lastSuccess) h.lastSuccess = a.createdAt;
    byTarget.set(a.target, h);
  }
  const failedTargets = new Set<string>();
  for (const run of catalog.listRuns({ job, limit: recentRuns })) {
    if (run.status === 'succeeded') continue;
    for (const s of catalog.listSteps(run.id)) {
      if (s.job === job && s.status === 'failed' && (plugin === undefined || s.plugin === plugin))
        failedTargets.add(s.target);
    }
  }
  for (const target of new Set([...byTarget.keys(), ...failedTargets])) {
    const failed = catalog.lastStep({ job, target, status: 'failed' });
    if (!failed || (plugin !== undefined && failed.plugin !== plugin)) {
      if (!byTarget.has(target)) byTarget.set(target, { job, target });
      continue;
    }
    const h = byTarget.get(target) ?? { job, target };
    h.lastFailure = {
      at: new Date(failed.finishedAt ?? failed.startedAt ?? 0),
      summary: failed.summary,
      runId: failed.runId,
    };
    byTarget.set(target, h);
  }
  return [...byTarget.values()].sort((a, b) => a.target.localeCompare(b.target));
}
