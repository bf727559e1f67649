/**
 * holdfast's SQL Server restore-chain planner: backup history in, a reviewable plan and a DBA script out.
 *
 *   const history = await loadHistoryFile('dw-history.json');        // or parseHistory(json)
 *   const result = planRestore(history, { database: 'DW', stopAt });  // pure
 *   if (!result.ok) exit(restoreFailureExitCode(result.failure), renderRestoreFailure(result.failure, 'text'));
 *   renderRestorePlan(result.plan, 'markdown');
 *   renderRestoreScript(result.plan, { engine: 'litespeed', encryptionKey });
 */
export { loadHistoryFile, parseHistory, formatHistoryProblem, type HistoryProblem } from './load-history.ts';
export type {
  BackupHistory,
  BackupHistoryInput,
  BackupSet,
  BackupFile,
  BackupMedia,
  BackupType,
  FilegroupState,
  RecoveryModel,
} from './history-schema.ts';
export { backupHistorySchema } from './history-schema.ts';
export { planRestore, restoreFailureExitCode, restoreFailureToError } from './plan-restore.ts';
export type {
  PlanRestoreOptions,
  PlanRestoreResult,
  RestoreFailure,
  RestoreMove,
  RestorePlan,
  RestoreRejection,
  RestoreRequest,
  RestoreRule,
  RestoreStep,
  RestoreStepKind,
  RestoreTarget,
} from './restore-plan.ts';
export { renderRestorePlan, renderRestoreFailure, type RestorePlanFormat } from './render-restore-plan.ts';
export {
  renderRestoreScript,
  type RenderRestoreScriptOptions,
  type RestoreScriptEngine,
} from './render-restore-script.ts';
