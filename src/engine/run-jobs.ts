import type { Plan } from '../core/plan.ts';
import type { RunResult } from '../core/result.ts';
import type { LoadedManifest } from '../config/load-manifests.ts';
import type { PluginRegistry } from '../plugin/registry.ts';
import type { RunOptions } from '../plugin/contract.ts';
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
}

/**
 * One run of some jobs, the same for `holdfast run` and the scheduler: plan (read-only), execute, then the
 * shared services that act on the outcome (retention after a successful backup, notifications).
 * The caller holds the job locks and owns the catalog.
 */
export async function runJobs(input: RunJobsInput): Promise<RunJobsOutput> {
  const events = input.events ?? new EngineEventBus();
  const plan = await createPlan({
    command: input.command,
    manifests: input.manifests,
    jobs: input.jobs,
    registry: input.registry,
    services: input.services,
    options: input.options,
  });
  const result = await executePlan({
    plan,
    manifests: input.manifests,
    registry: input.registry,
    services: input.services,
    options: input.options,
    events,
    concurrency: input.concurrency,
  });
  return { plan, result };
}
