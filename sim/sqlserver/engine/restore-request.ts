import type { SqlMessage } from '../engine-api.ts';
import type { BackupFormat } from './backup-set-image.ts';

/** A RESTORE, as LiteSpeed parameters or native T-SQL describe it. */
export interface RestoreRequest {
  /** Who reads the files: LiteSpeed's xp_restore_* or native RESTORE. */
  format: BackupFormat;
  /** The call's name for faults (`xp_restore_database`, `RESTORE LOG`...). */
  operation: string;
  kind: 'database' | 'log';
  database: string;
  /** Empty: recovery only (`RESTORE DATABASE db [FILEGROUP = ...] WITH RECOVERY`). */
  devices: string[];
  /** Backup set position (FILE = n / @filenumber). */
  position: number;
  key: string | null;
  filegroups: string[];
  files: string[];
  readWriteFilegroups: boolean;
  partial: boolean;
  recovery: 'RECOVERY' | 'NORECOVERY' | 'STANDBY';
  replace: boolean;
  moves: Array<{ logical: string; physical: string }>;
  stopAt: Date | null;
  statsPercent: number;
  /** CONTINUE_AFTER_ERROR: restore a backup set marked is_damaged. */
  continueAfterError: boolean;
  userName: string;
}

export interface RestoreStepResult {
  messages: SqlMessage[];
  /** For restorehistory: D database, F file, G filegroup, I differential, L log. */
  restoreType: 'D' | 'F' | 'G' | 'I' | 'L';
  recovered: boolean;
}
