import path from 'node:path';
import { checkPlan, type Plan, type PlanJobSummary, type PlanNote, type PlanProblem, type PlanStep, type RetentionEntry } from '../core/plan.ts';
import { ErrorCode, HoldfastError, wrapPluginError } from '../core/errors.ts';
import type { LoadedManifest } from '../config/load-manifests.ts';
import type { PluginRegistry } from '../plugin/registry.ts';
import type { RunOptions } from '../plugin/contract.ts';
import { pluginContext, type EngineServices } from './services.ts';
import { retentionForPlan } from '../retention/plan-job-retention.ts';

export interface PlanInput {
  command: string;
  manifests: readonly LoadedManifest[];
  jobs: readonly LoadedManifest[];
  registry: PluginRegistry;
  services: EngineServices;
  options: RunOptions;
}

/**
 * Makes the plan: for each job, its plugin discovers targets and plans steps. Only reads.
 * A job whose discovery or planning fails becomes a problem in the plan; the other jobs are still planned.
 */
export async function createPlan(input: PlanInput): Promise<Plan> {
  const { services, registry } = input;
  const steps: PlanStep[] = [];
  const notes: PlanNote[] = [];
  const problems: PlanProblem[] = [];
  const jobs: PlanJobSummary[] = [];
  const retention: RetentionEntry[] = [];
  const storageNames = new Set(input.manifests.filter((m) => m.kind === 'Storage').map((m) => m.metadata.name));
  for (const job of input.jobs) {
    const plugin = registry.pluginForKind(job.kind);
    if (!plugin) throw new HoldfastError(ErrorCode.Internal, `no plugin handles kind ${job.kind}`);
    const ctx = pluginContext(services, input.manifests, job, input.options);
    const rel = path.relative(process.cwd(), job.source.file);
    const file = rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : job.source.file;
    const summary: PlanJobSummary = { name: job.metadata.name, kind: job.kind, plugin: plugin.name, file, targets: [] };
    jobs.push(summary);
    let hook = 'discover';
    try {
      const discovery = await plugin.discover(job, ctx);
      summary.targets = discovery.targets.map((t) => t.id);
      notes.push(...discovery.notes.map((n) => ({ ...n, plugin: n.plugin ?? plugin.name, job: n.job ?? job.metadata.name })));
      hook = 'plan';
      const planned = await plugin.plan(job, discovery, ctx);
      steps.push(...planned.steps);
      notes.push(...planned.notes.map((n) => ({ ...n, plugin: n.plugin ?? plugin.name, job: n.job ?? job.metadata.name })));
    } catch (err) {
      const wrapped = wrapPluginError(err, plugin.name, hook, { job: job.metadata.name });
      services.logger.error({ err: wrapped.toJSON() }, wrapped.message);
      problems.push({ job: job.metadata.name, plugin: plugin.name, hook, message: wrapped.message, code: wrapped.code });
    }
    // What the job's retention policy would keep and remove now (read from the catalog; nothing is removed here).
    const kept = retentionForPlan({ job, plugin, catalog: services.catalog, now: services.clock.now(), storageNames });
    retention.push(...kept.entries);
    notes.push(...kept.notes);
  }
  // Account-wide notes (a container no job covers) arrive once per job on that account: say each thing once.
  const seenNotes = new Set<string>();
  const uniqueNotes = notes.filter((n) => {
    const key = `${n.level}\u0000${n.plugin ?? ''}\u0000${n.message}`;
    if (seenNotes.has(key)) return false;
    seenNotes.add(key);
    return true;
  });
  const plan: Plan = {
    formatVersion: 1,
    createdAt: services.clock.now().toISOString(),
    command: input.command,
    jobs,
    steps,
    notes: uniqueNotes,
    retention,
    problems,
  };
  const invalid = checkPlan(plan);
  if (invalid.length > 0) throw new HoldfastError(ErrorCode.Internal, `the plan is inconsistent: ${invalid.join('; ')}`);
  return plan;
}
