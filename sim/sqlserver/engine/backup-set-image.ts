import type { RecoveryModel } from './model.ts';

/**
 * Everything a backup set carries about itself, stored (JSON) inside every family of the backup
 * files and copied into msdb. Restore works from this image only, never from msdb, as SQL Server
 * does. LSNs and dates are strings (decimal LSNs, ISO dates) so the image is plain JSON.
 */
export type BackupType = 'D' | 'I' | 'L' | 'F' | 'G' | 'P' | 'Q';

export type BackupFormat = 'litespeed' | 'native';

export interface ImageFilegroup {
  id: number;
  guid: string;
  name: string;
  isReadOnly: boolean;
  isDefault: boolean;
}

export interface ImageFile {
  fileId: number;
  fileGuid: string;
  logicalName: string;
  physicalName: string;
  /** D data, L log (backupfile.file_type). */
  fileType: 'D' | 'L';
  filegroupId: number | null;
  filegroupName: string | null;
  filegroupGuid: string | null;
  sizeBytes: number;
  usedBytes: number;
  /** Bytes of this file the backup holds (0 when not present). */
  backupBytes: number;
  isPresent: boolean;
  /** The file's filegroup was read-only when the backup was taken. */
  isReadOnly: boolean;
  state: string;
  createLsn: string;
  readOnlyLsn: string | null;
  readWriteLsn: string | null;
  /** Differentials only: the base this file's changes are relative to (guid null: file added after the base). */
  differentialBaseLsn: string | null;
  differentialBaseGuid: string | null;
}

export interface BackupSetImage {
  format: BackupFormat;
  backupSetGuid: string;
  type: BackupType;
  isCopyOnly: boolean;
  name: string | null;
  description: string | null;
  databaseName: string;
  databaseGuid: string;
  familyGuid: string;
  databaseCreationDate: string;
  recoveryModel: RecoveryModel;
  compatibilityLevel: number;
  collation: string;
  /** The database was read-only (backupset.is_readonly). */
  isReadOnlyDatabase: boolean;
  firstLsn: string;
  lastLsn: string;
  checkpointLsn: string;
  databaseBackupLsn: string;
  differentialBaseLsn: string | null;
  differentialBaseGuid: string | null;
  firstRecoveryForkGuid: string;
  lastRecoveryForkGuid: string;
  forkPointLsn: string | null;
  beginsLogChain: boolean;
  hasIncompleteMetadata: boolean;
  isDamaged: boolean;
  hasChecksums: boolean;
  backupStartDate: string;
  backupFinishDate: string;
  /** EXPIREDATE / RETAINDAYS, @expiration / @retaindays; null when not set. */
  expirationDate: string | null;
  backupSize: number;
  compressedBackupSize: number;
  serverName: string;
  machineName: string;
  userName: string;
  softwareVersion: { major: number; minor: number; build: number };
  filegroups: ImageFilegroup[];
  files: ImageFile[];
  /** Log backups: (LSN, ISO time) points of the records they hold, for STOPAT. */
  timeline: Array<[string, string]>;
}

/** RESTORE HEADERONLY's BackupType codes. */
export function headerBackupType(type: BackupType): number {
  return { D: 1, L: 2, F: 4, I: 5, G: 6, P: 7, Q: 8 }[type];
}

export function backupTypeDescription(type: BackupType): string {
  return {
    D: 'Database',
    I: 'Database Differential',
    L: 'Transaction Log',
    F: 'File or filegroup',
    G: 'Differential File',
    P: 'Partial',
    Q: 'Differential partial',
  }[type];
}

export function isDifferential(type: BackupType): boolean {
  return type === 'I' || type === 'G' || type === 'Q';
}

export function isDataBackup(type: BackupType): boolean {
  return type !== 'L';
}
