import type { Artifact } from '../catalog/contract.ts';
import { ArtifactGraph, describeArtifact, newestFirst } from './artifact-graph.ts';
import { applyKeepRules, explainNotKept } from './keep-rules.ts';
import { hasRules, type KeepRules, type RetentionPolicy } from './schema.ts';

/** One artifact's fate, with every reason that led to it. */
export interface RetentionDecision {
  artifact: Artifact;
  decision: 'keep' | 'remove';
  reasons: string[];
}

export interface SelectRetentionInput {
  /**
   * One job's artifacts from the catalog: `present` and `removing` ones decide; `removed` ones may be passed too
   * (they only explain why something is no longer restorable) and get no decision.
   */
  artifacts: readonly Artifact[];
  policy: RetentionPolicy;
  /** The injected clock's now. */
  now: Date;
}

const MAX_NAMED = 3;

/**
 * Decides, per artifact, keep or remove and why. Pure: the same input gives the same output.
 *
 * 1. An artifact left in `removing` by an interrupted cleanup is removed (finished) first, whatever the policy.
 * 2. Per target, the keep rules (per type where `byType` has rules for it) keep artifacts, each rule naming itself.
 *    A type with no rule at all is kept: a policy only removes what it talks about.
 * 3. The newest restore point of each target and everything it needs is kept (unless
 *    `unsafeAllowRemovingNewestChain`), so a target never loses its last complete chain.
 * 4. Whatever a kept artifact depends on is kept, transitively (a differential's base, the logs before a kept log,
 *    the read-only filegroup backups a partial base lists).
 * Everything else is removed, with the reason each rule did not keep it.
 */
export function selectRetention(input: SelectRetentionInput): RetentionDecision[] {
  const { policy, now } = input;
  const graph = new ArtifactGraph(input.artifacts);
  const present = input.artifacts.filter((a) => a.state === 'present');
  const reasons = new Map<string, string[]>();
  const addReason = (id: string, reason: string) => reasons.set(id, [...(reasons.get(id) ?? []), reason]);
  const kept = new Set<string>();
  const removeWhy = new Map<string, string[]>();

  for (const [target, list] of groupBy(present, (a) => a.target)) {
    for (const [key, group] of groupBy(list, (a) => (policy.byType?.[a.type] ? a.type : '*'))) {
      const rules: KeepRules = key === '*' ? policy : policy.byType![key]!;
      if (!hasRules(rules)) {
        const typed = Object.keys(policy.byType ?? {})
          .sort()
          .join(', ');
        for (const a of group) {
          kept.add(a.id);
          addReason(a.id, `no rule for type ${a.type} (the policy has rules only for ${typed}): kept`);
        }
        continue;
      }
      for (const [id, why] of applyKeepRules(group, rules, now, policy.timezone)) {
        kept.add(id);
        for (const r of why) addReason(id, r);
      }
      for (const a of group) removeWhy.set(a.id, explainNotKept(a, group, rules, now));
    }

    const newest = list.filter((a) => graph.isRestorePoint(a.id)).sort(newestFirst)[0];
    if (newest) {
      const chain = [newest.id, ...graph.closure(newest.id).needs];
      for (const id of chain) {
        if (policy.unsafeAllowRemovingNewestChain) {
          removeWhy.set(id, [
            ...(removeWhy.get(id) ?? []),
            `unsafeAllowRemovingNewestChain: the newest complete restore chain of ${target} is not protected`,
          ]);
          continue;
        }
        kept.add(id);
        addReason(
          id,
          id === newest.id
            ? `newest restore point of ${target}: never removed`
            : `part of the newest complete restore chain of ${target} (to ${describeArtifact(newest, newest.id)})`,
        );
      }
    }
  }

  // Whatever a kept artifact needs is kept, transitively (also past a link that is already gone: what is left
  // of a broken chain is not removed on the strength of the break).
  for (const id of [...kept]) {
    for (const dep of graph.closure(id).needs) if (graph.get(dep)?.state === 'present') kept.add(dep);
  }
  const neededBy = new Map<string, Artifact[]>();
  for (const id of kept) {
    for (const dep of nearestPresent(graph, id))
      neededBy.set(dep, [...(neededBy.get(dep) ?? []), graph.get(id)!]);
  }
  for (const a of present) {
    const by = (neededBy.get(a.id) ?? []).sort(newestFirst);
    if (by.length > 0) addReason(a.id, `needed by ${nameSome(by)}`);
    const missing = graph.closure(a.id).missing;
    if (missing.length > 0) {
      addReason(
        a.id,
        `not restorable: needs ${missing.map((m) => `${describeArtifact(graph.get(m.id), m.id)} (${m.state})`).join(', ')}`,
      );
    }
  }

  const decisions: RetentionDecision[] = [];
  for (const a of input.artifacts) {
    if (a.state === 'removing') {
      const since = a.removedAt ? ` since ${a.removedAt.toISOString()}` : '';
      decisions.push({
        artifact: a,
        decision: 'remove',
        reasons: [`an earlier cleanup was interrupted while removing it${since}: finishing the removal`],
      });
    } else if (a.state === 'present') {
      const why = reasons.get(a.id) ?? [];
      if (kept.has(a.id)) decisions.push({ artifact: a, decision: 'keep', reasons: why });
      else
        decisions.push({
          artifact: a,
          decision: 'remove',
          reasons: [...(removeWhy.get(a.id) ?? []), 'no kept artifact needs it', ...why],
        });
    }
  }
  return decisions.sort((x, y) => compare(x.artifact, y.artifact));
}

/** The present artifacts `id` needs directly, looking through links that are already gone. */
function nearestPresent(graph: ArtifactGraph, id: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const queue = [...(graph.get(id)?.dependsOn ?? [])];
  while (queue.length > 0) {
    const dep = queue.shift()!;
    if (seen.has(dep)) continue;
    seen.add(dep);
    const a = graph.get(dep);
    if (a?.state === 'present') out.push(dep);
    else if (a) queue.push(...a.dependsOn);
  }
  return out;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function nameSome(list: readonly Artifact[]): string {
  const named = list.slice(0, MAX_NAMED).map((a) => describeArtifact(a, a.id));
  return list.length > MAX_NAMED
    ? `${named.join(', ')} and ${list.length - MAX_NAMED} more`
    : named.join(', ');
}

/** Target, then oldest first, then id: the order plans and golden files list decisions in. */
function compare(a: Artifact, b: Artifact): number {
  if (a.target !== b.target) return a.target < b.target ? -1 : 1;
  return a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Counts for summaries: how many kept, how many to remove. */
export function countDecisions(decisions: readonly RetentionDecision[]): { keep: number; remove: number } {
  const remove = decisions.filter((d) => d.decision === 'remove').length;
  return { keep: decisions.length - remove, remove };
}
