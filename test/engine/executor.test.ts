import { describe, expect, it } from 'vitest';
import { openCatalog } from '../../src/catalog/sqlite-catalog.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { ErrorCode, HoldfastError } from '../../src/core/errors.ts';
import type { Plan, PlanStep } from '../../src/core/plan.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { executePlan } from '../../src/engine/executor.ts';
import { EngineEventBus } from '../../src/engine/events.ts';
import type { LoadedManifest } from '../../src/config/load-manifests.ts';
import type { Plugin, StepOutcome } from '../../src/plugin/contract.ts';
import { PluginRegistry } from '../../src/plugin/registry.ts';
import { z } from 'zod';

/** A plugin whose execute behaviour is scripted per step id, recording order and overlap. */
function scriptedPlugin(script: Record<string, (attempt: number) => Promise<StepOutcome>>) {
  const log: string[] = [];
  let running = 0;
  let maxRunning = 0;
  const attempts = new Map<string, number>();
  const plugin: Plugin = {
    name: 'scripted',
    version: '0',
    capabilities: { discover: false, backup: true, restore: false, retention: false, backupTypes: [] },
    kinds: [{ kind: 'Scripted', description: 'test', schema: z.object({}) }],
    discover: async () => ({ targets: [], notes: [] }),
    plan: async () => ({ steps: [], notes: [] }),
    async execute(step) {
      const n = (attempts.get(step.id) ?? 0) + 1;
      attempts.set(step.id, n);
      running++;
      maxRunning = Math.max(maxRunning, running);
      log.push(`start ${step.id}`);
      try {
        return await script[step.id]!(n);
      } finally {
        running--;
        log.push(`end ${step.id}`);
      }
    },
  };
  return { plugin, log, attempts, maxRunning: () => maxRunning };
}

const job: LoadedManifest = {
  apiVersion: 'holdfast/v1', kind: 'Scripted', metadata: { name: 'j', labels: {} }, spec: {}, source: { file: 'x.yaml', line: 1, column: 1 }, baseDir: '/',
  locate: () => ({ file: 'x.yaml', line: 1, column: 1 }),
};

function step(id: string, over: Partial<PlanStep> = {}): PlanStep {
  return { id, job: 'j', plugin: 'scripted', target: `t/${id}`, action: 'do', command: `do ${id}`, reason: 'test', dependsOn: [], params: {}, ...over };
}

function plan(steps: PlanStep[], problems: Plan['problems'] = []): Plan {
  return { formatVersion: 1, createdAt: '2026-03-01T00:00:00.000Z', command: 'run', jobs: [{ name: 'j', kind: 'Scripted', plugin: 'scripted', file: 'x.yaml', targets: [] }], steps, notes: [], retention: [], problems };
}

const ok = (summary = 'done'): Promise<StepOutcome> => Promise.resolve({ status: 'succeeded', summary, artifacts: [] });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function services() {
  return { clock: new ManualClock('2026-03-01T00:00:00Z'), logger: silentLogger(), resolveSecret: async () => { throw new Error('no secrets'); }, storage: () => { throw new Error('no storage'); }, catalog: openCatalog(':memory:'), signal: new AbortController().signal };
}

describe('executor', () => {
  it('runs dependencies first, skips dependants of a failure with the reason, and records everything', async () => {
    const s = scriptedPlugin({
      a: () => ok(),
      b: () => Promise.reject(new HoldfastError(ErrorCode.ServerError, 'Msg 60601: could not write')),
      c: () => ok(),
      d: () => ok(),
    });
    const registry = new PluginRegistry().register(s.plugin);
    const svc = services();
    const events = new EngineEventBus();
    const seen: string[] = [];
    events.on('step:end', ({ result }) => seen.push(`${result.stepId}:${result.status}`));
    const result = await executePlan({
      plan: plan([step('a'), step('b', { dependsOn: ['a'] }), step('c', { dependsOn: ['b'] }), step('d', { dependsOn: ['a'] })]),
      manifests: [job], registry, services: svc, options: { dryRun: false }, events, retries: 0,
    });
    expect(result.status).toBe('partly-failed');
    expect(result.steps.map((r) => r.status)).toEqual(['succeeded', 'failed', 'not-executed', 'succeeded']);
    expect(result.steps[1]!.error).toMatchObject({ code: 'SERVER_ERROR', plugin: 'scripted', hook: 'execute', step: 'b' });
    expect(result.steps[1]!.summary).toContain('plugin scripted (execute): Msg 60601: could not write');
    expect(result.steps[2]!.skippedBecause).toBe('step b failed');
    expect(s.log.indexOf('end a')).toBeLessThan(s.log.indexOf('start b'));
    expect(seen.sort()).toEqual(['a:succeeded', 'b:failed', 'c:not-executed', 'd:succeeded']);
    const steps = svc.catalog.listSteps(result.runId);
    expect(steps.map((x) => `${x.stepId}:${x.status}`).sort()).toEqual(['a:succeeded', 'b:failed', 'c:not-executed', 'd:succeeded']);
    expect(svc.catalog.listRuns()[0]!.status).toBe('partly-failed');
  });

  it('holds concurrency groups and the global limit', async () => {
    const slow = () => sleep(30).then(() => ok());
    const ids = ['g1', 'g2', 'g3', 'g4'];
    const s = scriptedPlugin(Object.fromEntries(ids.map((id) => [id, slow])));
    const registry = new PluginRegistry().register(s.plugin);
    await executePlan({ plan: plan(ids.map((id) => step(id, { concurrency: { group: 'sqlserver:sql01', limit: 1 } }))), manifests: [job], registry, services: services(), options: { dryRun: false } });
    expect(s.maxRunning()).toBe(1);
    const t = scriptedPlugin(Object.fromEntries(ids.map((id) => [id, slow])));
    await executePlan({ plan: plan(ids.map((id) => step(id))), manifests: [job], registry: new PluginRegistry().register(t.plugin), services: services(), options: { dryRun: false }, concurrency: 2 });
    expect(t.maxRunning()).toBe(2);
  });

  it('retries retryable errors only, then records artifacts of the success', async () => {
    const s = scriptedPlugin({
      flaky: (n) => (n < 3 ? Promise.reject(new HoldfastError(ErrorCode.ServerError, 'connection reset', { retryable: true })) : Promise.resolve({
        status: 'succeeded', summary: 'third time', artifacts: [{ job: 'j', plugin: 'scripted', target: 't', kind: 'k', type: 'full', storage: 's', locations: ['x'], bytes: 1, createdAt: new Date(), dependsOn: [], metadata: {} }],
      })),
      permanent: () => Promise.reject(new HoldfastError(ErrorCode.ServerError, 'no such database')),
    });
    const svc = services();
    const result = await executePlan({ plan: plan([step('flaky'), step('permanent')]), manifests: [job], registry: new PluginRegistry().register(s.plugin), services: svc, options: { dryRun: false }, retries: 2, retryDelayMs: 1 });
    expect(s.attempts.get('flaky')).toBe(3);
    expect(s.attempts.get('permanent')).toBe(1);
    expect(result.steps[0]!.artifactIds).toHaveLength(1);
    expect(svc.catalog.getArtifact(result.steps[0]!.artifactIds[0]!)).toMatchObject({ runId: result.runId, stepId: 'flaky' });
  });

  it('marks what has not started as not-executed when cancelled', async () => {
    const controller = new AbortController();
    const s = scriptedPlugin({ first: () => sleep(20).then(() => { controller.abort(); return ok(); }), second: () => ok() });
    const svc = { ...services(), signal: controller.signal };
    const result = await executePlan({ plan: plan([step('first'), step('second', { dependsOn: ['first'] })]), manifests: [job], registry: new PluginRegistry().register(s.plugin), services: svc, options: { dryRun: false } });
    expect(result.steps.map((r) => r.status)).toEqual(['succeeded', 'not-executed']);
    expect(result.steps[1]!.skippedBecause).toBe('the run was cancelled');
  });

  it('a plan with unplannable jobs cannot succeed', async () => {
    const s = scriptedPlugin({ a: () => ok() });
    const r = await executePlan({ plan: plan([step('a')], [{ job: 'k', plugin: 'x', hook: 'discover', message: 'unreachable', code: 'SERVER_ERROR' }]), manifests: [job], registry: new PluginRegistry().register(s.plugin), services: services(), options: { dryRun: false } });
    expect(r.status).toBe('partly-failed');
  });
});

describe('plugin registry', () => {
  it('refuses duplicate plugins and kinds claimed twice', () => {
    const a = scriptedPlugin({}).plugin;
    const registry = new PluginRegistry([{ kind: 'Storage', description: '', schema: z.object({}) }]).register(a);
    expect(() => registry.register(a)).toThrow(/already registered/);
    expect(() => registry.register({ ...a, name: 'other' })).toThrow(/kind Scripted is already handled by plugin scripted/);
    expect(() => registry.register({ ...a, name: 'third', kinds: [{ kind: 'Storage', description: '', schema: z.object({}) }] })).toThrow(/holdfast itself/);
  });
});

describe('executor secret masking', () => {
  it('masks every secret the step resolved in its summary, error and catalog record', async () => {
    const { Secret } = await import('../../src/core/secret.ts');
    const plugin: Plugin = {
      name: 'echoing', version: '0', capabilities: { discover: false, backup: true, restore: false, retention: false, backupTypes: [] },
      kinds: [{ kind: 'Scripted', description: 'test', schema: z.object({}) }],
      discover: async () => ({ targets: [], notes: [] }), plan: async () => ({ steps: [], notes: [] }),
      async execute(_step, _job, ctx) {
        const key = await ctx.resolveSecret({ secretRef: 'env:KEY' });
        // a server that echoes the key it was sent back into its error
        throw new HoldfastError(ErrorCode.ServerError, `Msg 60602: wrong key '${key.reveal()}' for the backup file`);
      },
    };
    const svc = { ...services(), resolveSecret: async () => new Secret('hunter2-key-value', 'env:KEY') };
    const result = await executePlan({ plan: plan([step('x', { plugin: 'echoing' })]), manifests: [job], registry: new PluginRegistry().register(plugin), services: svc, options: { dryRun: false }, retries: 0 });
    const text = JSON.stringify(result) + JSON.stringify(svc.catalog.listSteps(result.runId));
    expect(text).toContain("wrong key '********'");
    expect(text).not.toContain('hunter2-key-value');
  });
});
