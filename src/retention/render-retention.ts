import type { RetentionEntry } from '../core/plan.ts';

/**
 * Renders retention decisions as a table a DBA reads line by line: one line per artifact (decision, target, type,
 * creation time, id, location) and its reasons indented below. Pure; used by `holdfast retention` and golden files.
 */
export function renderRetentionTable(entries: readonly RetentionEntry[]): string {
  if (entries.length === 0) return '  (no artifacts)\n';
  const widths = {
    target: Math.max(...entries.map((e) => e.target.length)),
    type: Math.max(...entries.map((e) => e.type.length)),
    id: Math.max(...entries.map((e) => e.artifactId.length)),
  };
  const lines: string[] = [];
  for (const e of entries) {
    const decision = e.decision === 'remove' ? 'REMOVE' : 'keep  ';
    const when = e.createdAt.slice(0, 16).replace('T', ' ');
    lines.push(
      `  ${decision} ${e.target.padEnd(widths.target)}  ${e.type.padEnd(widths.type)}  ${when}  ${e.artifactId.padEnd(widths.id)}  ${e.location}`,
    );
    for (const r of e.reasons) lines.push(`           - ${r}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `12 kept, 5 to remove` */
export function summarizeEntries(entries: readonly RetentionEntry[]): string {
  const remove = entries.filter((e) => e.decision === 'remove').length;
  return `${entries.length - remove} kept, ${remove} to remove`;
}

/** The shape of a job's cleanup these renderers need (see cleanup-jobs.ts). */
interface CleanupView {
  job: string;
  plan?: { entries: readonly RetentionEntry[]; problems: readonly string[]; policy: object };
  report?: {
    status: string;
    removed: readonly unknown[];
    bytesRemoved: number;
    kept: number;
    notAttempted: number;
    failure?: { message: string };
  };
  error?: { message: string };
}

/** One line per job: what its cleanup did (for `holdfast run` and `retention apply`). */
export function renderCleanupSummary(c: CleanupView): string {
  if (c.error) return `${c.job}: cleanup FAILED: ${c.error.message}`;
  const r = c.report;
  if (!r) return `${c.job}: ${c.plan ? summarizeEntries(c.plan.entries) : 'no retention policy'}`;
  if (r.status === 'nothing-to-do') return `${c.job}: nothing to remove (${r.kept} kept)`;
  const removed = `removed ${r.removed.length} artifact(s), ${formatBytes(r.bytesRemoved)}, ${r.kept} kept`;
  if (r.status === 'failed') {
    return `${c.job}: cleanup FAILED after it ${removed}: ${r.failure?.message ?? 'unknown error'}; ${r.notAttempted} removal(s) not attempted (the next run finishes the cleanup)`;
  }
  return `${c.job}: ${removed}`;
}

/** The full report: per job, the policy, every decision with its reasons, problems, and (after apply) the outcome. */
export function renderCleanups(cleanups: readonly CleanupView[], header: string): string {
  const out: string[] = [header];
  if (cleanups.length === 0) out.push('', 'No selected job has a retention policy.');
  for (const c of cleanups) {
    out.push('');
    out.push(
      `Job ${c.job}${c.plan ? ` (policy ${JSON.stringify(c.plan.policy)})` : ''}: ${c.plan ? summarizeEntries(c.plan.entries) : 'not planned'}`,
    );
    for (const p of c.plan?.problems ?? []) out.push(`  WARNING: ${p}`);
    if (c.plan) out.push(renderRetentionTable(c.plan.entries).trimEnd());
    if (c.report || c.error) out.push(`  => ${renderCleanupSummary(c)}`);
  }
  return `${out.join('\n')}\n`;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}
