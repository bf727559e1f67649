import { describeError, ErrorCode, HoldfastError, wrapPluginError } from '../core/errors.ts';
import { redact, type Secret } from '../core/secret.ts';
import type { Plan, PlanStep } from '../core/plan.ts';
import type { RunResult, RunStatus, StepResult } from '../core/result.ts';
import type { LoadedManifest } from '../config/load-manifests.ts';
import type { PluginRegistry } from '../plugin/registry.ts';
import type { ExecuteContext, RunOptions, StepOutcome } from '../plugin/contract.ts';
import { EngineEventBus } from './events.ts';
import { pluginContext, type EngineServices } from './services.ts';

export interface ExecuteInput {
  plan: Plan;
  manifests: readonly LoadedManifest[];
  registry: PluginRegistry;
  services: EngineServices;
  options: RunOptions;
  events?: EngineEventBus;
  /** Steps running at once over the whole run (default 4). */
  concurrency?: number;
  /** Extra attempts for a step whose error is retryable (default 2), with this base delay (default 1000 ms). */
  retries?: number;
  retryDelayMs?: number;
}

/**
 * The one place where steps run. Honours dependencies (a step whose dependency did not succeed is
 * `not-executed`, with the reason), the global limit and each step's concurrency group. Records every step
 * in the catalog, and a step's artifacts only after it succeeded. Never throws for a step's failure.
 */
export async function executePlan(input: ExecuteInput): Promise<RunResult> {
  const { plan, services } = input;
  const events = input.events ?? new EngineEventBus();
  const limit = Math.max(1, input.concurrency ?? 4);
  const startedAt = services.clock.now();
  const runId = services.catalog.startRun({ command: plan.command, jobs: plan.jobs.map((j) => j.name), startedAt });
  events.emit('run:start', { runId, steps: plan.steps.length, jobs: plan.jobs.map((j) => j.name) });

  const results = new Map<string, StepResult>();
  const pending = [...plan.steps];
  const running = new Map<string, Promise<void>>();
  const groupCount = new Map<string, number>();

  const finish = (step: PlanStep, result: StepResult): void => {
    results.set(step.id, result);
    services.catalog.recordStep(runId, result);
    events.emit('step:end', { runId, step, result });
  };

  while (pending.length > 0 || running.size > 0) {
    // Settle steps that can never run: a dependency did not succeed, or the run was cancelled.
    for (let i = 0; i < pending.length; i++) {
      const step = pending[i]!;
      const blocked = step.dependsOn.map((d) => results.get(d)).find((r) => r !== undefined && r.status !== 'succeeded');
      const why = services.signal.aborted ? 'the run was cancelled' : blocked ? `step ${blocked.stepId} ${blocked.status === 'failed' ? 'failed' : 'did not run'}` : undefined;
      if (why) {
        pending.splice(i--, 1);
        finish(step, notExecuted(step, why));
      }
    }
    // Start what is ready, in plan order, within the limits.
    for (let i = 0; i < pending.length && running.size < limit; i++) {
      const step = pending[i]!;
      if (!step.dependsOn.every((d) => results.get(d)?.status === 'succeeded')) continue;
      const group = step.concurrency?.group;
      if (group && (groupCount.get(group) ?? 0) >= step.concurrency!.limit) continue;
      pending.splice(i--, 1);
      if (group) groupCount.set(group, (groupCount.get(group) ?? 0) + 1);
      const task = runStep(step, runId, input, events).then((result) => {
        running.delete(step.id);
        if (group) groupCount.set(group, groupCount.get(group)! - 1);
        finish(step, result);
      });
      running.set(step.id, task);
    }
    if (running.size === 0) {
      if (pending.length > 0) {
        // Only possible with a dependency outside the plan; checkPlan prevents it, but never loop forever.
        for (const step of pending.splice(0)) finish(step, notExecuted(step, 'its dependencies are not in the plan'));
      }
      break;
    }
    await Promise.race(running.values());
  }

  const steps = plan.steps.map((s) => results.get(s.id)!);
  const status = runStatus(steps, plan.problems.length);
  const finishedAt = services.clock.now();
  services.catalog.finishRun(runId, status, finishedAt);
  const result: RunResult = { runId, status, startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(), steps };
  events.emit('run:end', { result });
  return result;
}

export function runStatus(steps: readonly StepResult[], planProblems = 0): RunStatus {
  const ok = steps.filter((s) => s.status === 'succeeded').length;
  const bad = steps.length - ok + planProblems;
  if (bad === 0) return 'succeeded';
  return ok === 0 ? 'failed' : 'partly-failed';
}

function notExecuted(step: PlanStep, why: string): StepResult {
  return {
    stepId: step.id,
    job: step.job,
    plugin: step.plugin,
    target: step.target,
    action: step.action,
    status: 'not-executed',
    summary: `not executed: ${why}`,
    metrics: {},
    artifactIds: [],
    skippedBecause: why,
  };
}

async function runStep(step: PlanStep, runId: string, input: ExecuteInput, events: EngineEventBus): Promise<StepResult> {
  const { services, registry } = input;
  const started = services.clock.now();
  const wallStart = performance.now();
  const base = { stepId: step.id, job: step.job, plugin: step.plugin, target: step.target, action: step.action, startedAt: started.toISOString() };
  events.emit('step:start', { runId, step });
  const log = services.logger.child({ runId, step: step.id, job: step.job });
  log.info({ action: step.action, target: step.target }, `step ${step.id} started`);

  const secrets = new Set<Secret>();
  const end = (status: 'succeeded' | 'failed', rawSummary: string, outcome: Partial<StepOutcome>, artifactIds: string[], error?: HoldfastError): StepResult => {
    const finished = services.clock.now();
    // A server may echo what it was sent (a key, a password) into an error: mask every secret this step resolved.
    const summary = redact(rawSummary, secrets);
    const errorJson = error ? (JSON.parse(redact(JSON.stringify(error.toJSON()), secrets)) as ReturnType<HoldfastError['toJSON']>) : undefined;
    const result: StepResult = {
      ...base,
      status,
      finishedAt: finished.toISOString(),
      durationMs: Math.round(performance.now() - wallStart),
      summary,
      metrics: outcome.metrics ?? {},
      artifactIds,
      error: errorJson,
    };
    if (status === 'succeeded') log.info({ metrics: result.metrics, durationMs: result.durationMs }, `step ${step.id} succeeded: ${summary}`);
    else log.error({ err: errorJson }, `step ${step.id} failed: ${summary}`);
    return result;
  };

  const plugin = registry.get(step.plugin);
  const job = input.manifests.find((m) => m.metadata.name === step.job && registry.isJobKind(m.kind));
  if (!plugin || !job) {
    const err = new HoldfastError(ErrorCode.Internal, `step ${step.id}: ${!plugin ? `plugin ${step.plugin} is not registered` : `job ${step.job} is not loaded`}`);
    return end('failed', err.message, {}, [], err);
  }
  const ctx: ExecuteContext = {
    ...pluginContext(services, input.manifests, job, input.options, secrets),
    runId,
    progress: (update) => events.emit('step:progress', { runId, step, update }),
  };

  const attempts = 1 + Math.max(0, input.retries ?? 2);
  let lastError: HoldfastError | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (services.signal.aborted) {
      lastError = new HoldfastError(ErrorCode.Cancelled, 'cancelled before the step could finish', { step: step.id, job: step.job });
      break;
    }
    try {
      const outcome = await plugin.execute(step, job, ctx);
      if (outcome.status === 'failed') {
        const err = outcome.error ? wrapPluginError(outcome.error, plugin.name, 'execute', { job: step.job, step: step.id, target: step.target }) : undefined;
        return end('failed', outcome.summary, outcome, [], err);
      }
      const artifactIds = (outcome.artifacts ?? []).map((a) => services.catalog.addArtifact({ ...a, runId, stepId: step.id }));
      return end('succeeded', outcome.summary, outcome, artifactIds);
    } catch (err) {
      lastError = wrapPluginError(err, plugin.name, 'execute', { job: step.job, step: step.id, target: step.target });
      if (!lastError.retryable || attempt === attempts) break;
      const delay = (input.retryDelayMs ?? 1000) * 2 ** (attempt - 1);
      log.warn({ attempt, delay, err: lastError.toJSON() }, `step ${step.id}: retryable error, trying again in ${delay} ms`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
  return end('failed', describeError(lastError), {}, [], lastError);
}
