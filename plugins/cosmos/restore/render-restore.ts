import { containerUri } from '../account-name.ts';
import type { CosmosRestorePlan, CosmosRestoreSummary } from './restore-cosmos.ts';

const n = (value: number) => value.toLocaleString('en-US');

function size(bytes: number): string {
  if (bytes >= 1_048_576) return `${(bytes / 1_048_576).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} B`;
}

/** A restore plan for people: what is restored from where into where, step by step. */
export function renderRestorePlan(plan: CosmosRestorePlan): string {
  const s = plan.source;
  const lines = [
    `Restore of ${s.sourceContainer} (export finished ${s.exportedAt}, ${n(s.documentCount)} documents, ${size(s.bytes)})`,
    `  from ${s.storage}:${s.dataKey} (${s.foundIn === 'catalog' ? `catalog artifact ${s.artifactId?.slice(0, 8)}` : `manifest ${s.manifestKey}`})`,
    `  into ${containerUri(plan.target.endpoint, plan.target.database, plan.target.container)} (${plan.target.exists ? 'existing container' : 'new container'})`,
    ...plan.steps.map((step, i) => `  ${i + 1}. ${step}`),
    ...plan.warnings.map((w) => `  warning: ${w}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** The outcome of a restore, after the plan. */
export function renderRestoreSummary(summary: CosmosRestoreSummary): string {
  const d = summary.documents;
  const t = summary.plan.target;
  const lines = [
    `Restored ${n(d.written)} of ${n(d.inExport)} documents into ${t.database}/${t.container} in ${(summary.durationMs / 1000).toFixed(1)} s (${n(Math.round(summary.requestCharge))} RU); ` +
      `count ${n(summary.count.actual)} (expected ${n(summary.count.expected)}): ${summary.count.ok ? 'ok' : 'MISMATCH'}` +
      (summary.ttlApplied !== undefined ? `; defaultTtl ${summary.ttlApplied} applied` : ''),
  ];
  if (d.deadLettered > 0)
    lines.push(
      `${n(d.deadLettered)} document(s) could not be stored; they are in ${summary.deadLetterPath} with their errors`,
    );
  return `${lines.join('\n')}\n`;
}
