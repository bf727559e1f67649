import { randomUUID } from 'node:crypto';
import { LogCursor, makeLsn, parseLsn } from './lsn.ts';
import type { RecoveryModel, SimDatabase, SimFile, SimFilegroup } from './model.ts';

/** What a new database looks like (scenario files and the simulation API use this). */
export interface DatabaseSpec {
  name: string;
  recoveryModel?: RecoveryModel;
  createDate?: Date;
  /** First LSN of the database's log, decimal text; default 34000000012300001. */
  initialLsn?: string;
  compatibilityLevel?: number;
  /** PRIMARY must be one of them (first or not); names are unique, case-insensitively. */
  filegroups: FilegroupSpec[];
  log: FileSpec;
  system?: boolean;
}

export interface FilegroupSpec {
  name: string;
  /** Made read-only after creation (read_only_lsn recorded), as a DBA would. */
  readOnly?: boolean;
  isDefault?: boolean;
  files: FileSpec[];
}

export interface FileSpec {
  logicalName: string;
  physicalName: string;
  sizeBytes: number;
  /** Bytes in use; default 80% of the size for data files. */
  usedBytes?: number;
}

export const DEFAULT_INITIAL_LSN = '34000000012300001';

export function newGuid(): string {
  return randomUUID().toUpperCase();
}

/**
 * Builds an ONLINE database with all filegroups read-write. Filegroups marked read-only in the
 * spec are returned in `readOnly` for the caller to switch (so their read_only_lsn is real).
 * File ids follow SQL Server: the first PRIMARY file is 1, the log 2, then the others.
 */
export function buildDatabase(
  spec: DatabaseSpec,
  id: number,
  now: Date,
): { db: SimDatabase; readOnly: string[] } {
  const badChar = [...spec.name].some((c) => c.charCodeAt(0) < 32 || c === '[' || c === ']');
  if (spec.name.length === 0 || spec.name.length > 128 || badChar)
    throw new Error(`invalid database name: ${JSON.stringify(spec.name)}`);
  const primary = spec.filegroups.find((fg) => fg.name.toUpperCase() === 'PRIMARY');
  if (!primary) throw new Error(`database ${spec.name}: a PRIMARY filegroup is required`);
  if (primary.files.length === 0) throw new Error(`database ${spec.name}: PRIMARY needs at least one file`);
  if (primary.readOnly) throw new Error(`database ${spec.name}: PRIMARY cannot be read-only`);
  const names = new Set<string>();
  for (const fg of spec.filegroups) {
    const key = fg.name.toLowerCase();
    if (names.has(key)) throw new Error(`database ${spec.name}: filegroup ${fg.name} is listed twice`);
    names.add(key);
  }
  const log = new LogCursor(parseLsn(spec.initialLsn ?? DEFAULT_INITIAL_LSN));
  const createLsn = log.appendRecord();
  const ordered = [primary, ...spec.filegroups.filter((fg) => fg !== primary)];
  const filegroups: SimFilegroup[] = ordered.map((fg, i) => ({
    id: i + 1,
    guid: i === 0 ? '00000000-0000-0000-0000-000000000000' : newGuid(),
    name: i === 0 ? 'PRIMARY' : fg.name,
    isReadOnly: false,
    isDefault: fg.isDefault ?? (i === 0 && !spec.filegroups.some((g) => g.isDefault)),
  }));
  if (filegroups.filter((fg) => fg.isDefault).length > 1)
    throw new Error(`database ${spec.name}: more than one default filegroup`);
  const files: SimFile[] = [];
  const logical = new Set<string>();
  const add = (f: FileSpec, type: 'ROWS' | 'LOG', filegroupId: number | null, fileId: number): void => {
    const key = f.logicalName.toLowerCase();
    if (logical.has(key))
      throw new Error(`database ${spec.name}: logical file name ${f.logicalName} is used twice`);
    logical.add(key);
    if (!(f.sizeBytes > 0)) throw new Error(`database ${spec.name}: file ${f.logicalName} needs a size > 0`);
    const used =
      f.usedBytes ?? (type === 'ROWS' ? Math.round(f.sizeBytes * 0.8) : Math.round(f.sizeBytes * 0.1));
    if (used > f.sizeBytes)
      throw new Error(`database ${spec.name}: file ${f.logicalName} uses more than its size`);
    files.push({
      fileId,
      fileGuid: newGuid(),
      logicalName: f.logicalName,
      physicalName: f.physicalName,
      type,
      filegroupId,
      sizeBytes: f.sizeBytes,
      usedBytes: used,
      state: 'ONLINE',
      createLsn: type === 'ROWS' && fileId === 1 ? 0n : createLsn,
      readOnlyLsn: null,
      readWriteLsn: null,
      diffBase: null,
      changedBytes: used,
      restore: null,
    });
  };
  add(primary.files[0]!, 'ROWS', 1, 1);
  add(spec.log, 'LOG', null, 2);
  let next = 3;
  ordered.forEach((fg, i) => {
    fg.files.forEach((f, j) => {
      if (i === 0 && j === 0) return;
      add(f, 'ROWS', i + 1, next++);
    });
  });
  const checkpoint = log.appendRecord();
  const db: SimDatabase = {
    id,
    name: spec.name,
    guid: newGuid(),
    familyGuid: newGuid(),
    createDate: spec.createDate ?? now,
    recoveryModel: spec.recoveryModel ?? 'FULL',
    state: 'ONLINE',
    isReadOnly: false,
    readWriteLsn: null,
    userAccess: 'MULTI_USER',
    compatibilityLevel: spec.compatibilityLevel ?? 160,
    collation: 'SQL_Latin1_General_CP1_CI_AS',
    system: spec.system ?? false,
    filegroups,
    files,
    log,
    lastCheckpointLsn: checkpoint,
    databaseBackupLsn: 0n,
    logChain: null,
    forkGuid: newGuid(),
    pendingFork: null,
    logBytesSinceLogBackup: 0,
    timeline: [{ lsn: createLsn, time: now }],
    dataBackupRunning: false,
    restoreRunning: false,
    restore: null,
  };
  return { db, readOnly: spec.filegroups.filter((fg) => fg.readOnly).map((fg) => fg.name) };
}

/** master, tempdb, model, msdb with small files in the default data folder. */
export function systemDatabaseSpecs(dataFolder: string): DatabaseSpec[] {
  const mk = (name: string, file: string, logFile: string, model: RecoveryModel): DatabaseSpec => ({
    name,
    recoveryModel: model,
    createDate: new Date('2003-04-08T09:13:36Z'),
    initialLsn: String(makeLsn(12, 16, 1)),
    system: true,
    filegroups: [
      {
        name: 'PRIMARY',
        files: [{ logicalName: file, physicalName: `${dataFolder}\\${file}.mdf`, sizeBytes: 8 * 1048576 }],
      },
    ],
    log: { logicalName: logFile, physicalName: `${dataFolder}\\${logFile}.ldf`, sizeBytes: 2 * 1048576 },
  });
  return [
    mk('master', 'master', 'mastlog', 'SIMPLE'),
    mk('tempdb', 'tempdev', 'templog', 'SIMPLE'),
    mk('model', 'modeldev', 'modellog', 'FULL'),
    mk('msdb', 'MSDBData', 'MSDBLog', 'SIMPLE'),
  ];
}
