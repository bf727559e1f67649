import type { SqlMessage } from '../engine-api.ts';
import { recordTimeline } from './database-changes.ts';
import { newGuid } from './database-factory.ts';
import { sqlErrors, sqlNotices } from './error-catalog.ts';
import { formatLsn, LogCursor, minLsn, type Lsn } from './lsn.ts';
import { filegroupById, type SimDatabase, type SimFile } from './model.ts';
import type { SqlError } from './sql-error.ts';

/** Data files in the roll-forward set: restored in this sequence and not yet online. */
export function rollForwardSet(db: SimDatabase): SimFile[] {
  return db.files.filter(
    (f) => f.type === 'ROWS' && f.state === 'RESTORING' && f.restore !== null && !f.restore.pending,
  );
}

export type RecoveryOutcome =
  { recovered: true; messages: SqlMessage[] } | { recovered: false; messages: SqlMessage[]; error: SqlError };

/**
 * RECOVERY: brings what was restored online, as SQL Server would.
 *
 * - Database RESTORING (first stage): every restored file must have been rolled forward to the same
 *   point (read-only files consistent with the database need no roll forward). The database comes
 *   ONLINE on a new recovery fork; files not restored become RECOVERY_PENDING, or DEFUNCT when the
 *   sequence is in SIMPLE and they are read-write (3127). The log chain continues from the point.
 * - Database ONLINE with restored files (later piecemeal stages): each must be a consistent read-only
 *   file or rolled forward to where the first stage recovered.
 *
 * Does not throw for inconsistent files: it says why in `error` (4303/4331/4358) and leaves state as is.
 */
export function recover(db: SimDatabase, now: Date): RecoveryOutcome {
  const seq = db.restore;
  if (db.state === 'RESTORING' && seq?.tailOnly) {
    db.state = 'ONLINE';
    for (const f of db.files) f.state = 'ONLINE';
    db.restore = null;
    return { recovered: true, messages: [] };
  }
  if (db.state === 'RESTORING') return recoverFirstStage(db, now);
  const restoring = rollForwardSet(db);
  if (restoring.length === 0) return { recovered: false, messages: [], error: sqlErrors.alreadyRecovered() };
  const target = seq?.recoveredAt ?? db.log.next;
  for (const f of restoring) {
    if (f.restore!.readOnlyConsistent) continue;
    const at = f.restore!.redoLsn!;
    if (at < target) {
      return {
        recovered: false,
        messages: [
          sqlNotices.rollForwardNeeded(formatLsn(at), formatLsn(target)),
          sqlNotices.notBroughtOnline(),
        ],
        error: sqlErrors.mustBeRestoredTo(f.logicalName, formatLsn(at), formatLsn(target)),
      };
    }
  }
  for (const f of restoring) {
    f.state = 'ONLINE';
    f.restore = null;
  }
  finishIfComplete(db);
  return {
    recovered: true,
    messages: db.restore ? [sqlNotices.onlineRestoreIncomplete()] : [sqlNotices.restoreComplete(db.name)],
  };
}

function recoverFirstStage(db: SimDatabase, now: Date): RecoveryOutcome {
  const seq = db.restore!;
  const set = rollForwardSet(db);
  const rolling = set.filter((f) => !f.restore!.readOnlyConsistent).map((f) => f.restore!.redoLsn!);
  if (rolling.length === 0) return { recovered: false, messages: [], error: sqlErrors.inconsistentPoints() };
  const low = minLsn(rolling)!;
  const point = rolling.reduce((a, b) => (a > b ? a : b));
  if (low !== point) {
    return {
      recovered: false,
      messages: [
        sqlNotices.rollForwardNeeded(formatLsn(low), formatLsn(point)),
        sqlNotices.notBroughtOnline(),
      ],
      error: sqlErrors.inconsistentPoints(),
    };
  }
  const messages: SqlMessage[] = [];
  for (const f of db.files) {
    if (f.type === 'LOG') {
      f.state = 'ONLINE';
      f.restore = null;
    } else if (f.restore?.pending) {
      const fg = filegroupById(db, f.filegroupId);
      const readWrite = fg !== undefined && !fg.isReadOnly && !db.isReadOnly;
      if (seq.recoveryModel === 'SIMPLE' && readWrite) {
        f.state = 'DEFUNCT';
        messages.push(sqlNotices.defunct(f.logicalName, db.name));
      } else f.state = 'RECOVERY_PENDING';
    } else {
      f.state = 'ONLINE';
      f.restore = null;
    }
  }
  startNewFork(db, point, now);
  seq.recoveredAt = point;
  seq.standby = false;
  finishIfComplete(db);
  return { recovered: true, messages };
}

/** After recovery the database continues on a new fork from `point`; its log chain goes on from there. */
function startNewFork(db: SimDatabase, point: Lsn, now: Date): void {
  db.state = 'ONLINE';
  db.pendingFork = { fromGuid: db.restore!.forkGuid, forkPointLsn: point };
  db.forkGuid = newGuid();
  db.log = new LogCursor(point);
  db.lastCheckpointLsn = db.log.appendRecord();
  db.timeline = [];
  recordTimeline(db, db.lastCheckpointLsn, now);
  db.logChain = db.recoveryModel === 'SIMPLE' ? null : { lastLsn: point, beginsNext: false };
  db.logBytesSinceLogBackup = 0;
}

function finishIfComplete(db: SimDatabase): void {
  const open = db.files.some((f) => f.state === 'RESTORING' || f.state === 'RECOVERY_PENDING');
  if (!open) db.restore = null;
}
