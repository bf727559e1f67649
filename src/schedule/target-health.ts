import type { Catalog } from '../catalog/contract.ts';

/** The last good backup and the last failure of one target of a job, from the catalog. */
export interface TargetHealth {
  job: string;
  target: string;
  /** When the newest artifact of the target was created: a good backup is one the catalog holds an artifact of. */
  lastSuccess?: Date;
  lastFailure?: { at: Date; summary: string; runId: string };
}

type HealthCatalog = Pick<Catalog, 'listArtifacts' | 'listSteps' | 'lastStep'>;

/**
 * Reads, for each target a job has backed up or tried to, its last success and last failure.
 * Targets come from the job's artifacts and from its newest failed run (`plugin`: only steps of the job's own
 * plugin count, so a retention step never looks like a target). Every read goes through an index of the catalog.
 */
export function readTargetHealth(catalog: HealthCatalog, job: string, plugin?: string): TargetHealth[] {
  const byTarget = new Map<string, TargetHealth>();
  for (const a of catalog.listArtifacts({ job })) {
    const h = byTarget.get(a.target) ?? { job, target: a.target };
    if (!h.lastSuccess || a.createdAt > h.lastSuccess) h.lastSuccess = a.createdAt;
    byTarget.set(a.target, h);
  }
  const ours = (s: { job: string; plugin: string }) =>
    s.job === job && (plugin === undefined || s.plugin === plugin);
  const failedTargets = new Set<string>();
  const newestFailure = catalog.lastStep({ job, status: 'failed' });
  if (newestFailure) {
    for (const s of catalog.listSteps(newestFailure.runId))
      if (ours(s) && s.status === 'failed') failedTargets.add(s.target);
  }
  for (const target of new Set([...byTarget.keys(), ...failedTargets])) {
    const h = byTarget.get(target) ?? { job, target };
    byTarget.set(target, h);
    const failed = catalog.lastStep({ job, target, status: 'failed' });
    if (failed && ours(failed)) {
      h.lastFailure = {
        at: new Date(failed.finishedAt ?? failed.startedAt ?? 0),
        summary: failed.summary,
        runId: failed.runId,
      };
    }
  }
  return [...byTarget.values()].sort((a, b) => a.target.localeCompare(b.target));
}
