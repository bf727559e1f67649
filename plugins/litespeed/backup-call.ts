import type { BackupPaths, MsdbType } from './backup-paths.ts';
import type { ChosenBackup } from './choose-backups.ts';
import type { BackupEngine, LiteSpeedBackupSpec } from './job-spec-schema.ts';

/**
 * One backup as plain data: everything the templates need to render it and the executor needs to run it
 * (it travels in the plan step's params). The encryption key is not here; execute resolves it again.
 */
export interface BackupCall {
  engine: BackupEngine;
  database: string;
  type: MsdbType;
  filegroup: string | null;
  /** Every stripe, in @filename / DISK order. */
  files: string[];
  /** Folders the files go to (native BACKUP needs them to exist). */
  directories: string[];
  copyOnly: boolean;
  checksum: boolean;
  compressionLevel: number | null;
  adaptiveCompression: 'Speed' | 'Size' | null;
  /** LiteSpeed @cryptlevel; null: not encrypted. */
  cryptLevel: number | null;
  threads: number | null;
  throttle: number | null;
  maxTransferSize: number | null;
  bufferCount: number | null;
  description: string | null;
  init: boolean;
  objectLevelRecoveryMap: boolean;
  verify: boolean;
}

export function isDifferential(type: MsdbType): boolean {
  return type === 'I' || type === 'Q';
}

export function isPartial(type: MsdbType): boolean {
  return type === 'P' || type === 'Q';
}

export function buildBackupCall(
  spec: LiteSpeedBackupSpec,
  database: string,
  chosen: ChosenBackup,
  paths: BackupPaths,
): BackupCall {
  return {
    engine: spec.engine,
    database,
    type: chosen.type,
    filegroup: chosen.filegroup,
    files: paths.files,
    directories: paths.directories,
    copyOnly: chosen.copyOnly && !isDifferential(chosen.type),
    checksum: spec.checksum,
    compressionLevel: spec.compressionLevel ?? null,
    adaptiveCompression: spec.adaptiveCompression ?? null,
    cryptLevel: spec.encryption ? spec.encryption.level : null,
    threads: spec.threads ?? null,
    throttle: spec.throttle ?? null,
    maxTransferSize: spec.maxTransferSize ?? null,
    bufferCount: spec.bufferCount ?? null,
    description: spec.description ?? null,
    init: spec.init,
    objectLevelRecoveryMap: spec.objectLevelRecoveryMap && chosen.type !== 'L' && chosen.type !== 'F',
    verify: spec.verify,
  };
}

/** `partial backup of DW`, `filegroup backup of DW (FG_2019)`... */
export function describeCall(call: Pick<BackupCall, 'type' | 'database' | 'filegroup' | 'copyOnly'>): string {
  const what = {
    D: 'full',
    I: 'differential',
    L: 'log',
    F: 'filegroup',
    P: 'partial',
    Q: 'differential partial',
  }[call.type];
  return `${call.copyOnly ? 'copy-only ' : ''}${what} backup of ${call.database}${call.filegroup ? ` (${call.filegroup})` : ''}`;
}

/** The step action for a backup type: backup-full, backup-partial, backup-filegroup... */
export function actionFor(type: MsdbType): string {
  return {
    D: 'backup-full',
    I: 'backup-differential',
    L: 'backup-log',
    F: 'backup-filegroup',
    P: 'backup-partial',
    Q: 'backup-differential-partial',
  }[type];
}
