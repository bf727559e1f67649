/**
 * The restore plan: plain data, serialisable as is. Produced by planRestore, rendered as text, Markdown,
 * JSON and DBA scripts, and later executed step by step.
 */

/** What to restore. */
export interface RestoreRequest {
  /** The database whose backups the history describes. */
  database: string;
  /** Point in time (STOPAT). Absent: the latest point the history reaches. */
  stopAt?: Date;
  /**
   * Restore only these filegroups plus what is required (PRIMARY always; in SIMPLE every read-write
   * filegroup). Absent: every filegroup.
   */
  filegroups?: string[];
  /**
   * FULL/BULK_LOGGED piecemeal only: the read-write filegroups to bring online in the first stage with
   * PRIMARY. Every other read-write filegroup gets a later stage of its own, replaying the log chain
   * again. Absent: all read-write filegroups in the first stage. Ignored (with a warning) under SIMPLE,
   * where every read-write filegroup must come back in the first stage.
   */
  firstStage?: string[];
  /** Restore under a new database name. */
  as?: string;
  /** Relocate every file to this directory (DIR\<file name of its physical_name>). */
  moveDataTo?: string;
  /** Relocate single files by logical name; wins over moveDataTo. */
  move?: { logical: string; path: string }[];
}

export interface PlanRestoreOptions {
  /** Plan on this recovery fork instead of the latest one. */
  recoveryForkGuid?: string;
  /** Use backup sets flagged is_damaged (the restore may need CONTINUE_AFTER_ERROR). A warning names them. */
  unsafeAllowDamaged?: boolean;
  /** Use backup sets flagged has_incomplete_metadata (tail-log backups of a damaged database). */
  unsafeAllowIncompleteMetadata?: boolean;
}

export type RestoreStepKind = 'database' | 'log' | 'filegroup' | 'recover';

export interface RestoreMove {
  logical: string;
  physical: string;
}

export interface RestoreStep {
  /** 1-based. Stage 1 brings the database online; each later stage brings more filegroups online. */
  stage: number;
  kind: RestoreStepKind;
  /** null for a recover-only step. */
  backup_set_id: number | null;
  /** Filegroups the step restores (for `database` steps of a whole restore: every filegroup in the backup). */
  filegroups: string[];
  /** WITH PARTIAL: only the first step of a piecemeal restore. */
  partial: boolean;
  /** WITH RECOVERY (true) or NORECOVERY (false). Convention: the last step of every stage recovers. */
  recovery: boolean;
  /** STOPAT, as the server's local wall-clock time with its UTC offset; null when not a point-in-time restore. */
  stop_at: string | null;
  /** Devices to read, one per media family of a single mirror, in family order. */
  files: string[];
  /** backupset.position: LiteSpeed @filenumber, native FILE =. null for recover-only. */
  position: number | null;
  /** backupmediafamily.device_type of the chosen mirror (2 disk, 5 tape, 7 virtual device, 9 URL). */
  device_type: number | null;
  move: RestoreMove[];
  reason: string;
}

export interface RestoreTarget {
  /** The database name restored to (request.as or the original). */
  database: string;
  /** The requested point in time (UTC), or null for the latest. */
  stop_at: string | null;
  /**
   * last_lsn of the last backup applied. Latest: the point the database reaches. Point in time: the
   * database stops at stop_at, inside that backup.
   */
  reaches_lsn: string;
  /** When that backup finished. */
  reaches_time: string;
  /** Recovery fork of the last backup applied (an ancestor of the latest fork for a point before a fork). */
  recovery_fork_guid: string;
  filegroups_online: string[];
  /** Filegroups that stay offline, each with the reason. */
  filegroups_offline: { name: string; reason: string }[];
}

export interface RestorePlan {
  database_name: string;
  target: RestoreTarget;
  steps: RestoreStep[];
  warnings: string[];
}

/** Rules a failure can name. Documented in docs/history-file.md. */
export type RestoreRule =
  | 'unknown-database'
  | 'invalid-request'
  | 'unknown-filegroup'
  | 'unknown-logical-file'
  | 'move-collision'
  | 'recovery-fork'
  | 'no-base'
  | 'stopat-before-base'
  | 'stopat-after-last-log'
  | 'log-gap'
  | 'damaged-backup'
  | 'incomplete-metadata'
  | 'missing-media'
  | 'differential-base'
  | 'read-only-filegroup'
  | 'filegroup-source'
  | 'unreachable-target'
  | 'internal';

export interface RestoreRejection {
  rule: RestoreRule;
  message: string;
  backup_set_id: number | null;
  filegroup: string | null;
  /** For a gap: the missing LSN range [from, to) ("to" null: no later log backup exists). */
  lsn_range: { from: string; to: string | null } | null;
}

/** Nothing valid reaches the request: the rule, the backup and the filegroup concerned, and what was tried. */
export interface RestoreFailure extends RestoreRejection {
  database_name: string;
  target: { database: string; stop_at: string | null };
  /** Each base that was tried and why it could not be used, newest first. */
  rejected: { backup_set_id: number; reason: string }[];
  warnings: string[];
}

export type PlanRestoreResult = { ok: true; plan: RestorePlan } | { ok: false; failure: RestoreFailure };
