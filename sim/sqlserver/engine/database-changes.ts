import { newGuid, type FileSpec } from './database-factory.ts';
import type { Lsn } from './lsn.ts';
import { SqlError } from './sql-error.ts';
import {
  dataFiles,
  filegroupByName,
  filesOf,
  type RecoveryModel,
  type SimDatabase,
  type SimFilegroup,
} from './model.ts';

/**
 * Changes to a live database that move its log: data written to a filegroup, filegroups and the
 * database switched read-only/read-write, recovery model changes, new filegroups and files. Used by
 * the simulation API, scenario files and ALTER DATABASE. Each returns the LSN it logged.
 */

const TIMELINE_LIMIT = 20_000;

export function recordTimeline(db: SimDatabase, lsn: Lsn, time: Date): void {
  db.timeline.push({ lsn, time });
  if (db.timeline.length > TIMELINE_LIMIT)
    db.timeline = db.timeline.filter((_, i) => i % 2 === 0 || i === db.timeline.length - 1);
}

export function requireWritable(db: SimDatabase): void {
  if (db.state === 'RESTORING')
    throw new SqlError(927, `Database '${db.name}' cannot be opened. It is in the middle of a restore.`, {
      severity: 14,
    });
  if (db.state !== 'ONLINE')
    throw new SqlError(942, `Database '${db.name}' cannot be opened because it is offline.`, {
      severity: 14,
    });
  if (db.isReadOnly)
    throw new SqlError(3906, `Failed to update database "${db.name}" because the database is read-only.`);
}

function requireFilegroup(db: SimDatabase, name: string): SimFilegroup {
  const fg = filegroupByName(db, name);
  if (!fg) throw new SqlError(3027, `The filegroup "${name}" is not part of database "${db.name}".`);
  return fg;
}

/**
 * Data written to a filegroup: the log grows by `bytes`, the extents touched are marked changed for
 * the next differential (spread over the filegroup's files by size). `grow` adds new data instead
 * of changing existing pages.
 */
export function writeData(db: SimDatabase, filegroup: string, bytes: number, now: Date, grow = false): Lsn {
  requireWritable(db);
  if (!(bytes > 0)) throw new RangeError(`write: bytes must be > 0, got ${bytes}`);
  const fg = requireFilegroup(db, filegroup);
  if (fg.isReadOnly) {
    throw new SqlError(
      652,
      `The index "PK_sim" for table "dbo.sim_data" (RowsetId 72057594038321152) resides on a read-only filegroup ("${fg.name}"), which cannot be modified.`,
    );
  }
  const files = filesOf(db, fg);
  if (files.length === 0)
    throw new SqlError(
      622,
      `The filegroup "${fg.name}" has no files assigned to it. Tables, indexes, text columns, ntext columns, and image columns cannot be populated on this filegroup until a file is added.`,
    );
  const offline = files.find((f) => f.state !== 'ONLINE');
  if (offline)
    throw new SqlError(
      8653,
      `The query processor is unable to produce a plan for the table or view 'sim_data' because the table resides in a filegroup ("${fg.name}") that is not online (file ${offline.logicalName} is ${offline.state}).`,
    );
  const total = files.reduce((s, f) => s + f.sizeBytes, 0);
  for (const f of files) {
    const share = Math.round((bytes * f.sizeBytes) / total);
    if (grow) {
      f.usedBytes += share;
      if (f.usedBytes > f.sizeBytes) f.sizeBytes = Math.ceil(f.usedBytes / 1048576) * 1048576 + 64 * 1048576;
    }
    f.changedBytes = Math.min(f.usedBytes, f.changedBytes + share);
  }
  const lsn = db.log.appendBytes(bytes);
  db.logBytesSinceLogBackup += bytes;
  recordTimeline(db, lsn, now);
  return lsn;
}

/** ALTER DATABASE ... MODIFY FILEGROUP ... READ_ONLY / READ_WRITE. */
export function setFilegroupReadOnly(
  db: SimDatabase,
  filegroup: string,
  readOnly: boolean,
  now: Date,
): Lsn | null {
  requireWritable(db);
  const fg = requireFilegroup(db, filegroup);
  if (fg.id === 1 && readOnly)
    throw new SqlError(5047, 'Cannot change the READONLY property of the PRIMARY filegroup.');
  if (fg.isReadOnly === readOnly) return null;
  if (filesOf(db, fg).length === 0)
    throw new SqlError(
      5050,
      `Cannot change the properties of empty filegroup '${fg.name}'. The filegroup must contain at least one file.`,
    );
  const lsn = db.log.appendRecord();
  fg.isReadOnly = readOnly;
  for (const f of filesOf(db, fg)) {
    if (readOnly) f.readOnlyLsn = lsn;
    else f.readWriteLsn = lsn;
  }
  recordTimeline(db, lsn, now);
  return lsn;
}

/** ALTER DATABASE ... SET READ_ONLY / READ_WRITE. */
export function setDatabaseReadOnly(db: SimDatabase, readOnly: boolean, now: Date): Lsn | null {
  if (db.state !== 'ONLINE') requireWritable(db);
  if (db.isReadOnly === readOnly) return null;
  const lsn = db.log.appendRecord();
  db.isReadOnly = readOnly;
  if (!readOnly) db.readWriteLsn = lsn;
  recordTimeline(db, lsn, now);
  return lsn;
}

/**
 * ALTER DATABASE ... SET RECOVERY. Leaving FULL/BULK_LOGGED for SIMPLE breaks the log chain; from
 * SIMPLE the chain starts again only with the next data backup (until then BACKUP LOG fails 4214).
 */
export function setRecoveryModel(db: SimDatabase, model: RecoveryModel, now: Date): void {
  if (db.state !== 'ONLINE') requireWritable(db);
  if (db.recoveryModel === model) return;
  const wasSimple = db.recoveryModel === 'SIMPLE';
  db.recoveryModel = model;
  const lsn = db.log.appendRecord();
  recordTimeline(db, lsn, now);
  if (model === 'SIMPLE' || wasSimple) db.logChain = null;
}

/** ALTER DATABASE ... ADD FILEGROUP / ADD FILE ... TO FILEGROUP. */
export function addFilegroup(db: SimDatabase, name: string, now: Date): SimFilegroup {
  requireWritable(db);
  if (filegroupByName(db, name))
    throw new SqlError(1921, `Invalid filegroup '${name}' specified. Filegroup already exists.`);
  const fg: SimFilegroup = {
    id: Math.max(...db.filegroups.map((g) => g.id)) + 1,
    guid: newGuid(),
    name,
    isReadOnly: false,
    isDefault: false,
  };
  db.filegroups.push(fg);
  recordTimeline(db, db.log.appendRecord(), now);
  return fg;
}

export function addFile(db: SimDatabase, filegroup: string, spec: FileSpec, now: Date): void {
  requireWritable(db);
  const fg = requireFilegroup(db, filegroup);
  if (fg.isReadOnly)
    throw new SqlError(
      5055,
      `Cannot add, remove, or modify file '${spec.logicalName}'. The file is read-only.`,
    );
  if (db.files.some((f) => f.logicalName.toLowerCase() === spec.logicalName.toLowerCase())) {
    throw new SqlError(
      1828,
      `The logical file name "${spec.logicalName}" is already in use. Choose a different name.`,
    );
  }
  const lsn = db.log.appendRecord();
  const used = spec.usedBytes ?? 0;
  db.files.push({
    fileId: Math.max(...db.files.map((f) => f.fileId)) + 1,
    fileGuid: newGuid(),
    logicalName: spec.logicalName,
    physicalName: spec.physicalName,
    type: 'ROWS',
    filegroupId: fg.id,
    sizeBytes: spec.sizeBytes,
    usedBytes: used,
    state: 'ONLINE',
    createLsn: lsn,
    readOnlyLsn: null,
    readWriteLsn: null,
    diffBase: null,
    changedBytes: used,
    restore: null,
  });
  recordTimeline(db, lsn, now);
}

/**
 * ALTER DATABASE ... SET OFFLINE / ONLINE, or a database that failed to start (RECOVERY_PENDING,
 * e.g. a missing log file). Not for databases in a restore sequence.
 */
export function setDatabaseState(db: SimDatabase, state: 'ONLINE' | 'OFFLINE' | 'RECOVERY_PENDING'): void {
  if (db.system) throw new SqlError(5058, `Option 'OFFLINE' cannot be set in database '${db.name}'.`);
  if (db.state === 'RESTORING')
    throw new SqlError(5052, `ALTER DATABASE is not permitted while a database is in the Restoring state.`);
  db.state = state;
}

/** ALTER DATABASE ... MODIFY FILE (NAME = x, OFFLINE): only a restore brings the file back. */
export function setFileOffline(db: SimDatabase, logicalName: string, now: Date): Lsn {
  requireWritable(db);
  const f = db.files.find((x) => x.logicalName.toLowerCase() === logicalName.toLowerCase());
  if (!f) throw new SqlError(5041, `MODIFY FILE failed. File '${logicalName}' does not exist.`);
  if (f.type === 'LOG' || f.filegroupId === 1)
    throw new SqlError(5077, `Cannot change the state of non-data files or files in the primary filegroup.`);
  f.state = 'OFFLINE';
  const lsn = db.log.appendRecord();
  recordTimeline(db, lsn, now);
  return lsn;
}

/** A checkpoint record (BACKUP takes one first). */
export function checkpoint(db: SimDatabase, now: Date): Lsn {
  const lsn = db.log.appendRecord();
  db.lastCheckpointLsn = lsn;
  recordTimeline(db, lsn, now);
  return lsn;
}

export function usedDataBytes(db: SimDatabase): number {
  return dataFiles(db).reduce((s, f) => s + f.usedBytes, 0);
}
