import { ErrorCode, HoldfastError } from '../../../src/core/errors.ts';
import {
  backupFilesQuery,
  backupSetsQuery,
  databasesQuery,
  filegroupsQuery,
  mediaFamiliesQuery,
} from '../queries.ts';
import { parseHistory } from '../restore/load-history.ts';
import type { BackupHistory, BackupHistoryInput } from '../restore/history-schema.ts';
import { instantToWall } from '../server-time.ts';
import { wallToIso } from './server-wall-time.ts';
import { runTaggedQuery, type SqlServerSession } from './sql-server-session.ts';

export interface ReadMsdbHistoryOptions {
  database: string;
  /** Only backup sets started at or after this instant (msdb's @since); absent: all of them. */
  since?: Date;
}

type Row = Record<string, unknown>;

/**
 * Reads one database's backup history live from msdb through the tagged catalog queries (backup sets,
 * their files, their media families) plus sys.databases (recovery model) and, when the database is
 * online, sys.filegroups. Returns the same structure a history file holds (docs/history-file.md), so a
 * plan made live and a plan made from an exported file are the same. LSNs stay strings throughout.
 *
 * A backup set restored on this server is recorded again in msdb under the same backup_set_uuid; only
 * its first row (the backup itself) is kept.
 */
export async function readMsdbHistory(
  session: SqlServerSession,
  options: ReadMsdbHistoryOptions,
): Promise<BackupHistory> {
  const { timeZone } = session.target;
  const master = await session.pool();
  const params = {
    database: options.database,
    since: options.since ? instantToWall(options.since, timeZone) : null,
  };
  const [databases, sets, files, media] = [
    await runTaggedQuery(master, databasesQuery),
    await runTaggedQuery(master, backupSetsQuery, params),
    await runTaggedQuery(master, backupFilesQuery, params),
    await runTaggedQuery(master, mediaFamiliesQuery, params),
  ];
  const db = databases.find((d) => String(d.name).toLowerCase() === options.database.toLowerCase());
  const server = session.label;
  if (!db && sets.length === 0) {
    throw new HoldfastError(
      ErrorCode.NotFound,
      `SQL Server ${server} has no database ${options.database} and no backup history for it in msdb`,
      {
        target: server,
        details: { database: options.database },
      },
    );
  }
  const kept = firstOfEachBackupSet(sets);
  const ids = new Set(kept.map((s) => Number(s.backup_set_id)));
  const filesOf = groupBy(
    files.filter((f) => ids.has(Number(f.backup_set_id))),
    (f) => Number(f.backup_set_id),
  );
  const mediaOf = groupBy(
    media.filter((m) => ids.has(Number(m.backup_set_id))),
    (m) => Number(m.backup_set_id),
  );
  const newest = kept.at(-1);

  const doc: BackupHistoryInput = {
    database_name: String(db?.name ?? newest?.database_name ?? options.database),
    recovery_model: String(
      db?.recovery_model_desc ?? newest?.recovery_model,
    ) as BackupHistoryInput['recovery_model'],
    ...(db && db.state_desc === 'ONLINE'
      ? { filegroups: await readFilegroups(session, String(db.name)) }
      : {}),
    backupsets: kept.map((s) =>
      backupSet(
        s,
        filesOf.get(Number(s.backup_set_id)) ?? [],
        mediaOf.get(Number(s.backup_set_id)) ?? [],
        timeZone,
      ),
    ),
  };
  return parseHistory(doc, `msdb on ${server}`);
}

async function readFilegroups(
  session: SqlServerSession,
  database: string,
): Promise<{ name: string; is_read_only: boolean }[]> {
  const rows = await runTaggedQuery(await session.pool(database), filegroupsQuery);
  return rows.map((r) => ({ name: String(r.name), is_read_only: r.is_read_only === true }));
}

function firstOfEachBackupSet(rows: Row[]): Row[] {
  const seen = new Set<string>();
  const out: Row[] = [];
  for (const r of [...rows].sort((a, b) => Number(a.backup_set_id) - Number(b.backup_set_id))) {
    const uuid = String(r.backup_set_uuid).toUpperCase();
    if (seen.has(uuid)) continue;
    seen.add(uuid);
    out.push(r);
  }
  return out;
}

function groupBy(rows: Row[], key: (r: Row) => number): Map<number, Row[]> {
  const out = new Map<number, Row[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

type BackupSetInput = BackupHistoryInput['backupsets'][number];

function backupSet(s: Row, files: Row[], media: Row[], timeZone: string): BackupSetInput {
  const type = String(s.type) as BackupSetInput['type'];
  return {
    backup_set_id: Number(s.backup_set_id),
    backup_set_uuid: text(s.backup_set_uuid),
    database_name: text(s.database_name),
    type,
    first_lsn: text(s.first_lsn),
    last_lsn: text(s.last_lsn),
    checkpoint_lsn: textOrNull(s.checkpoint_lsn),
    database_backup_lsn: textOrNull(s.database_backup_lsn),
    differential_base_lsn: textOrNull(s.differential_base_lsn),
    differential_base_guid: textOrNull(s.differential_base_guid),
    is_copy_only: s.is_copy_only === true,
    backup_start_date: wallDate(s.backup_start_date, timeZone),
    backup_finish_date: wallDate(s.backup_finish_date, timeZone),
    recovery_model: text(s.recovery_model) as BackupSetInput['recovery_model'],
    first_recovery_fork_guid: text(s.first_recovery_fork_guid),
    last_recovery_fork_guid: text(s.last_recovery_fork_guid),
    fork_point_lsn: textOrNull(s.fork_point_lsn),
    has_incomplete_metadata: s.has_incomplete_metadata === true,
    is_damaged: s.is_damaged === true,
    begins_log_chain: s.begins_log_chain === true,
    position: Number(s.position),
    // Logs: the log file rows, and the data-file rows of filegroups that are or were read-only (their
    // read_only_lsn shows a switch replayed by the log), as the export query writes them.
    files: files
      .filter(
        (f) =>
          type !== 'L' ||
          f.file_type === 'L' ||
          f.is_readonly === true ||
          (f.read_write_lsn !== null && f.read_write_lsn !== undefined),
      )
      .map((f) => ({
        logical_name: text(f.logical_name),
        physical_name: text(f.physical_name),
        filegroup_name: textOrNull(f.filegroup_name),
        file_type: text(f.file_type) as 'D' | 'L' | 'F' | 'S',
        is_present: f.is_present === true,
        is_readonly: f.is_readonly === true,
        read_only_lsn: textOrNull(f.read_only_lsn),
        read_write_lsn: textOrNull(f.read_write_lsn),
      })),
    media: media.map((m) => ({
      family_sequence_number: Number(m.family_sequence_number),
      mirror: Number(m.mirror),
      physical_device_name: text(m.physical_device_name),
      device_type: m.device_type === null || m.device_type === undefined ? null : Number(m.device_type),
    })),
  };
}

function text(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}

function textOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

function wallDate(v: unknown, timeZone: string): string {
  return v instanceof Date ? wallToIso(v, timeZone) : text(v);
}
