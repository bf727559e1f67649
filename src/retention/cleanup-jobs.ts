import type { Artifact } from '../catalog/contract.ts';
import { describeError, ErrorCode, HoldfastError, wrapPluginError } from '../core/errors.ts';
import type { Plan } from '../core/plan.ts';
import type { RunResult } from '../core/result.ts';
import type { LoadedManifest } from '../config/load-manifests.ts';
import type { ExecuteContext } from '../plugin/contract.ts';
import type { PluginRegistry } from '../plugin/registry.ts';
import { pluginContext, type EngineServices } from '../engine/services.ts';
import { applyRetention, type RetentionReport } from './apply-retention.ts';
import { planJobRetention, readRetentionPolicy, type JobRetentionPlan } from './plan-job-retention.ts';
import type { RemovalRoutes } from './remove-artifact.ts';

/** One job's cleanup: its plan and, unless only planning, what was done. */
export interface JobCleanup {
  job: string;
  plan?: JobRetentionPlan;
  report?: RetentionReport;
  /** The cleanup could not be planned or was refused (bad policy, plugin without retention support). */
  error?: { code: string; message: string };
}

export interface CleanupJobsInput {
  manifests: readonly LoadedManifest[];
  /** Jobs to clean up; jobs without a retention policy are left out of the result. */
  jobs: readonly LoadedManifest[];
  registry: PluginRegistry;
  services: EngineServices;
  /** Only plan (read-only): `retention plan`, `retention apply --dry-run`. */
  dryRun: boolean;
  /** Run id handed to plugins' remove hooks (the run this cleanup belongs to). */
  runId: string;
}

/** Plans (and unless dryRun, applies) retention for each job that has a policy, one job after another. */
export async function cleanupJobs(input: CleanupJobsInput): Promise<JobCleanup[]> {
  const { services, registry } = input;
  const storageNames = new Set(
    input.manifests.filter((m) => m.kind === 'Storage').map((m) => m.metadata.name),
  );
  const out: JobCleanup[] = [];
  for (const job of input.jobs) {
    const name = job.metadata.name;
    const plugin = registry.pluginForKind(job.kind);
    if (!plugin) continue;
    let plan: JobRetentionPlan | undefined;
    try {
      plan = planJobRetention({
        job,
        plugin,
        catalog: services.catalog,
        now: services.clock.now(),
        storageNames,
      });
    } catch (err) {
      out.push({ job: name, error: { code: ErrorCode.ConfigInvalid, message: describeError(err) } });
      continue;
    }
    if (!plan) continue;
    if (input.dryRun) {
      out.push({ job: name, plan });
      continue;
    }
    if (!plugin.capabilities.retention) {
      out.push({
        job: name,
        plan,
        error: {
          code: ErrorCode.CapabilityMissing,
          message: plan.problems[0] ?? `plugin ${plugin.name} does not support retention`,
        },
      });
      continue;
    }
    const ctx: ExecuteContext = {
      ...pluginContext(services, input.manifests, job, { dryRun: false }),
      runId: input.runId,
      progress: () => undefined,
    };
    const routes: RemovalRoutes = {
      storage: (s) => (storageNames.has(s) ? services.storage(s) : undefined),
      removeViaPlugin: plugin.remove
        ? async (a: Artifact) => {
            try {
              await plugin.remove!(a, job, ctx);
            } catch (err) {
              throw wrapPluginError(err, plugin.name, 'remove', { job: name, target: a.target });
            }
          }
        : undefined,
    };
    const report = await applyRetention({
      plan,
      catalog: services.catalog,
      routes,
      clock: services.clock,
      logger: services.logger,
      signal: services.signal,
    });
    out.push({ job: name, plan, report });
  }
  return out;
}

/** Jobs whose policy asks for cleanup in this `mode`. */
export function jobsWithMode(
  jobs: readonly LoadedManifest[],
  mode: 'after-backup' | 'before-backup',
): LoadedManifest[] {
  return jobs.filter((j) => {
    try {
      return readRetentionPolicy(j)?.mode === mode;
    } catch {
      return mode === 'after-backup'; // an invalid policy is reported by the cleanup itself
    }
  });
}

/**
 * Jobs whose backup succeeded in this run: at least one step, every step of the job succeeded, and no planning
 * problem. Only these are cleaned up after the backup (like Ola Hallengren's AFTER_BACKUP cleanup).
 */
export function jobsThatSucceeded(
  jobs: readonly LoadedManifest[],
  plan: Plan,
  result: RunResult,
): LoadedManifest[] {
  return jobs.filter((j) => {
    const name = j.metadata.name;
    const steps = result.steps.filter((s) => s.job === name);
    return (
      steps.length > 0 &&
      steps.every((s) => s.status === 'succeeded') &&
      !plan.problems.some((p) => p.job === name)
    );
  });
}

/** True when a cleanup went wrong in a way the run's output and exit code must show. */
export function cleanupFailed(c: JobCleanup): boolean {
  return c.error !== undefined || c.report?.status === 'failed';
}

export function cleanupError(c: JobCleanup): HoldfastError | undefined {
  if (c.error)
    return new HoldfastError(c.error.code as HoldfastError['code'], c.error.message, { job: c.job });
  if (c.report?.failure)
    return new HoldfastError(c.report.failure.code as HoldfastError['code'], c.report.failure.message, {
      job: c.job,
    });
  return undefined;
}
