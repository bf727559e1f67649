import type { SqlMessage } from '../engine-api.ts';
import { isDifferential, type BackupSetImage, type ImageFile } from './backup-set-image.ts';
import { sqlErrors, sqlNotices } from './error-catalog.ts';
import { formatLsn, LogCursor, parseLsn, parseOptionalLsn } from './lsn.ts';
import { pages, type SimDatabase, type SimFile } from './model.ts';
import type { RestoreRequest, RestoreStepResult } from './restore-request.ts';
import { recover, rollForwardSet } from './recovery.ts';
import type { ServerModel } from './server-model.ts';
import { SqlError } from './sql-error.ts';
import { newGuid } from './database-factory.ts';

/**
 * RESTORE DATABASE from a data backup: starts a restore sequence (full restore, or WITH PARTIAL /
 * READ_WRITE_FILEGROUPS / from a partial backup: piecemeal), restores files or filegroups into a
 * sequence or an online database (later piecemeal stages), or applies a differential.
 */
export function restoreData(
  server: ServerModel,
  req: RestoreRequest,
  image: BackupSetImage,
  device: string,
): RestoreStepResult {
  if (image.type === 'L') throw sqlErrors.createdBy(device, 'BACKUP LOG');
  if (isDifferential(image.type)) return restoreDifferential(server, req, image);
  const startsSequence =
    req.partial ||
    req.readWriteFilegroups ||
    (req.filegroups.length === 0 && req.files.length === 0 && image.type !== 'F');
  return startsSequence
    ? startSequence(server, req, image, device)
    : restoreFiles(server, req, image, device);
}

function startSequence(
  server: ServerModel,
  req: RestoreRequest,
  image: BackupSetImage,
  device: string,
): RestoreStepResult {
  const existing = server.database(req.database);
  const dataFiles = image.files.filter((f) => f.fileType === 'D');
  const primary = dataFiles.filter((f) => f.filegroupId === 1);
  if (!primary.every((f) => f.isPresent))
    throw req.partial ? sqlErrors.partialNotInitiated() : sqlErrors.databaseMissingForRestore(req.database);
  if (existing) checkOverwrite(existing, req, image);

  const piecemeal = req.partial || req.readWriteFilegroups || image.type === 'P' || image.type === 'F';
  const selected = new Set<ImageFile>(
    piecemeal ? [...primary, ...namedFiles(image, req, device)] : dataFiles,
  );
  if (piecemeal && req.readWriteFilegroups) {
    const rw = new Set(
      image.filegroups.filter((g) => !g.isReadOnly && !image.isReadOnlyDatabase).map((g) => g.id),
    );
    for (const f of dataFiles)
      if (f.isPresent && f.filegroupId !== null && rw.has(f.filegroupId)) selected.add(f);
  }
  if (
    piecemeal &&
    image.type !== 'D' &&
    req.filegroups.length === 0 &&
    req.files.length === 0 &&
    !req.readWriteFilegroups
  ) {
    for (const f of dataFiles) if (f.isPresent) selected.add(f);
  }
  const missing = [...selected].find((f) => !f.isPresent);
  if (missing) throw sqlErrors.fileNotInBackup(missing.logicalName, req.position, device);

  const physical = placeFiles(server, req, image, existing);
  const now = server.now();
  const last = parseLsn(image.lastLsn);
  const checkpointLsn = parseLsn(image.checkpointLsn);
  const startsBase = !image.isCopyOnly && (image.type === 'D' || image.type === 'P');
  const db: SimDatabase = {
    id: existing?.id ?? server.allocateDatabaseId(),
    name: existing?.name ?? req.database,
    guid: newGuid(),
    familyGuid: image.familyGuid,
    createDate: now,
    recoveryModel: image.recoveryModel,
    state: 'RESTORING',
    isReadOnly: image.isReadOnlyDatabase,
    readWriteLsn: null,
    userAccess: 'MULTI_USER',
    compatibilityLevel: image.compatibilityLevel,
    collation: image.collation,
    system: false,
    filegroups: image.filegroups.map((g) => ({ ...g })),
    files: image.files.map((f) => {
      const chosen = selected.has(f) || f.fileType === 'L';
      const file = fileFromImage(
        f,
        physical.get(f.logicalName.toLowerCase())!,
        chosen ? 'restored' : 'pending',
        image,
      );
      if (!chosen && existing)
        file.restore!.intactOnDisk = intactOnDisk(existing, f, file.physicalName, image);
      return file;
    }),
    log: new LogCursor(last),
    lastCheckpointLsn: checkpointLsn,
    databaseBackupLsn: startsBase ? checkpointLsn : parseLsn(image.databaseBackupLsn),
    logChain: null,
    forkGuid: image.lastRecoveryForkGuid,
    pendingFork: null,
    logBytesSinceLogBackup: 0,
    timeline: [],
    dataBackupRunning: false,
    restoreRunning: false,
    restore: {
      startedAt: now,
      piecemeal,
      recoveryModel: image.recoveryModel,
      forkGuid: image.lastRecoveryForkGuid,
      tailOnly: false,
      stopAt: req.stopAt,
      recoveredAt: null,
      standby: false,
      lastBackupSetGuid: image.backupSetGuid,
    },
  };
  server.install(db);
  const messages = processed(image, req, [...selected]);
  const restoreType = req.filegroups.length > 0 ? 'G' : req.files.length > 0 ? 'F' : 'D';
  return finish(db, req, messages, restoreType, now);
}

/** Overwriting an existing database: same family unless REPLACE, and no unsaved log tail (3159). */
function checkOverwrite(existing: SimDatabase, req: RestoreRequest, image: BackupSetImage): void {
  if (existing.system)
    throw new SqlError(
      3108,
      'To restore the master database, the server must be running in single-user mode. For information on starting in single-user mode, see "How to: Start an Instance of SQL Server (sqlservr.exe)" in Books Online.',
    );
  if (existing.dataBackupRunning) throw sqlErrors.exclusiveAccess();
  if (req.replace) return;
  if (existing.familyGuid !== image.familyGuid) throw sqlErrors.otherDatabase(existing.name);
  const tail =
    existing.state === 'ONLINE' &&
    existing.recoveryModel !== 'SIMPLE' &&
    existing.logChain !== null &&
    existing.log.next > existing.logChain.lastLsn;
  if (tail && req.stopAt === null) throw sqlErrors.tailNotBackedUp(existing.name);
}

function namedFiles(image: BackupSetImage, req: RestoreRequest, device: string): ImageFile[] {
  const data = image.files.filter((f) => f.fileType === 'D');
  const out: ImageFile[] = [];
  for (const name of req.filegroups) {
    const fg = image.filegroups.find((g) => g.name.toLowerCase() === name.toLowerCase());
    if (!fg) throw sqlErrors.filegroupNotInBackup(name);
    for (const f of data.filter((x) => x.filegroupId === fg.id)) {
      if (!f.isPresent) throw sqlErrors.fileNotInBackup(f.logicalName, req.position, device);
      if (!out.includes(f)) out.push(f);
    }
  }
  for (const name of req.files) {
    const f = data.find((x) => x.logicalName.toLowerCase() === name.toLowerCase());
    if (!f) throw sqlErrors.logicalFileUnknown(name, image.databaseName);
    if (!f.isPresent) throw sqlErrors.fileNotInBackup(f.logicalName, req.position, device);
    if (!out.includes(f)) out.push(f);
  }
  return out;
}

/** Physical names after MOVE, checked against each other and the server's other databases. */
function placeFiles(
  server: ServerModel,
  req: RestoreRequest,
  image: BackupSetImage,
  existing: SimDatabase | undefined,
): Map<string, string> {
  const moves = new Map<string, string>();
  for (const m of req.moves) {
    const key = m.logical.toLowerCase();
    if (!image.files.some((f) => f.logicalName.toLowerCase() === key))
      throw sqlErrors.logicalFileUnknown(m.logical, image.databaseName);
    if (moves.has(key)) throw sqlErrors.conflictingMove(m.logical);
    moves.set(key, m.physical);
  }
  const out = new Map<string, string>();
  const claimed = new Map<string, string>();
  for (const f of image.files) {
    const path = moves.get(f.logicalName.toLowerCase()) ?? f.physicalName;
    const other = claimed.get(path.toLowerCase());
    if (other) throw sqlErrors.fileClaimedTwice(path, other, f.logicalName);
    claimed.set(path.toLowerCase(), f.logicalName);
    const owner = server.ownerOfPhysicalName(path, existing);
    if (owner) {
      throw new SqlError(
        1834,
        `The file '${path}' cannot be overwritten.  It is being used by database '${owner.name}'.`,
        {
          following: [sqlErrors.cannotRestoreTo(f.logicalName, path).toMessage()],
        },
      );
    }
    out.set(f.logicalName.toLowerCase(), path);
  }
  return out;
}

function fileFromImage(
  f: ImageFile,
  physicalName: string,
  how: 'restored' | 'pending',
  image: BackupSetImage,
): SimFile {
  const restored = how === 'restored';
  return {
    fileId: f.fileId,
    fileGuid: f.fileGuid,
    logicalName: f.logicalName,
    physicalName,
    type: f.fileType === 'L' ? 'LOG' : 'ROWS',
    filegroupId: f.filegroupId,
    sizeBytes: f.sizeBytes,
    usedBytes: f.usedBytes,
    state: 'RESTORING',
    createLsn: parseLsn(f.createLsn),
    readOnlyLsn: parseOptionalLsn(f.readOnlyLsn),
    readWriteLsn: parseOptionalLsn(f.readWriteLsn),
    diffBase:
      restored && f.fileType === 'D'
        ? {
            lsn: parseLsn(image.checkpointLsn),
            guid: image.backupSetGuid,
            time: new Date(image.backupStartDate),
          }
        : null,
    changedBytes: 0,
    restore: {
      pending: !restored,
      redoLsn: restored ? parseLsn(image.lastLsn) : null,
      readOnlyConsistent: false,
      intactOnDisk: false,
    },
  };
}

/** A read-only file left on disk by the database being overwritten is still good for this database. */
function intactOnDisk(
  existing: SimDatabase,
  f: ImageFile,
  physicalName: string,
  image: BackupSetImage,
): boolean {
  if (existing.familyGuid !== image.familyGuid || !f.isReadOnly || f.readOnlyLsn === null) return false;
  const old = existing.files.find((x) => x.fileGuid === f.fileGuid);
  if (!old || old.physicalName.toLowerCase() !== physicalName.toLowerCase()) return false;
  const fg = existing.filegroups.find((g) => g.id === old.filegroupId);
  return (
    (old.state === 'ONLINE' || old.state === 'RECOVERY_PENDING') &&
    fg?.isReadOnly === true &&
    formatLsn(old.readOnlyLsn) === f.readOnlyLsn
  );
}

/** RESTORE DATABASE ... FILEGROUP/FILE = ... into a database in a restore sequence or online (later stage). */
function restoreFiles(
  server: ServerModel,
  req: RestoreRequest,
  image: BackupSetImage,
  device: string,
): RestoreStepResult {
  const db = server.database(req.database);
  if (!db) throw sqlErrors.databaseMissingForRestore(req.database);
  if (db.familyGuid !== image.familyGuid) throw sqlErrors.otherDatabase(db.name);
  const named =
    req.filegroups.length + req.files.length > 0
      ? namedFiles(image, req, device)
      : image.files.filter((f) => f.fileType === 'D' && f.isPresent);
  const simple = (db.restore?.recoveryModel ?? db.recoveryModel) === 'SIMPLE';
  const moves = new Map(req.moves.map((m) => [m.logical.toLowerCase(), m.physical]));
  for (const m of req.moves) {
    if (!image.files.some((f) => f.logicalName.toLowerCase() === m.logical.toLowerCase()))
      throw sqlErrors.logicalFileUnknown(m.logical, image.databaseName);
  }
  const plan: Array<{ file: SimFile; from: ImageFile; consistent: boolean }> = [];
  for (const f of named) {
    const file = db.files.find((x) => x.fileGuid === f.fileGuid);
    if (!file) throw sqlErrors.filesAddedOrDropped();
    const fg = db.filegroups.find((g) => g.id === file.filegroupId);
    if (file.state === 'DEFUNCT')
      throw fg ? sqlErrors.filegroupDefunct(fg.name) : sqlErrors.fileDefunct(file.logicalName);
    const readOnly = fg?.isReadOnly === true || db.isReadOnly;
    const consistent =
      f.isReadOnly && readOnly && f.readOnlyLsn !== null && f.readOnlyLsn === formatLsn(file.readOnlyLsn);
    if (simple && !readOnly) throw sqlErrors.simpleSubsetOfReadWrite();
    if (simple && !consistent) throw sqlErrors.simpleInconsistent();
    plan.push({ file, from: f, consistent });
  }
  if (plan.length === 0) throw sqlErrors.noFilesSelected();
  const now = server.now();
  if (!db.restore) {
    db.restore = {
      startedAt: now,
      piecemeal: false,
      recoveryModel: db.recoveryModel,
      forkGuid: db.forkGuid,
      tailOnly: false,
      stopAt: null,
      recoveredAt: db.log.next,
      standby: false,
      lastBackupSetGuid: null,
    };
  }
  for (const { file, from, consistent } of plan) {
    file.state = 'RESTORING';
    file.physicalName = moves.get(file.logicalName.toLowerCase()) ?? file.physicalName;
    file.sizeBytes = from.sizeBytes;
    file.usedBytes = from.usedBytes;
    file.diffBase = {
      lsn: parseLsn(image.checkpointLsn),
      guid: image.backupSetGuid,
      time: new Date(image.backupStartDate),
    };
    file.changedBytes = 0;
    file.restore = {
      pending: false,
      redoLsn: parseLsn(image.lastLsn),
      readOnlyConsistent: consistent,
      intactOnDisk: false,
    };
  }
  db.restore.lastBackupSetGuid = image.backupSetGuid;
  const messages = processed(
    image,
    req,
    plan.map((p) => p.from),
  );
  return finish(db, req, messages, req.files.length > 0 ? 'F' : 'G', now);
}

/** A differential: every file it holds must sit on its base (3136), in the roll-forward set (3117/3178). */
function restoreDifferential(
  server: ServerModel,
  req: RestoreRequest,
  image: BackupSetImage,
): RestoreStepResult {
  const db = server.database(req.database);
  if (!db) throw sqlErrors.databaseMissingForRestore(req.database);
  if (req.partial) throw sqlErrors.partialNotInitiated();
  if (db.familyGuid !== image.familyGuid) throw sqlErrors.otherDatabase(db.name);
  const set = rollForwardSet(db);
  if (set.length === 0) throw sqlErrors.noFilesReady();
  const last = parseLsn(image.lastLsn);
  const present = image.files.filter((f) => f.fileType === 'D' && f.isPresent);
  const targets: Array<{ file: SimFile; from: ImageFile }> = [];
  for (const f of present) {
    const file = db.files.find((x) => x.fileGuid === f.fileGuid);
    if (!file) throw sqlErrors.filesAddedOrDropped();
    if (!set.includes(file)) throw sqlErrors.differentialFileState(file.logicalName);
    if (
      f.differentialBaseGuid !== null &&
      (file.diffBase?.guid !== f.differentialBaseGuid ||
        formatLsn(file.diffBase?.lsn ?? null) !== f.differentialBaseLsn)
    ) {
      throw sqlErrors.differentialWrongState();
    }
    if (file.restore!.redoLsn !== null && file.restore!.redoLsn > last) throw sqlErrors.alreadyBeyond();
    targets.push({ file, from: f });
  }
  for (const { file, from } of targets) {
    file.restore!.redoLsn = last;
    file.readOnlyLsn = parseOptionalLsn(from.readOnlyLsn);
    file.readWriteLsn = parseOptionalLsn(from.readWriteLsn);
  }
  if (db.state === 'RESTORING') db.log = new LogCursor(last);
  db.restore!.forkGuid = image.lastRecoveryForkGuid;
  db.restore!.lastBackupSetGuid = image.backupSetGuid;
  return finish(db, req, processed(image, req, present), 'I', server.now());
}

function processed(image: BackupSetImage, req: RestoreRequest, files: ImageFile[]): SqlMessage[] {
  const out: SqlMessage[] = [];
  let total = 0;
  for (const f of [...files, ...image.files.filter((x) => x.fileType === 'L')]) {
    const n = pages(f.backupBytes);
    total += n;
    out.push(sqlNotices.processedPages(n, req.database, f.logicalName, req.position));
  }
  const seconds = Math.max(0.001, image.backupSize / 1_000_000_000);
  out.push(
    sqlNotices.successfullyProcessed(
      req.filegroups.length + req.files.length > 0 ? 'RESTORE DATABASE ... FILE=<name>' : 'RESTORE DATABASE',
      total,
      seconds,
    ),
  );
  return out;
}

/** Ends a data restore step: RECOVERY tries to bring the database (or the restored files) online. */
function finish(
  db: SimDatabase,
  req: RestoreRequest,
  messages: SqlMessage[],
  restoreType: RestoreStepResult['restoreType'],
  now: Date,
): RestoreStepResult {
  if (req.recovery === 'STANDBY' && db.restore) db.restore.standby = true;
  if (req.recovery !== 'RECOVERY') return { messages, restoreType, recovered: false };
  const outcome = recover(db, now);
  if (outcome.recovered)
    return { messages: [...messages, ...outcome.messages], restoreType, recovered: true };
  if (outcome.error.number === 3153) return { messages, restoreType, recovered: false };
  return { messages: [...messages, ...outcome.messages], restoreType, recovered: false };
}
