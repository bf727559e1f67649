import type { BackupHistory } from '../restore/history-schema.ts';
import { planRestore } from '../restore/plan-restore.ts';
import type { PlanRestoreOptions, PlanRestoreResult, RestoreRequest } from '../restore/restore-plan.ts';

/**
 * The plan `restore plan`, `restore script` and `restore run` show and execute: planRestore itself, so
 * what is shown is what runs. (The first step's MOVE for every file of the database, restored later or
 * left offline, is placed by the planner's step builder.)
 */
export function planServerRestore(
  history: BackupHistory,
  request: RestoreRequest,
  options: PlanRestoreOptions = {},
): PlanRestoreResult {
  return planRestore(history, request, options);
}
