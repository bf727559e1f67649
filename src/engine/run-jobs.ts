import type { Plan } from '../core/plan.ts';
import type { RunResult } from '../core/result.ts';
import type { LoadedManifest } from '../config/load-manifests.ts';
import type { PluginRegistry } from '../plugin/registry.ts';
import type { RunOptions } from '../plugin/contract.ts';
import { cleanupFailed, cleanupJobs, jobsThatSucceeded, jobsWithMode, type JobCleanup } from '../retention/cleanup-jobs.ts';
import { notifyAfterRun } from '../notify/notify-after-run.ts';
import type { DeliveryReport } from '../notify/notifier.ts';
import { createPlan } from './planner.ts';
import { executePlan } from './executor.ts';
import { EngineEventBus } from './events.ts';
import type { EngineServices } from './services.ts';

export interface RunJobsInput {
  /** `run`, or `serve` for scheduled runs (recorded in the catalog). */
  command: string;
  manifests: readonly LoadedManifest[];
  jobs: readonly LoadedManifest[];
  registry: PluginRegistry;
  services: EngineServices;
  options: RunOptions;
  events?: EngineEventBus;
  concurrency?: number;
}

export interface RunJobsOutput {
  plan: Plan;
  result: RunResult;
  /** Retention cleanups done (before-backup jobs first, then after-backup jobs whose backup succeeded). */
  cleanups: JobCleanup[];
  /** Notifications sent (or that failed to send: never a change to the result). */
  notifications: DeliveryReport[];
  /** True when a cleanup failed after the backups (the run is then reported as partly failed). */
  cleanupFailed: boolean;
}

/**
 * One run of some jobs, the same for `holdfast run` and the scheduler: cleanup for jobs whose policy says
 * before-backup, plan (read-only), execute, cleanup after a successful backup of each job, then notifications.
 * The caller holds the job locks and owns the catalog.
 */
export async function runJobs(input: RunJobsInput): Promise<RunJobsOutput> {
  const events = input.events ?? new EngineEventBus();
  const { manifests, jobs, registry, services } = input;
  const cleanup = (selected: readonly LoadedManifest[], runId: string) => cleanupJobs({ manifests, jobs: selected, registry, services, dryRun: false, runId });

  const before = await cleanup(jobsWithMode(jobs, 'before-backup'), 'before-backup');
  const plan = await createPlan({ command: input.command, manifests, jobs, registry, services, options: input.options });
  const result = await executePlan({ plan, manifests, registry, services, options: input.options, events, concurrency: input.concurrency });
  // Cleanup only after a successful backup of the job; then tell the channels (never changes the result).
  const after = await cleanup(jobsThatSucceeded(jobsWithMode(jobs, 'after-backup'), plan, result), result.runId);
  const cleanups = [...before, ...after];
  const notifications = await notifyAfterRun({ manifests, jobs, plan, result, cleanups, services });
  return { plan, result, cleanups, notifications, cleanupFailed: cleanups.some(cleanupFailed) };
}
