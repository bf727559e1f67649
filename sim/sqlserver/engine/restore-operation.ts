import type { ReadBackupSet } from './media-reader.ts';
import { readBackupSet } from './media-reader.ts';
import { sqlErrors, sqlNotices } from './error-catalog.ts';
import { filegroupByName, filesOf, type SimDatabase } from './model.ts';
import { abortable, delay } from './operation-support.ts';
import { recover, rollForwardSet } from './recovery.ts';
import { restoreData } from './restore-data.ts';
import { restoreLog } from './restore-log.ts';
import type { RestoreRequest, RestoreStepResult } from './restore-request.ts';
import type { ServerModel } from './server-model.ts';
import { SqlError } from './sql-error.ts';
import type { MediaDescription } from './msdb.ts';

/**
 * Runs one RESTORE step (LiteSpeed's xp_restore_database/xp_restore_log or native RESTORE): reads
 * the backup set from its files, applies it under SQL Server's rules, and records the backup set
 * and a restorehistory row in msdb. Without files it is the recovery-only form.
 */
export async function performRestore(
  server: ServerModel,
  req: RestoreRequest,
  signal: AbortSignal,
): Promise<RestoreStepResult> {
  const faults = server.faults.onCall(req.operation, req.database);
  if (faults.error)
    throw new SqlError(faults.error.number, faults.error.message, { severity: faults.error.severity ?? 16 });
  if (req.database.toLowerCase() === 'tempdb') throw sqlErrors.tempdb();
  if (req.devices.length === 0) {
    if (req.kind === 'log')
      throw new SqlError(
        3207,
        'Backup or restore requires at least one backup device. Rerun your statement specifying a backup device.',
      );
    return recoverOnly(server, req);
  }
  const read = await readBackupSet(server.paths, {
    reader: req.format,
    devices: req.devices,
    position: req.position,
    key: req.key,
    corruptFirst: faults.corruptBeforeRead,
  });
  const existing = server.database(req.database);
  if (existing?.restoreRunning) throw sqlErrors.exclusiveAccess();
  if (existing) existing.restoreRunning = true;
  try {
    await abortable(delay(faults.delayMs, signal), signal);
  } finally {
    if (existing) existing.restoreRunning = false;
  }
  if (read.image.isDamaged && !req.continueAfterError) throw sqlErrors.damagedBackupSet();
  const step =
    req.kind === 'log'
      ? restoreLog(server, req, read.image, req.devices[0]!)
      : restoreData(server, req, read.image, req.devices[0]!);
  recordHistory(server, req, read, step);
  return read.image.isDamaged
    ? { ...step, messages: [...step.messages, sqlNotices.restoredDamaged()] }
    : step;
}

function recordHistory(
  server: ServerModel,
  req: RestoreRequest,
  read: ReadBackupSet,
  step: RestoreStepResult,
): void {
  const format = read.image.format;
  const media: MediaDescription = {
    mediaSetGuid: read.descriptor.mediaSetGuid,
    familyCount: read.descriptor.familyCount,
    mirrorCount: read.descriptor.mirrorCount,
    softwareName: format === 'litespeed' ? 'LiteSpeed for SQL Server' : 'Microsoft SQL Server',
    deviceType: format === 'litespeed' ? 7 : 2,
    isCompressed: read.descriptor.compressionLevel > 0,
    isEncrypted: read.descriptor.encryption !== null,
    devices: read.families.map((f) => ({
      family: f.family,
      mirror: f.mirror,
      physicalName: f.device,
      mediaFamilyGuid: f.mediaFamilyGuid,
    })),
  };
  const row = server.msdb.recordBackupSet(read.image, media, read.descriptor.position);
  server.msdb.recordRestore({
    restore_date: server.now(),
    destination_database_name: req.database,
    user_name: req.userName,
    backup_set_id: row.backup_set_id,
    restore_type: step.restoreType,
    replace: req.replace,
    recovery: req.recovery === 'RECOVERY',
    restart: false,
    stop_at: req.stopAt,
    device_count: req.devices.length,
    stop_at_mark_name: null,
    stop_before: false,
  });
}

/** `RESTORE DATABASE db WITH RECOVERY` and the "Recover Data Only" form with FILEGROUP/FILE =. */
function recoverOnly(server: ServerModel, req: RestoreRequest): RestoreStepResult {
  const db = server.requireDatabase(req.database);
  if (req.recovery !== 'RECOVERY') throw sqlErrors.optionsNotSupported(req.recovery);
  if (req.filegroups.length > 0 || req.files.length > 0) return recoverDataOnly(db, req);
  if (db.state === 'ONLINE' && rollForwardSet(db).length === 0) throw sqlErrors.alreadyRecovered();
  const outcome = recover(db, server.now());
  if (!outcome.recovered) throw outcome.error;
  return { messages: outcome.messages, restoreType: 'D', recovered: true };
}

function recoverDataOnly(db: SimDatabase, req: RestoreRequest): RestoreStepResult {
  if (db.state !== 'ONLINE') throw sqlErrors.recoverOnlyContext();
  const files = [];
  for (const name of req.filegroups) {
    const fg = filegroupByName(db, name);
    if (!fg) throw sqlErrors.filegroupMissing(name, db.name);
    if (fg.id === 1) throw sqlErrors.recoverOnlyContext();
    for (const f of filesOf(db, fg)) {
      if (f.state === 'DEFUNCT') throw sqlErrors.filegroupDefunct(fg.name);
      if (f.state !== 'RECOVERY_PENDING' && f.state !== 'OFFLINE') throw sqlErrors.recoverOnlyState(fg.name);
      files.push(f);
    }
  }
  for (const name of req.files) {
    const f = db.files.find((x) => x.logicalName.toLowerCase() === name.toLowerCase());
    if (!f) throw sqlErrors.logicalFileUnknown(name, db.name);
    if (f.state !== 'RECOVERY_PENDING' && f.state !== 'OFFLINE') throw sqlErrors.recoverOnlyState(name);
    files.push(f);
  }
  for (const f of files)
    if (!f.restore?.intactOnDisk) throw sqlErrors.notConsistentForTransition(f.logicalName);
  for (const f of files) {
    f.state = 'ONLINE';
    f.restore = null;
  }
  if (!db.files.some((f) => f.state === 'RESTORING' || f.state === 'RECOVERY_PENDING')) db.restore = null;
  return { messages: [], restoreType: 'G', recovered: true };
}
