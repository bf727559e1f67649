import type { SqlMessage } from '../engine-api.ts';
import type { BackupType } from './backup-set-image.ts';
import { sqlErrors, sqlNotices } from './error-catalog.ts';
import type { Lsn } from './lsn.ts';
import { SqlError } from './sql-error.ts';
import {
  dataFiles,
  filegroupById,
  filegroupByName,
  filesOf,
  isPrimary,
  isReadWrite,
  type SimDatabase,
  type SimFile,
} from './model.ts';

/** What the client asked to back up (LiteSpeed parameters and native BACKUP map onto this). */
export interface BackupSelection {
  kind: 'database' | 'log';
  filegroups: string[];
  /** Logical file names (FILE = / @file). */
  files: string[];
  readWriteFilegroups: boolean;
  differential: boolean;
  copyOnly: boolean;
}

export interface BackupContent {
  type: BackupType;
  copyOnly: boolean;
  /** Data files in the backup (none for a log backup). */
  files: SimFile[];
  /** The single differential base (differentials only); null for multi-based or non-differentials. */
  base: { lsn: Lsn; guid: string } | null;
  notices: SqlMessage[];
}

/**
 * Decides the backup type (D I L F G P Q) and the files it contains, refusing what SQL Server
 * refuses: file backups of PRIMARY or read-write data in SIMPLE, differentials without a base or
 * on several bases where that is not allowed, offline files, BACKUP LOG in SIMPLE or without a
 * current database backup.
 */
export function selectBackupContent(
  db: SimDatabase,
  selection: BackupSelection,
  strictSimple: boolean,
): BackupContent {
  if (selection.kind === 'log') {
    if (db.recoveryModel === 'SIMPLE') throw sqlErrors.logInSimple();
    if (db.logChain === null) throw sqlErrors.noCurrentDatabaseBackup();
    if (selection.filegroups.length > 0 || selection.files.length > 0 || selection.readWriteFilegroups)
      throw sqlErrors.optionsNotSupported('FILEGROUP');
    return { type: 'L', copyOnly: selection.copyOnly, files: [], base: null, notices: [] };
  }
  const notices: SqlMessage[] = [];
  const simple = db.recoveryModel === 'SIMPLE';
  const named = namedFiles(db, selection);
  let type: BackupType;
  let files: SimFile[];
  if (selection.readWriteFilegroups) {
    type = selection.differential ? 'Q' : 'P';
    files = dataFiles(db).filter((f) => {
      const fg = filegroupById(db, f.filegroupId)!;
      return isPrimary(fg) || isReadWrite(db, fg) || named.includes(f);
    });
  } else if (named.length > 0) {
    type = selection.differential ? 'G' : 'F';
    files = named;
    if (simple) {
      for (const f of files) {
        const fg = filegroupById(db, f.filegroupId)!;
        if (isPrimary(fg))
          throw selection.differential
            ? sqlErrors.readWriteFileDifferentialInSimple()
            : sqlErrors.primaryFileBackupInSimple();
        if (isReadWrite(db, fg)) {
          if (selection.differential) throw sqlErrors.readWriteFileDifferentialInSimple();
          if (strictSimple) throw sqlErrors.readWriteFileBackupInSimple(fg.name);
          notices.push({ ...sqlErrors.readWriteFileBackupInSimple(fg.name).toMessage(), severity: 10 });
        }
      }
    }
  } else {
    type = selection.differential ? 'I' : 'D';
    files = dataFiles(db);
  }
  if (files.length === 0) throw sqlErrors.noFilesSelected();
  for (const f of files) {
    if (f.state !== 'ONLINE')
      throw sqlErrors.fileNotOnline(filegroupById(db, f.filegroupId)?.name ?? f.logicalName, f.state);
  }
  const copyOnly = selection.copyOnly && !selection.differential;
  if (!selection.differential) return { type, copyOnly, files, base: null, notices };

  if (type === 'Q') files = withBasePartialFilegroups(db, files, notices);
  const base = differentialBase(db, type, files, simple, notices);
  return { type, copyOnly: false, files, base, notices };
}

function namedFiles(db: SimDatabase, selection: BackupSelection): SimFile[] {
  const out: SimFile[] = [];
  for (const name of selection.filegroups) {
    const fg = filegroupByName(db, name);
    if (!fg) throw sqlErrors.filegroupMissing(name, db.name);
    for (const f of filesOf(db, fg)) if (!out.includes(f)) out.push(f);
  }
  for (const name of selection.files) {
    const f = db.files.find((x) => x.logicalName.toLowerCase() === name.toLowerCase());
    if (!f)
      throw new SqlError(
        3235,
        `The file "${name}" is not part of database "${db.name}". You can only list files that are members of this database.`,
      );
    if (f.type === 'LOG') throw sqlErrors.optionsNotSupported('FILE (log file)');
    if (!out.includes(f)) out.push(f);
  }
  return out;
}

/**
 * A differential partial also carries filegroups that were read-write (so in the base partial) and
 * are read-only now, with SQL Server's warning 3005.
 */
function withBasePartialFilegroups(db: SimDatabase, files: SimFile[], notices: SqlMessage[]): SimFile[] {
  const primary = files.find((f) => f.filegroupId === 1);
  const baseGuid = primary?.diffBase?.guid;
  if (!baseGuid) return files;
  const extra = dataFiles(db).filter(
    (f) => !files.includes(f) && f.diffBase?.guid === baseGuid && f.state === 'ONLINE',
  );
  const warned = new Set<number>();
  for (const f of extra) {
    if (f.filegroupId !== null && !warned.has(f.filegroupId)) {
      warned.add(f.filegroupId);
      notices.push(sqlNotices.partialIncludesReadOnly(filegroupById(db, f.filegroupId)!.name));
    }
  }
  return [...files, ...extra];
}

function differentialBase(
  db: SimDatabase,
  type: BackupType,
  files: SimFile[],
  simple: boolean,
  notices: SqlMessage[],
): { lsn: Lsn; guid: string } | null {
  const bases = new Map<string, Lsn>();
  for (const f of files) {
    if (f.diffBase) bases.set(f.diffBase.guid, f.diffBase.lsn);
    else if (type === 'G') throw sqlErrors.noFileDifferentialBase(f.logicalName);
  }
  if (bases.size === 0) throw sqlErrors.noDifferentialBase(db.name);
  // A file without a base that existed before the base backups (never backed up) is a base of its
  // own kind; only files created after the base may ride along in full.
  const oldest = [...bases.values()].reduce((a, b) => (a < b ? a : b));
  if (files.some((f) => f.diffBase === null && f.createLsn <= oldest)) bases.set('(no base)', 0n);
  if (type === 'Q') {
    const primaryBase = files.find((f) => f.filegroupId === 1)?.diffBase;
    if (!primaryBase) throw sqlErrors.noDifferentialBase(db.name);
    if (db.readWriteLsn !== null && db.readWriteLsn > primaryBase.lsn)
      throw sqlErrors.noDifferentialBase(db.name);
  }
  if (bases.size > 1) {
    if (simple || type === 'Q') throw sqlErrors.multiBasedDifferential();
    notices.push(sqlNotices.multiBasedWarning());
    return null;
  }
  const [guid, lsn] = [...bases.entries()][0]!;
  return { guid, lsn };
}
