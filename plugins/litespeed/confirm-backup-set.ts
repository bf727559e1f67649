import { ErrorCode, HoldfastError } from '../../src/core/errors.ts';
import { describeCall, type BackupCall } from './backup-call.ts';
import { backupFilesQuery, backupSetsQuery, mediaFamiliesQuery } from './queries.ts';
import { historySetOf, type FactReader } from './read-server-facts.ts';
import type { HistorySet } from './server-facts.ts';
import { instantToWall } from './server-time.ts';
import { runCatalogQuery } from './sql-connection.ts';

/** Where msdb stood when the plan was made: its newest backup set of the database (server time). */
export interface MsdbMark {
  backupSetId: number;
  /** backup_start_date of that set as an instant; null when the database had no backup set. */
  start: string | null;
}

/**
 * A backup is only done when msdb shows it: a backup set of this database newer than the newest one msdb
 * had when the plan was made (the time window is read on the server's clock, so clock skew between holdfast
 * and the server does not matter), with the expected type and copy-only flag, holding the filegroup of a
 * filegroup backup, and, for disk devices, written to the files holdfast asked for. Returns the set, or
 * throws VERIFICATION_FAILED saying what msdb shows instead (a full where a partial was expected, say).
 */
export async function confirmBackupSet(
  reader: FactReader,
  call: BackupCall,
  mark: MsdbMark,
): Promise<HistorySet> {
  const pool = await reader.pools.get(reader.target);
  const args = {
    database: call.database,
    since: mark.start === null ? null : instantToWall(new Date(mark.start), reader.timeZone),
  };
  const rows = await runCatalogQuery(pool, backupSetsQuery, args);
  const files = await runCatalogQuery(pool, backupFilesQuery, args);
  const media = await runCatalogQuery(pool, mediaFamiliesQuery, args);
  const sets = rows
    .map((r) => historySetOf(r, files, media, reader.timeZone))
    .filter((s) => s.backupSetId > mark.backupSetId);
  const wanted = (s: HistorySet) =>
    s.type === call.type &&
    s.isCopyOnly === call.copyOnly &&
    (call.filegroup === null ||
      s.filegroups.some((g) => g.present && g.name.toLowerCase() === call.filegroup!.toLowerCase())) &&
    writesTo(s, call.files);
  const found = sets.filter(wanted).at(-1);
  if (found) return found;
  const what = `${describeCall(call)} (msdb type ${call.type}${call.copyOnly ? ', copy-only' : ''})`;
  const others = sets.map(
    (s) => `set ${s.backupSetId} type ${s.type}${s.isCopyOnly ? ' copy-only' : ''} at ${s.start}`,
  );
  const after = mark.start === null ? '' : ` after backup set ${mark.backupSetId} (${mark.start})`;
  throw new HoldfastError(
    ErrorCode.VerificationFailed,
    `msdb shows no ${what}${after}${others.length > 0 ? `; it shows ${others.join(', ')}` : ''}: the backup is not recorded`,
    { details: { database: call.database, expectedType: call.type, found: others } },
  );
}

/** For disk devices (type 2) the families must be our files; LiteSpeed's virtual devices (7) name a GUID instead. */
function writesTo(set: HistorySet, files: readonly string[]): boolean {
  const disk = set.devices.filter((d) => d.deviceType === 2);
  if (disk.length === 0) return true;
  const want = files.map((f) => f.toLowerCase());
  return disk.length === want.length && disk.every((d) => want.includes(d.path.toLowerCase()));
}
