/**
 * holdfast's LiteSpeed plugin: SQL Server filegroup, partial, differential, full and log backups through
 * Quest LiteSpeed's extended procedures (or native BACKUP). See docs/litespeed.md.
 *
 *   registry.register(liteSpeedPlugin());                     // kind LiteSpeedBackup
 *   chooseBackups({ now, strategy, schedule, database, ... }); // the pure decision, with reasons
 *   renderScript('litespeed', 'backup', backupView(call, reason, '********'));
 */
export { liteSpeedPlugin, LITESPEED_KIND } from './litespeed-plugin.ts';
export {
  liteSpeedBackupSpecSchema,
  directoriesOf,
  type LiteSpeedBackupSpec,
  type LiteSpeedBackupSpecInput,
  type BackupEngine,
} from './job-spec-schema.ts';
export { validateLiteSpeedSpec } from './validate-job-spec.ts';
export {
  chooseBackups,
  FORCE_TYPES,
  type BackupChoice,
  type ChosenBackup,
  type ChooseBackupsInput,
  type ForceType,
  type BackupKind,
} from './choose-backups.ts';
export {
  whyNoValidBase,
  whyFilegroupNeedsBackup,
  whyNoLogChain,
  currentBase,
  type Strategy,
} from './chain-state.ts';
export { runPreflight, type PreflightInput, type PreflightResult } from './preflight.ts';
export { selectDatabases, selectFilegroups } from './select-databases.ts';
export { checkPathPatterns } from './check-path-patterns.ts';
export {
  renderBackupPaths,
  DEFAULT_DIRECTORY_STRUCTURE,
  DEFAULT_FILE_NAME,
  type MsdbType,
} from './backup-paths.ts';
export { buildBackupCall, describeCall, type BackupCall } from './backup-call.ts';
export { backupView, verifyView, backupScript, backupStatement, verifyStatement } from './backup-views.ts';
export {
  renderScript,
  renderStatement,
  type RenderedStatement,
  type StatementParameter,
} from './render-statements.ts';
export {
  buildArtifact,
  dependenciesOf,
  ARTIFACT_KIND,
  type BackupArtifactMetadata,
} from './backup-artifact.ts';
export type { ServerFacts, DatabaseFacts, FilegroupFacts, HistorySet, ServerInfo } from './server-facts.ts';
