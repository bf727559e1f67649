import type { RestoreRunEvent, RestoreRunResult } from './execute-restore.ts';
import type { DatabaseState } from './read-database-state.ts';

/** One line per progress event, for stderr. */
export function renderRunEvent(e: RestoreRunEvent): string {
  switch (e.kind) {
    case 'step-start':
      return `step ${e.step}/${e.total}: ${e.summary}\n`;
    case 'info':
      return `  ${e.message}\n`;
    case 'step-done':
      return `  step ${e.step} done (${e.ms} ms)\n`;
    case 'step-failed':
      return `  step ${e.step} FAILED: ${e.number === null ? '' : `Msg ${e.number}: `}${e.message}\n`;
  }
}

/** Filegroups grouped by state: "online: PRIMARY, A; recovery pending: B". */
export function describeFilegroups(state: DatabaseState): string[] {
  const by = new Map<string, string[]>();
  for (const fg of state.filegroups) by.set(fg.state, [...(by.get(fg.state) ?? []), fg.name]);
  const label = (s: string) => s.toLowerCase().replaceAll('_', ' ');
  const order = ['ONLINE', 'RESTORING', 'RECOVERY_PENDING', 'OFFLINE', 'DEFUNCT'];
  const keys = [...by.keys()].sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
  return keys.map((k) => `${label(k)}: ${by.get(k)!.join(', ')}`);
}

/** The outcome of a run, for a terminal. */
export function renderRunResult(r: RestoreRunResult, server: string): string {
  const lines: string[] = [];
  const done = r.steps.filter((s) => s.status === 'done').length;
  if (r.failure) {
    const at = r.steps[r.failure.step - 1];
    lines.push(
      `Restore of ${r.database} on ${server} FAILED at step ${r.failure.step} of ${r.steps.length} (${done} done)${at?.backup_set_id ? `, backup set ${at.backup_set_id}` : ''}:`,
    );
    lines.push(`  ${r.failure.number === null ? '' : `Msg ${r.failure.number}: `}${r.failure.message}`);
    for (const e of r.failure.errors.filter((x) => x.message !== r.failure!.message))
      lines.push(`  ${e.number === null ? '' : `Msg ${e.number}: `}${e.message}`);
    const notRun = r.steps.filter((s) => s.status === 'not-run').map((s) => s.step);
    if (notRun.length > 0)
      lines.push(`  not run: step${notRun.length === 1 ? '' : 's'} ${notRun.join(', ')}`);
  } else {
    lines.push(`Restore of ${r.database} on ${server}: ${done} step${done === 1 ? '' : 's'} done`);
  }
  const s = r.state;
  if (!s.exists) lines.push(`Database ${r.database}: does not exist`);
  else {
    lines.push(`Database ${s.database}: ${s.state} (${s.recovery_model})`);
    for (const l of describeFilegroups(s)) lines.push(`  ${l}`);
  }
  for (const p of r.problems) lines.push(`PROBLEM: ${p}`);
  return `${lines.join('\n')}\n`;
}
