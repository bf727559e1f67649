import type { LogCursor, Lsn } from './lsn.ts';

/** The simulated server's databases, filegroups and files: plain data mutated by the operations. */

export type RecoveryModel = 'SIMPLE' | 'FULL' | 'BULK_LOGGED';
export type DatabaseState = 'ONLINE' | 'RESTORING' | 'RECOVERY_PENDING' | 'OFFLINE';
export type FileState = 'ONLINE' | 'RESTORING' | 'RECOVERY_PENDING' | 'OFFLINE' | 'DEFUNCT';

export const RECOVERY_MODELS: readonly RecoveryModel[] = ['SIMPLE', 'FULL', 'BULK_LOGGED'];

/** The differential base of a file: the data backup whose changes a differential is relative to. */
export interface DiffBase {
  lsn: Lsn;
  guid: string;
  time: Date;
}

export interface SimFilegroup {
  /** data_space_id; PRIMARY is 1. */
  id: number;
  guid: string;
  name: string;
  isReadOnly: boolean;
  isDefault: boolean;
}

export interface SimFile {
  fileId: number;
  fileGuid: string;
  logicalName: string;
  physicalName: string;
  type: 'ROWS' | 'LOG';
  /** null for the log file. */
  filegroupId: number | null;
  sizeBytes: number;
  /** Pages in use (a backup copies these). */
  usedBytes: number;
  state: FileState;
  createLsn: Lsn;
  /** Most recent read-write → read-only change of the file's filegroup. */
  readOnlyLsn: Lsn | null;
  /** Most recent read-only → read-write change of the file's filegroup. */
  readWriteLsn: Lsn | null;
  diffBase: DiffBase | null;
  /** Bytes of extents changed since the differential base (what a differential copies). */
  changedBytes: number;
  /** Pages with bad checksums (simulation API damageFile): BACKUP WITH CHECKSUM detects them (3043). */
  damaged?: boolean;
  restore: FileRestoreState | null;
}

/** Restore bookkeeping for one file while a restore sequence runs. */
export interface FileRestoreState {
  /** Not restored yet in this sequence (piecemeal): becomes RECOVERY_PENDING or DEFUNCT at recovery. */
  pending: boolean;
  /** The point the file's data has been rolled forward to. */
  redoLsn: Lsn | null;
  /** A read-only file consistent with the database: needs no roll forward. */
  readOnlyConsistent: boolean;
  /**
   * The file on disk from before the restore is read-only and consistent with the restored database,
   * so `RESTORE DATABASE ... FILEGROUP = ... WITH RECOVERY` (no FROM) can bring it online.
   */
  intactOnDisk: boolean;
}

/** A restore sequence in progress (or finished stage 1 with filegroups still to come). */
export interface RestoreSequence {
  startedAt: Date;
  /** Started WITH PARTIAL (piecemeal). */
  piecemeal: boolean;
  /** Recovery model recorded in the backup that started the sequence. */
  recoveryModel: RecoveryModel;
  /** The recovery fork the restored data is on. */
  forkGuid: string;
  /** The database went into RESTORING through BACKUP LOG WITH NORECOVERY (nothing restored yet). */
  tailOnly: boolean;
  stopAt: Date | null;
  /** Where stage 1 recovered; later piecemeal stages must roll forward to it. */
  recoveredAt: Lsn | null;
  /** RESTORE ... WITH STANDBY was used (readable, more logs may follow). */
  standby: boolean;
  /** The backup set (uuid) restored last, for restorehistory. */
  lastBackupSetGuid: string | null;
}

export interface LogChain {
  /** last_lsn of the previous log backup: where the next log backup starts. */
  lastLsn: Lsn;
  /** The next log backup is the first of the chain (begins_log_chain). */
  beginsNext: boolean;
}

export interface SimDatabase {
  id: number;
  name: string;
  /** database_guid: new for every restore. */
  guid: string;
  /** family_guid: survives restores. */
  familyGuid: string;
  createDate: Date;
  recoveryModel: RecoveryModel;
  state: DatabaseState;
  isReadOnly: boolean;
  /** LSN of the most recent read-only → read-write change of the database. */
  readWriteLsn: Lsn | null;
  userAccess: 'MULTI_USER' | 'SINGLE_USER' | 'RESTRICTED_USER';
  compatibilityLevel: number;
  collation: string;
  system: boolean;
  filegroups: SimFilegroup[];
  files: SimFile[];
  log: LogCursor;
  lastCheckpointLsn: Lsn;
  /** checkpoint_lsn of the most recent non-copy-only full (or partial) backup; 0 when none. */
  databaseBackupLsn: Lsn;
  /** null: no log chain (SIMPLE, or FULL before its first data backup). */
  logChain: LogChain | null;
  forkGuid: string;
  /** Set after a restore WITH RECOVERY: the next log backup spans this fork. */
  pendingFork: { fromGuid: string; forkPointLsn: Lsn } | null;
  logBytesSinceLogBackup: number;
  /** (LSN, time) of log records since the last log backup, for STOPAT. */
  timeline: TimelinePoint[];
  /** A data backup is running (BACKUP DATABASE operations serialize per database). */
  dataBackupRunning: boolean;
  restoreRunning: boolean;
  restore: RestoreSequence | null;
}

export interface TimelinePoint {
  lsn: Lsn;
  time: Date;
}

export function filegroupById(db: SimDatabase, id: number | null): SimFilegroup | undefined {
  return id === null ? undefined : db.filegroups.find((fg) => fg.id === id);
}

export function filegroupByName(db: SimDatabase, name: string): SimFilegroup | undefined {
  const lower = name.toLowerCase();
  return db.filegroups.find((fg) => fg.name.toLowerCase() === lower);
}

export function filesOf(db: SimDatabase, filegroup: SimFilegroup): SimFile[] {
  return db.files.filter((f) => f.filegroupId === filegroup.id);
}

export function dataFiles(db: SimDatabase): SimFile[] {
  return db.files.filter((f) => f.type === 'ROWS');
}

export function logFiles(db: SimDatabase): SimFile[] {
  return db.files.filter((f) => f.type === 'LOG');
}

export function isPrimary(fg: SimFilegroup | undefined): boolean {
  return fg?.id === 1;
}

/** A filegroup is read-write for backups when neither it nor the database is read-only. */
export function isReadWrite(db: SimDatabase, fg: SimFilegroup): boolean {
  return !fg.isReadOnly && !db.isReadOnly;
}

/** A filegroup is online when all its files are (SQL Server derives the filegroup's state this way). */
export function filegroupState(db: SimDatabase, fg: SimFilegroup): FileState {
  const states = filesOf(db, fg).map((f) => f.state);
  for (const s of ['DEFUNCT', 'OFFLINE', 'RECOVERY_PENDING', 'RESTORING'] as const)
    if (states.includes(s)) return s;
  return 'ONLINE';
}

/** Size in 8 KB pages, as sys.database_files.size reports it. */
export function pages(bytes: number): number {
  return Math.ceil(bytes / 8192);
}
