import type { Artifact, Catalog } from '../catalog/contract.ts';
import type { Clock } from '../core/clock.ts';
import { describeError, ErrorCode, HoldfastError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { JobRetentionPlan } from './plan-job-retention.ts';
import { cannotRemove, removeArtifactFiles, type RemovalRoutes } from './remove-artifact.ts';
import type { RetentionDecision } from './select-retention.ts';

export interface RemovedArtifact {
  artifactId: string;
  target: string;
  type: string;
  locations: string[];
  bytes: number;
}

/** What one job's cleanup did. */
export interface RetentionReport {
  job: string;
  /** `failed`: a removal failed (or the run was cancelled) and the cleanup stopped there; the next run finishes it. */
  status: 'succeeded' | 'failed' | 'nothing-to-do';
  kept: number;
  removed: RemovedArtifact[];
  bytesRemoved: number;
  /** Removals not attempted because the cleanup stopped. */
  notAttempted: number;
  failure?: { artifactId?: string; code: string; message: string };
}

export interface ApplyRetentionInput {
  plan: JobRetentionPlan;
  catalog: Pick<Catalog, 'markRemoving' | 'markRemoved'>;
  routes: RemovalRoutes;
  clock: Clock;
  logger: Logger;
  signal?: AbortSignal;
}

/**
 * Executes a job's retention plan, like restic's prune: planned first, executed second. Interrupted removals
 * (`removing`) are finished first; then artifacts are removed dependents before what they depend on. For each:
 * `markRemoving` in the catalog, delete every location, `markRemoved`. The first failure stops the cleanup and
 * leaves that artifact in `removing` (never looking complete, since manifests go first); the next run finishes it.
 */
export async function applyRetention(input: ApplyRetentionInput): Promise<RetentionReport> {
  const { plan, catalog, clock } = input;
  const log = input.logger.child({ job: plan.job, service: 'retention' });
  const toRemove = removalSequence(plan.decisions);
  const report: RetentionReport = {
    job: plan.job,
    status: toRemove.length === 0 ? 'nothing-to-do' : 'succeeded',
    kept: plan.decisions.length - toRemove.length,
    removed: [],
    bytesRemoved: 0,
    notAttempted: 0,
  };
  for (let i = 0; i < toRemove.length; i++) {
    const { artifact: a, reasons } = toRemove[i]!;
    if (input.signal?.aborted) {
      return stop(report, toRemove.length - i, new HoldfastError(ErrorCode.Cancelled, 'cleanup cancelled'));
    }
    const why = `retention: ${reasons.join('; ')}`;
    const refusal = cannotRemove(a, input.routes);
    if (refusal) return stop(report, toRemove.length - i - 1, refusal, a);
    try {
      if (a.state === 'present') catalog.markRemoving(a.id, clock.now(), why);
      await removeArtifactFiles(a, input.routes);
      catalog.markRemoved(a.id, clock.now(), why);
    } catch (err) {
      log.error(
        { artifactId: a.id, target: a.target, err: describeError(err) },
        `cleanup of job ${plan.job} stopped: cannot remove ${a.id}`,
      );
      return stop(report, toRemove.length - i - 1, err, a);
    }
    report.removed.push({
      artifactId: a.id,
      target: a.target,
      type: a.type,
      locations: a.locations,
      bytes: a.bytes,
    });
    report.bytesRemoved += a.bytes;
    log.info(
      { artifactId: a.id, target: a.target, type: a.type, bytes: a.bytes },
      `removed ${a.type} ${a.id} of ${a.target}`,
    );
  }
  return report;
}

function stop(report: RetentionReport, notAttempted: number, err: unknown, a?: Artifact): RetentionReport {
  report.status = 'failed';
  report.notAttempted = notAttempted;
  const code = err instanceof HoldfastError ? err.code : ErrorCode.Internal;
  report.failure = {
    artifactId: a?.id,
    code,
    message: a ? `cannot remove ${a.type} ${a.id} of ${a.target}: ${describeError(err)}` : describeError(err),
  };
  return report;
}

/**
 * The order of removal: interrupted ones first (oldest first), then the rest with every artifact after all the
 * artifacts being removed that depend on it, so a cleanup stopped at any point never leaves a present artifact
 * whose dependency is gone because of it.
 */
export function removalSequence(decisions: readonly RetentionDecision[]): RetentionDecision[] {
  const removing = decisions.filter((d) => d.decision === 'remove' && d.artifact.state === 'removing');
  const rest = decisions.filter((d) => d.decision === 'remove' && d.artifact.state === 'present');
  const byId = new Map(rest.map((d) => [d.artifact.id, d]));
  const dependents = new Map<string, string[]>();
  for (const d of rest)
    for (const dep of d.artifact.dependsOn)
      if (byId.has(dep)) dependents.set(dep, [...(dependents.get(dep) ?? []), d.artifact.id]);
  const out: RetentionDecision[] = [];
  const done = new Set<string>();
  const visit = (id: string, path: Set<string>) => {
    if (done.has(id) || path.has(id)) return;
    path.add(id);
    for (const dep of dependents.get(id) ?? []) visit(dep, path);
    path.delete(id);
    done.add(id);
    out.push(byId.get(id)!);
  };
  // Newest first, so that the order is stable and mostly chronological backwards.
  const newestFirst = [...rest].sort(
    (x, y) =>
      y.artifact.createdAt.getTime() - x.artifact.createdAt.getTime() ||
      (x.artifact.id < y.artifact.id ? -1 : 1),
  );
  for (const d of newestFirst) visit(d.artifact.id, new Set());
  return [
    ...removing.sort((x, y) => x.artifact.createdAt.getTime() - y.artifact.createdAt.getTime()),
    ...out,
  ];
}
