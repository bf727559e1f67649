import type { BackupHistory } from '../restore/history-schema.ts';
import { planRestore } from '../restore/plan-restore.ts';
import { FileRelocation } from '../restore/relocate-files.ts';
import type {
  PlanRestoreOptions,
  PlanRestoreResult,
  RestorePlan,
  RestoreRequest,
} from '../restore/restore-plan.ts';

/**
 * planRestore, plus one thing a server needs beyond the chain rules: the first data step of a restore
 * creates the database with every file its backup lists, including the files of filegroups restored in
 * later stages or left offline, and SQL Server checks all of those paths then (Msg 1834 when one is used
 * by another database: the usual case when restoring under a new name on the same server). So when the
 * request relocates files, the first step carries a MOVE for every file of its backup set. `restore plan`,
 * `restore script` and `restore run` all go through here, so what is shown is what runs.
 */
export function planServerRestore(
  history: BackupHistory,
  request: RestoreRequest,
  options: PlanRestoreOptions = {},
): PlanRestoreResult {
  const result = planRestore(history, request, options);
  if (!result.ok) return result;
  return { ok: true, plan: placeEveryFileAtFirstStep(result.plan, history, request) };
}

export function placeEveryFileAtFirstStep(
  plan: RestorePlan,
  history: BackupHistory,
  request: RestoreRequest,
): RestorePlan {
  const first = plan.steps[0];
  if (!first || first.kind !== 'database' || first.backup_set_id === null) return plan;
  const base = history.backupsets.find((s) => s.backup_set_id === first.backup_set_id);
  if (!base) return plan;
  const relocation = new FileRelocation(request, history.database_name);
  const later = new Map<string, string>();
  for (const step of plan.steps.slice(1))
    for (const m of step.move)
      if (!later.has(m.logical.toLowerCase())) later.set(m.logical.toLowerCase(), m.physical);
  const have = new Set(first.move.map((m) => m.logical.toLowerCase()));
  const added: { logical: string; physical: string }[] = [];
  for (const f of base.files) {
    const key = f.logical_name.toLowerCase();
    if (have.has(key)) continue;
    const physical = later.get(key) ?? relocation.target(f);
    if (physical === null) continue;
    have.add(key);
    added.push({ logical: f.logical_name, physical });
  }
  if (added.length === 0) return plan;
  const note = `MOVE also for ${added.map((m) => m.logical).join(', ')} (restored later or left offline): the first restore places every file of the database`;
  return {
    ...plan,
    steps: [
      { ...first, move: [...first.move, ...added], reason: `${first.reason}; ${note}` },
      ...plan.steps.slice(1),
    ],
  };
}
