import { expect, it } from 'vitest';
import { z } from 'zod';
import type { Job } from '../../src/core/job.ts';
import type { Plugin, PluginContext } from '../../src/plugin/contract.ts';
import { checkPlan, type Plan } from '../../src/core/plan.ts';

/**
 * The shared conformance suite every plugin runs (registers vitest tests in the calling describe block).
 * `fixture()` gives a job of the plugin's kind and a read-only context against a real server the caller started.
 * It checks the contract's promises: naming, documented schemas that publish as JSON Schema, capabilities as
 * booleans, discover/plan read-only and deterministic, step ids unique and owned by the job, secrets masked in
 * every planned command, and a dispose that does not throw.
 */
export function describePluginConformance(
  makePlugin: () => Plugin,
  fixture: () => Promise<{ job: Job; ctx: PluginContext; secretValues?: string[] }>,
): void {
  it('conformance: has a valid name, a version, and kinds with documented strict schemas', () => {
    const p = makePlugin();
    expect(p.name).toMatch(/^[a-z][a-z0-9-]*$/);
    expect(p.version.length).toBeGreaterThan(0);
    expect(p.kinds.length).toBeGreaterThan(0);
    for (const k of p.kinds) {
      expect(k.kind).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(k.description.length).toBeGreaterThan(10);
      const json = z.toJSONSchema(k.schema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as { additionalProperties?: unknown };
      expect(json.additionalProperties === false || JSON.stringify(json).includes('"additionalProperties":false')).toBe(true);
      expect(k.schema.safeParse({ definitelyNotAnOption: 1 }).success).toBe(false);
    }
  });

  it('conformance: declares every capability as a boolean and backup types as strings', () => {
    const c = makePlugin().capabilities;
    for (const key of ['discover', 'backup', 'restore', 'retention'] as const) expect(typeof c[key]).toBe('boolean');
    expect(c.backupTypes.every((t) => typeof t === 'string')).toBe(true);
  });

  it('conformance: discover and plan are deterministic, ids are unique and owned by the job, secrets are masked', async () => {
    const p = makePlugin();
    try {
      const { job, ctx, secretValues = [] } = await fixture();
      const d1 = await p.discover(job, ctx);
      const s1 = await p.plan(job, d1, ctx);
      const d2 = await p.discover(job, ctx);
      const s2 = await p.plan(job, d2, ctx);
      expect(JSON.parse(JSON.stringify(s2))).toEqual(JSON.parse(JSON.stringify(s1)));
      const plan: Plan = { formatVersion: 1, createdAt: '', command: 'plan', jobs: [], steps: s1.steps, notes: s1.notes, retention: [], problems: [] };
      expect(checkPlan(plan)).toEqual([]);
      for (const step of s1.steps) {
        expect(step.job).toBe(job.metadata.name);
        expect(step.plugin).toBe(p.name);
        expect(step.id.startsWith(`${job.metadata.name}/`)).toBe(true);
        expect(step.reason.length).toBeGreaterThan(5);
        expect(() => JSON.stringify(step.params)).not.toThrow();
      }
      const text = JSON.stringify({ d1, s1 });
      for (const secret of secretValues) expect(text).not.toContain(secret);
    } finally {
      await p.dispose?.();
    }
  });

  it('conformance: dispose can be called on an unused plugin without throwing', async () => {
    await expect(Promise.resolve(makePlugin().dispose?.())).resolves.toBeUndefined();
  });
}
