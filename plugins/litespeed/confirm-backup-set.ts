import { ErrorCode, HoldfastError } from '../../src/core/errors.ts';
import { describeCall, type BackupCall } from './backup-call.ts';
import { backupFilesQuery, backupSetsQuery, mediaFamiliesQuery } from './queries.ts';
import { historySetOf, type FactReader } from './read-server-facts.ts';
import type { HistorySet } from './server-facts.ts';
import { instantToWall } from './server-time.ts';
import { runCatalogQuery } from './sql-connection.ts';

/** Clock difference tolerated between holdfast and the server when matching a backup set's start time. */
export const CLOCK_SLACK_MS = 5 * 60_000;

/**
 * A backup is only done when msdb shows it: the backup set of this database with the expected type and
 * copy-only flag, newer than the plan's newest set, started while the call ran (with some clock slack),
 * and, for disk devices, written to the files holdfast asked for. Returns the set, or throws
 * VERIFICATION_FAILED saying what msdb shows instead (a full where a partial was expected, say).
 */
export async function confirmBackupSet(reader: FactReader, call: BackupCall, window: { from: Date; to: Date }, lastBackupSetId: number): Promise<HistorySet> {
  const pool = await reader.pools.get(reader.target);
  const from = new Date(window.from.getTime() - CLOCK_SLACK_MS);
  const to = new Date(window.to.getTime() + CLOCK_SLACK_MS);
  const args = { database: call.database, since: instantToWall(from, reader.timeZone) };
  const rows = await runCatalogQuery(pool, backupSetsQuery, args);
  const files = await runCatalogQuery(pool, backupFilesQuery, args);
  const media = await runCatalogQuery(pool, mediaFamiliesQuery, args);
  const sets = rows.map((r) => historySetOf(r, files, media, reader.timeZone)).filter((s) => s.backupSetId > lastBackupSetId && new Date(s.start) <= to);
  const wanted = (s: HistorySet) => s.type === call.type && s.isCopyOnly === call.copyOnly && writesTo(s, call.files);
  const found = sets.filter(wanted).at(-1);
  if (found) return found;
  const what = `${describeCall(call)} (msdb type ${call.type}${call.copyOnly ? ', copy-only' : ''})`;
  const others = sets.map((s) => `set ${s.backupSetId} type ${s.type}${s.isCopyOnly ? ' copy-only' : ''} at ${s.start}`);
  throw new HoldfastError(
    ErrorCode.VerificationFailed,
    `msdb shows no ${what} started between ${from.toISOString()} and ${to.toISOString()}${others.length > 0 ? `; it shows ${others.join(', ')}` : ''}: the backup is not recorded`,
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
