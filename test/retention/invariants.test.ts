import { describe, expect, it } from 'vitest';
import type { Artifact } from '../../src/catalog/contract.ts';
import { ArtifactGraph } from '../../src/retention/artifact-graph.ts';
import { retentionPolicySchema, type RetentionPolicyInput } from '../../src/retention/schema.ts';
import { selectRetention } from '../../src/retention/select-retention.ts';
import { cosmosHistory, fullDiffLogHistory, HistoryBuilder, partialHistory } from './histories.ts';

/** mulberry32: a small seeded generator, so a failing seed can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const DAY = 86_400_000;

function randomCase(seed: number): { artifacts: Artifact[]; policy: RetentionPolicyInput; now: Date } {
  const r = random(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const start = new Date(Date.UTC(2026, 0, int(1, 28)));
  const days = int(1, 60);
  const b = new HistoryBuilder();
  const shape = int(0, 2);
  if (shape === 0) {
    const ro = [0, ...Array.from({ length: int(0, 3) }, () => int(1, days))];
    partialHistory(
      {
        target: 'sql01/DW',
        start,
        days,
        readOnlyBackups: ro,
        baseWeekday: int(0, 6),
        logEveryHours: [0, 6, 8, 12][int(0, 3)]!,
      },
      b,
    );
  } else if (shape === 1) {
    fullDiffLogHistory(
      { target: 'sql01/Sales', start, days, fullWeekday: int(0, 6), logEveryHours: [6, 12][int(0, 1)]! },
      b,
    );
  } else {
    cosmosHistory({ containers: ['a/x', 'a/y'], start, days, skipDays: [int(0, days), int(0, days)] }, b);
  }
  // Some damage: an interrupted removal, an artifact removed by hand.
  for (const a of b.artifacts) {
    const roll = r();
    if (roll < 0.03) a.state = 'removing';
    else if (roll < 0.06) a.state = 'removed';
  }
  const rules = (): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const k of ['keepDays', 'keepLast', 'keepDaily', 'keepWeekly', 'keepMonthly'])
      if (r() < 0.35) out[k] = int(1, 12);
    if (Object.keys(out).length === 0) out.keepLast = int(1, 5);
    return out;
  };
  const policy: RetentionPolicyInput = { ...rules() };
  if (r() < 0.4) policy.byType = { L: rules(), ...(r() < 0.5 ? { P: rules() } : {}) };
  return { artifacts: b.artifacts, policy, now: new Date(start.getTime() + days * DAY + int(0, 40) * DAY) };
}

describe('retention invariants over generated histories', () => {
  for (let seed = 1; seed <= 300; seed++) {
    it(`seed ${seed}`, () => {
      const c = randomCase(seed);
      const policy = retentionPolicySchema.parse(c.policy);
      const decisions = selectRetention({ artifacts: c.artifacts, policy, now: c.now });
      const byId = new Map(decisions.map((d) => [d.artifact.id, d]));
      const graph = new ArtifactGraph(c.artifacts);

      // Every present or removing artifact gets exactly one decision, with at least one reason; removed ones none.
      expect(decisions.length).toBe(c.artifacts.filter((a) => a.state !== 'removed').length);
      for (const d of decisions) expect(d.reasons.length).toBeGreaterThan(0);

      // An interrupted removal is always finished.
      for (const a of c.artifacts.filter((x) => x.state === 'removing'))
        expect(byId.get(a.id)!.decision).toBe('remove');

      // Nothing a kept artifact needs is removed.
      for (const d of decisions.filter((x) => x.decision === 'keep')) {
        for (const dep of graph.closure(d.artifact.id).needs) {
          const depDecision = byId.get(dep);
          if (depDecision && depDecision.artifact.state === 'present')
            expect(depDecision.decision, `${d.artifact.id} needs ${dep}`).toBe('keep');
        }
      }

      // The newest restore point of each target and its whole chain are kept.
      const targets = new Set(c.artifacts.map((a) => a.target));
      for (const t of targets) {
        const points = c.artifacts
          .filter((a) => a.target === t && graph.isRestorePoint(a.id))
          .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
        if (points.length === 0) continue;
        for (const id of [points[0]!.id, ...graph.closure(points[0]!.id).needs])
          expect(byId.get(id)!.decision, `${t} newest chain ${id}`).toBe('keep');
      }

      // The same input gives the same decisions, in any input order.
      const again = selectRetention({ artifacts: [...c.artifacts].reverse(), policy, now: c.now });
      expect(again).toEqual(decisions);
    });
  }
});
