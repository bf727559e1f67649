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
    lines.push(`  ${decision} ${e.target.padEnd(widths.target)}  ${e.type.padEnd(widths.type)}  ${when}  ${e.artifactId.padEnd(widths.id)}  ${e.location}`);
    for (const r of e.reasons) lines.push(`           - ${r}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `12 kept, 5 to remove` */
export function summarizeEntries(entries: readonly RetentionEntry[]): string {
  const remove = entries.filter((e) => e.decision === 'remove').length;
  return `${entries.length - remove} kept, ${remove} to remove`;
}
