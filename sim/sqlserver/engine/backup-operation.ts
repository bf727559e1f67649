import { readFile, writeFile } from 'node:fs/promises';
import type { SqlMessage } from '../engine-api.ts';
import { selectBackupContent, type BackupContent, type BackupSelection } from './backup-content.ts';
import type { BackupFormat, BackupSetImage } from './backup-set-image.ts';
import { checkpoint } from './database-changes.ts';
import { newGuid } from './database-factory.ts';
import { sqlErrors, sqlNotices } from './error-catalog.ts';
import { formatLsn, type Lsn } from './lsn.ts';
import { writeMedia, type MediaTarget } from './media-writer.ts';
import { filegroupById, pages, type SimDatabase, type SimFile } from './model.ts';
import { abortable, delay } from './operation-support.ts';
import type { ServerModel } from './server-model.ts';
import { SqlError } from './sql-error.ts';

export interface BackupRequest extends BackupSelection {
  format: BackupFormat;
  /** The call's name for faults and messages (`xp_backup_database`, `BACKUP DATABASE`). */
  operation: string;
  database: string;
  devices: string[][];
  init: boolean;
  formatMedia: boolean;
  checksum: boolean;
  /** Tail-log backup: leave the database RESTORING. */
  noRecovery: boolean;
  /** NO_TRUNCATE: a tail-log backup of a damaged (RECOVERY_PENDING/OFFLINE) database is allowed. */
  noTruncate: boolean;
  /** CONTINUE_AFTER_ERROR: back up past checksum errors (is_damaged). */
  continueAfterError: boolean;
  compressionLevel: number;
  /** Modelled compressed/native size ratio. */
  compressionRatio: number;
  encryption: { key: string; cryptLevel: number } | null;
  name: string | null;
  description: string | null;
  /** Progress messages every n percent (0: none). */
  statsPercent: number;
  /** The backup set expires (EXPIREDATE/@expiration), or after this many days (RETAINDAYS/@retaindays). */
  expiration: Date | { days: number } | null;
  userName: string;
}

export interface BackupResult {
  image: BackupSetImage;
  backupSetId: number;
  position: number;
  hostPaths: string[];
  messages: SqlMessage[];
}

/**
 * Takes a backup: picks its type and files, takes a checkpoint, "copies" the data (the modelled
 * duration plus any injected slowness, during which other sessions may write and back up the log),
 * writes the files, then records msdb and moves the database's backup state (differential bases,
 * database_backup_lsn, log chain). A failure anywhere leaves no msdb row and no file.
 */
export async function performBackup(
  server: ServerModel,
  request: BackupRequest,
  signal: AbortSignal,
): Promise<BackupResult> {
  const faults = server.faults.onCall(request.operation, request.database);
  if (faults.error)
    throw new SqlError(faults.error.number, faults.error.message, { severity: faults.error.severity ?? 16 });
  const db = server.requireDatabase(request.database);
  if (db.name.toLowerCase() === 'tempdb') throw sqlErrors.tempdb();
  if (db.restore?.standby) throw sqlErrors.standbyBackup(db.name);
  if (db.state === 'RESTORING') throw sqlErrors.databaseRestoring(db.name);
  const damagedTail =
    request.kind === 'log' &&
    request.noTruncate &&
    (db.state === 'RECOVERY_PENDING' || db.state === 'OFFLINE');
  if (db.state !== 'ONLINE' && !damagedTail) throw sqlErrors.databaseNotOnline(db.name);
  if (db.restoreRunning) throw sqlErrors.exclusiveAccess();
  const content = selectBackupContent(db, request, server.options.strictSimpleFileBackups);
  const isLog = content.type === 'L';
  const damaged = content.files.find((f) => f.damaged);
  if (damaged && request.checksum && !request.continueAfterError)
    throw sqlErrors.pageError(db.name, damaged.fileId, damaged.physicalName);
  if (!isLog && db.dataBackupRunning) throw sqlErrors.serialized();

  const start = server.now();
  const databaseBackupLsn = db.databaseBackupLsn;
  const checkpointLsn = isLog ? db.lastCheckpointLsn : checkpoint(db, start);
  const firstLsn = isLog ? db.logChain!.lastLsn : checkpointLsn;
  const beginsLogChain = isLog && db.logChain!.beginsNext;
  if (!isLog) {
    db.log.appendRecord();
    db.dataBackupRunning = true;
  }
  try {
    await abortable(delay(faults.delayMs, signal), signal);
    const lastLsn = db.log.next;
    const image = buildImage(server, db, request, content, {
      start,
      firstLsn,
      lastLsn,
      checkpointLsn,
      databaseBackupLsn,
      beginsLogChain,
    });
    image.isDamaged = damaged !== undefined && request.continueAfterError;
    image.hasIncompleteMetadata = damagedTail;
    const target: MediaTarget = {
      format: request.format,
      devices: request.devices,
      init: request.init,
      formatMedia: request.formatMedia,
      compressionLevel: request.compressionLevel,
      encryption: request.encryption,
      modelledBytes: image.compressedBackupSize,
      now: new Date(image.backupFinishDate),
    };
    const written = await writeMedia(server.paths, target, image, faults.diskFull);
    const row = server.msdb.recordBackupSet(image, written.media, written.position);
    applyBackupToDatabase(
      db,
      content,
      image,
      { checkpointLsn, firstLsn, lastLsn, start },
      request.noRecovery,
      server.now(),
    );
    if (faults.corruptAfterWrite) await corrupt(written.hostPaths);
    return {
      image,
      backupSetId: row.backup_set_id,
      position: written.position,
      hostPaths: written.hostPaths,
      messages: backupMessages(request, db, content, image, written.position),
    };
  } finally {
    if (!isLog) db.dataBackupRunning = false;
  }
}

interface Lsns {
  start: Date;
  firstLsn: Lsn;
  lastLsn: Lsn;
  checkpointLsn: Lsn;
  databaseBackupLsn: Lsn;
  beginsLogChain: boolean;
}

function buildImage(
  server: ServerModel,
  db: SimDatabase,
  request: BackupRequest,
  content: BackupContent,
  l: Lsns,
): BackupSetImage {
  const isLog = content.type === 'L';
  const logBytes = isLog ? db.logBytesSinceLogBackup + 65536 : 1048576;
  const dataBytes = content.files.reduce((s, f) => s + fileBackupBytes(f, content), 0);
  const backupSize = Math.ceil((dataBytes + logBytes) / 1024) * 1024;
  const compressed = Math.max(4096, Math.ceil((backupSize * request.compressionRatio) / 1024) * 1024);
  const finish = new Date(
    l.start.getTime() + Math.max(1000, Math.round((backupSize / server.options.backupBytesPerSecond) * 1000)),
  );
  const spansFork = isLog && !content.copyOnly && db.pendingFork !== null;
  const { version } = server.options;
  return {
    format: request.format,
    backupSetGuid: newGuid(),
    type: content.type,
    isCopyOnly: content.copyOnly,
    name: request.name,
    description: request.description,
    databaseName: db.name,
    databaseGuid: db.guid,
    familyGuid: db.familyGuid,
    databaseCreationDate: db.createDate.toISOString(),
    recoveryModel: db.recoveryModel,
    compatibilityLevel: db.compatibilityLevel,
    collation: db.collation,
    isReadOnlyDatabase: db.isReadOnly,
    firstLsn: formatLsn(l.firstLsn),
    lastLsn: formatLsn(l.lastLsn),
    checkpointLsn: formatLsn(l.checkpointLsn),
    databaseBackupLsn: formatLsn(l.databaseBackupLsn),
    differentialBaseLsn: formatLsn(content.base?.lsn ?? null),
    differentialBaseGuid: content.base?.guid ?? null,
    firstRecoveryForkGuid: spansFork ? db.pendingFork!.fromGuid : db.forkGuid,
    lastRecoveryForkGuid: db.forkGuid,
    forkPointLsn: spansFork ? formatLsn(db.pendingFork!.forkPointLsn) : null,
    beginsLogChain: l.beginsLogChain,
    hasIncompleteMetadata: false,
    isDamaged: false,
    hasChecksums: request.checksum,
    backupStartDate: l.start.toISOString(),
    backupFinishDate: finish.toISOString(),
    expirationDate:
      request.expiration === null
        ? null
        : request.expiration instanceof Date
          ? request.expiration.toISOString()
          : new Date(l.start.getTime() + request.expiration.days * 86_400_000).toISOString(),
    backupSize,
    compressedBackupSize:
      request.compressionLevel > 0 || request.compressionRatio < 1 ? compressed : backupSize,
    serverName: server.options.serverName,
    machineName: server.options.machineName,
    userName: request.userName,
    softwareVersion: { major: version.major, minor: version.minor, build: version.build },
    filegroups: db.filegroups.map((fg) => ({
      id: fg.id,
      guid: fg.guid,
      name: fg.name,
      isReadOnly: fg.isReadOnly,
      isDefault: fg.isDefault,
    })),
    files: db.files.map((f) => {
      const present = f.type === 'LOG' || content.files.includes(f);
      const fg = filegroupById(db, f.filegroupId);
      const diff = content.type === 'I' || content.type === 'G' || content.type === 'Q';
      return {
        fileId: f.fileId,
        fileGuid: f.fileGuid,
        logicalName: f.logicalName,
        physicalName: f.physicalName,
        fileType: f.type === 'LOG' ? ('L' as const) : ('D' as const),
        filegroupId: f.filegroupId,
        filegroupName: fg?.name ?? null,
        filegroupGuid: fg?.guid ?? null,
        sizeBytes: f.sizeBytes,
        usedBytes: f.usedBytes,
        backupBytes: present ? (f.type === 'LOG' ? logBytes : fileBackupBytes(f, content)) : 0,
        isPresent: present,
        isReadOnly: (fg?.isReadOnly ?? false) || db.isReadOnly,
        state: f.state,
        createLsn: formatLsn(f.createLsn),
        readOnlyLsn: formatLsn(f.readOnlyLsn),
        readWriteLsn: formatLsn(f.readWriteLsn),
        differentialBaseLsn: diff && present && f.type === 'ROWS' ? formatLsn(f.diffBase?.lsn ?? null) : null,
        differentialBaseGuid: diff && present && f.type === 'ROWS' ? (f.diffBase?.guid ?? null) : null,
      };
    }),
    timeline: isLog
      ? db.timeline
          .filter((p) => p.lsn >= l.firstLsn && p.lsn < l.lastLsn)
          .map((p) => [formatLsn(p.lsn), p.time.toISOString()] as [string, string])
      : [],
  };
}

function fileBackupBytes(f: SimFile, content: BackupContent): number {
  const diff = content.type === 'I' || content.type === 'G' || content.type === 'Q';
  if (!diff) return f.usedBytes;
  return f.diffBase === null ? f.usedBytes : Math.min(f.usedBytes, f.changedBytes) + 65536;
}

/** What a successful backup changes in the database. */
function applyBackupToDatabase(
  db: SimDatabase,
  content: BackupContent,
  image: BackupSetImage,
  l: Omit<Lsns, 'databaseBackupLsn' | 'beginsLogChain'>,
  noRecovery: boolean,
  now: Date,
): void {
  const type = content.type;
  if (type === 'L') {
    if (!content.copyOnly) {
      db.logChain = { lastLsn: l.lastLsn, beginsNext: false };
      db.logBytesSinceLogBackup = 0;
      db.pendingFork = null;
      db.timeline = db.timeline.filter((p) => p.lsn >= l.lastLsn);
    }
  } else {
    if (!content.copyOnly && (type === 'D' || type === 'P' || type === 'F')) {
      for (const f of content.files) {
        f.diffBase = { lsn: l.checkpointLsn, guid: image.backupSetGuid, time: l.start };
        f.changedBytes = 0;
      }
      if (type !== 'F') db.databaseBackupLsn = l.checkpointLsn;
    }
    if (
      !content.copyOnly &&
      db.recoveryModel !== 'SIMPLE' &&
      db.logChain === null &&
      type !== 'F' &&
      type !== 'G'
    ) {
      db.logChain = { lastLsn: l.firstLsn, beginsNext: true };
    }
    if (db.recoveryModel === 'SIMPLE') db.timeline = db.timeline.slice(-1);
  }
  if (noRecovery) {
    db.state = 'RESTORING';
    for (const f of db.files) f.state = 'RESTORING';
    db.restore = {
      startedAt: now,
      piecemeal: false,
      recoveryModel: db.recoveryModel,
      forkGuid: db.forkGuid,
      tailOnly: true,
      stopAt: null,
      recoveredAt: null,
      standby: false,
      lastBackupSetGuid: null,
    };
  }
}

function backupMessages(
  request: BackupRequest,
  db: SimDatabase,
  content: BackupContent,
  image: BackupSetImage,
  position: number,
): SqlMessage[] {
  const out: SqlMessage[] = [...content.notices];
  if (image.isDamaged) out.push(sqlNotices.continuedAfterError());
  const steps = request.statsPercent > 0 ? request.statsPercent : 0;
  for (let p = steps; steps > 0 && p <= 100; p += steps) {
    out.push(
      request.format === 'litespeed'
        ? { number: 0, severity: 0, state: 1, message: `Backup progress: ${p}%` }
        : sqlNotices.percentProcessed(p),
    );
  }
  let total = 0;
  for (const f of image.files.filter((x) => x.isPresent)) {
    const n = pages(f.backupBytes);
    total += n;
    out.push(sqlNotices.processedPages(n, db.name, f.logicalName, position));
  }
  const seconds =
    (new Date(image.backupFinishDate).getTime() - new Date(image.backupStartDate).getTime()) / 1000;
  const op =
    content.type === 'L'
      ? 'BACKUP LOG'
      : content.type === 'F' || content.type === 'G'
        ? 'BACKUP DATABASE...FILE=<name>'
        : 'BACKUP DATABASE';
  out.push(sqlNotices.successfullyProcessed(op, total, seconds));
  return out;
}

/** Flips bytes in the middle of each file's last payload: checksums no longer match. */
export async function corrupt(hostPaths: string[]): Promise<void> {
  for (const host of hostPaths) {
    const bytes = await readFile(host);
    const at = Math.max(16, bytes.length - 64);
    for (let i = at; i < Math.min(bytes.length, at + 8); i++) bytes[i] = bytes[i]! ^ 0xff;
    await writeFile(host, bytes);
  }
}
