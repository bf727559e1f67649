import type { SqlMessage } from '../engine-api.ts';
import type { BackupSetImage } from './backup-set-image.ts';
import { sqlErrors, sqlNotices } from './error-catalog.ts';
import { formatLsn, LogCursor, minLsn, parseLsn, parseOptionalLsn, type Lsn } from './lsn.ts';
import { pages, type SimDatabase } from './model.ts';
import { recover, rollForwardSet } from './recovery.ts';
import type { RestoreRequest, RestoreStepResult } from './restore-request.ts';
import type { ServerModel } from './server-model.ts';

/**
 * RESTORE LOG: rolls the files of the roll-forward set forward through one log backup. The log must
 * contain the point the files are at (4305 when it starts later: a gap; 4326 when it ends before:
 * already applied), be on the same recovery path (4330), and, WITH RECOVERY, leave every file at the
 * same point (4318). STOPAT stops inside the log at the first record logged after the given time
 * (4335 when that point is already behind; when the time is after the log, the database stays
 * RESTORING with 4322).
 */
export function restoreLog(
  server: ServerModel,
  req: RestoreRequest,
  image: BackupSetImage,
  device: string,
): RestoreStepResult {
  if (image.type !== 'L') throw sqlErrors.createdBy(device, 'BACKUP DATABASE');
  if (req.partial) throw sqlErrors.optionsNotSupported('PARTIAL');
  if (req.filegroups.length > 0 || req.readWriteFilegroups) throw sqlErrors.optionsNotSupported('FILEGROUP');
  const db = server.database(req.database);
  if (!db) throw sqlErrors.databaseMissingForRestore(req.database);
  if (db.familyGuid !== image.familyGuid) throw sqlErrors.otherDatabase(db.name);
  const set = rollForwardSet(db).filter((f) => !f.restore!.readOnlyConsistent);
  if (set.length === 0 || !db.restore) throw sqlErrors.noFilesReady();
  if (image.firstRecoveryForkGuid !== db.restore.forkGuid) throw sqlErrors.recoveryPathInconsistent();

  const first = parseLsn(image.firstLsn);
  const last = parseLsn(image.lastLsn);
  const at = minLsn(set.map((f) => f.restore!.redoLsn!))!;
  // A log that spans a recovery fork continues another branch once the data is past its fork point.
  if (image.forkPointLsn !== null && at > parseLsn(image.forkPointLsn))
    throw sqlErrors.recoveryPathInconsistent();
  if (first > at) throw sqlErrors.logTooRecent(formatLsn(first), formatLsn(at));
  if (last <= at) throw sqlErrors.logTooEarly(formatLsn(last), formatLsn(at));

  const stopAt = req.stopAt ?? db.restore.stopAt;
  let target = last;
  let reachedStop = stopAt === null;
  const messages: SqlMessage[] = [];
  if (stopAt !== null) {
    if (db.restore.recoveryModel === 'SIMPLE') throw sqlErrors.stopAtInSimple();
    const stop = stopPoint(image, stopAt);
    if (stop !== null) {
      if (stop < at) throw sqlErrors.stopAtTooEarly();
      target = stop;
      reachedStop = true;
    }
  }
  const wantsRecovery = req.recovery === 'RECOVERY' && reachedStop;
  const online = db.state === 'ONLINE';
  if (wantsRecovery) {
    const after = set.map((f) => (f.restore!.redoLsn! < last ? target : f.restore!.redoLsn!));
    const lowest = minLsn(after)!;
    const highest = after.reduce((a, b) => (a > b ? a : b));
    const needed = online ? db.restore.recoveredAt : null;
    if (lowest !== highest || (needed !== null && lowest < needed)) {
      const behind = set[after.indexOf(lowest)]!;
      throw sqlErrors.logTooEarlyForRecovery(behind.logicalName, formatLsn(lowest), formatLsn(last));
    }
  }

  for (const f of set)
    if (f.restore!.redoLsn! >= first && f.restore!.redoLsn! < last) f.restore!.redoLsn = target;
  if (!online) {
    db.log = new LogCursor(target);
    if (target === last) updateCatalog(db, image);
  }
  if (target === last || (image.forkPointLsn !== null && target >= parseLsn(image.forkPointLsn)))
    db.restore.forkGuid = image.lastRecoveryForkGuid;
  if (stopAt !== null) db.restore.stopAt = stopAt;
  db.restore.lastBackupSetGuid = image.backupSetGuid;

  const logFile = image.files.find((f) => f.fileType === 'L');
  const n = pages(logFile?.backupBytes ?? image.backupSize);
  messages.push(
    sqlNotices.processedPages(n, db.name, logFile?.logicalName ?? `${db.name}_log`, req.position),
  );
  messages.push(
    sqlNotices.successfullyProcessed('RESTORE LOG', n, Math.max(0.001, image.backupSize / 1_000_000_000)),
  );
  if (!reachedStop) messages.push(sqlNotices.pointInTimeNotReached());
  if (req.recovery === 'STANDBY') db.restore.standby = true;
  if (!wantsRecovery) return { messages, restoreType: 'L', recovered: false };
  const outcome = recover(db, server.now());
  return { messages: [...messages, ...outcome.messages], restoreType: 'L', recovered: outcome.recovered };
}

/** The LSN of the first record in the log logged after `stopAt`, or null when the log ends before it. */
function stopPoint(image: BackupSetImage, stopAt: Date): Lsn | null {
  for (const [lsn, time] of image.timeline) {
    if (new Date(time).getTime() > stopAt.getTime()) return parseLsn(lsn);
  }
  if (new Date(image.backupStartDate).getTime() > stopAt.getTime()) return parseLsn(image.lastLsn);
  return null;
}

/** Replaying the log also replays file-state changes: read-only flags and LSNs as of the log's end. */
function updateCatalog(db: SimDatabase, image: BackupSetImage): void {
  for (const g of image.filegroups) {
    const fg = db.filegroups.find((x) => x.id === g.id);
    if (fg) fg.isReadOnly = g.isReadOnly;
  }
  for (const f of image.files) {
    const file = db.files.find((x) => x.fileGuid === f.fileGuid);
    if (!file) continue;
    file.readOnlyLsn = parseOptionalLsn(f.readOnlyLsn);
    file.readWriteLsn = parseOptionalLsn(f.readWriteLsn);
  }
  db.isReadOnly = image.isReadOnlyDatabase;
}
