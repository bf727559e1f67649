import type { Artifact, Catalog } from '../catalog/contract.ts';
import type { Job } from '../core/job.ts';
import type { PlanNote, RetentionEntry } from '../core/plan.ts';
import type { Plugin } from '../plugin/contract.ts';
import { retentionPolicySchema, type RetentionPolicy } from './schema.ts';
import { selectRetention, type RetentionDecision } from './select-retention.ts';

/** What retention would do for one job now: the decisions, as plan entries, and what stands in the way. */
export interface JobRetentionPlan {
  job: string;
  policy: RetentionPolicy;
  decisions: RetentionDecision[];
  entries: RetentionEntry[];
  /** Things that prevent or limit the cleanup (a plugin without retention support, no way to remove some artifacts). */
  problems: string[];
}

/** The job's `spec.retention`, parsed (defaults applied), or undefined when the job has no policy. */
export function readRetentionPolicy(job: Job): RetentionPolicy | undefined {
  const raw = (job.spec as { retention?: unknown } | null)?.retention;
  if (raw === undefined || raw === null) return undefined;
  const parsed = retentionPolicySchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `job ${job.metadata.name}: spec.retention is invalid: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
    );
  }
  return parsed.data;
}

export interface PlanJobRetentionInput {
  job: Job;
  plugin: Plugin;
  catalog: Pick<Catalog, 'listArtifacts'>;
  now: Date;
  /** Names of the Storage manifests: artifacts stored elsewhere need the plugin's `remove` hook. */
  storageNames: ReadonlySet<string>;
}

/**
 * Plans retention for one job from the catalog. Read-only: it never writes to the catalog or storage, so
 * `plan`, `run --dry-run` and `retention plan` may call it. Returns undefined for a job without a policy.
 */
export function planJobRetention(input: PlanJobRetentionInput): JobRetentionPlan | undefined {
  const { job, plugin } = input;
  const policy = readRetentionPolicy(job);
  if (!policy) return undefined;
  const name = job.metadata.name;
  const artifacts = input.catalog.listArtifacts({ job: name, states: ['present', 'removing', 'removed'] });
  const decisions = selectRetention({ artifacts, policy, now: input.now });
  const problems: string[] = [];
  if (!plugin.capabilities.retention) {
    problems.push(
      `plugin ${plugin.name} does not declare the retention capability: job ${name} has a retention policy but nothing will be removed`,
    );
  }
  const unremovable = decisions.filter(
    (d) => d.decision === 'remove' && !input.storageNames.has(d.artifact.storage) && !plugin.remove,
  );
  if (unremovable.length > 0) {
    const where = [...new Set(unremovable.map((d) => d.artifact.storage))].join(', ');
    problems.push(
      `plugin ${plugin.name} has no remove hook, so ${unremovable.length} artifact(s) stored at ${where} (not a Storage target) cannot be removed`,
    );
  }
  return { job: name, policy, decisions, entries: decisions.map((d) => toEntry(d, name)), problems };
}

export function toEntry(d: RetentionDecision, job: string): RetentionEntry {
  return {
    job,
    artifactId: d.artifact.id,
    target: d.artifact.target,
    type: d.artifact.type,
    location: locationOf(d.artifact),
    createdAt: d.artifact.createdAt.toISOString(),
    decision: d.decision,
    reasons: d.reasons,
  };
}

/** `storage:key` for storage artifacts, the path for others; `(+N)` when there are more locations. */
export function locationOf(a: Artifact): string {
  const first = a.locations[0] ?? '(no location)';
  const more = a.locations.length > 1 ? ` (+${a.locations.length - 1})` : '';
  return `${a.storage}:${first}${more}`;
}

/**
 * What the planner puts in a plan for one job: its retention entries, and warnings for what would stop the
 * cleanup. Never throws: an unreadable policy becomes a warning (validation reports it with its line).
 */
export function retentionForPlan(input: PlanJobRetentionInput): {
  entries: RetentionEntry[];
  notes: PlanNote[];
} {
  const job = input.job.metadata.name;
  try {
    const planned = planJobRetention(input);
    if (!planned) return { entries: [], notes: [] };
    const notes: PlanNote[] = planned.problems.map((message) => ({
      level: 'warning',
      plugin: input.plugin.name,
      job,
      message,
    }));
    return { entries: planned.entries, notes };
  } catch (err) {
    return {
      entries: [],
      notes: [
        {
          level: 'warning',
          plugin: input.plugin.name,
          job,
          message: `retention not planned: ${(err as Error).message}`,
        },
      ],
    };
  }
}
