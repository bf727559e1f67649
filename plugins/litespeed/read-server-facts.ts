import type { MsdbType } from './backup-paths.ts';
import {
  backupFilesQuery,
  backupSetsQuery,
  databaseFilesQuery,
  databasesQuery,
  fileExistsQuery,
  mediaFamiliesQuery,
  permissionsQuery,
  serverInfoQuery,
} from './queries.ts';
import {
  normalizeRecoveryModel,
  type DatabaseFacts,
  type DirectoryState,
  type FilegroupFacts,
  type HistoryFilegroup,
  type HistorySet,
  type ServerInfo,
} from './server-facts.ts';
import { wallToInstant } from './server-time.ts';
import { runCatalogQuery, type ConnectionTarget, type SqlPools } from './sql-connection.ts';

/** Reads through the fixed catalog queries of queries.ts only. Never writes. */
export interface FactReader {
  pools: SqlPools;
  /** The server connection (database master). */
  target: ConnectionTarget;
  /** The server's time zone (msdb dates are local). */
  timeZone: string;
}

type Row = Record<string, unknown>;

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const bool = (v: unknown): boolean => v === true || v === 1;
const guid = (v: unknown): string | null => (v === null || v === undefined ? null : String(v).toUpperCase());

export async function readServerInfo(r: FactReader): Promise<ServerInfo> {
  const pool = await r.pools.get(r.target);
  const [row] = await runCatalogQuery<Row>(pool, serverInfoQuery);
  if (!row) throw new Error('the server answered holdfast:server.info with no row');
  const version = str(row.product_version).split('.');
  return {
    serverName: str(row.server_name),
    machineName: str(row.machine_name) || str(row.server_name).split('\\')[0]!,
    instanceName: strOrNull(row.instance_name),
    productVersion: str(row.product_version),
    majorVersion: version[0] ?? '',
    minorVersion: version[1] ?? '',
    edition: str(row.edition),
    liteSpeedInstalled: bool(row.litespeed_installed),
    liteSpeedProcedures: Number(row.litespeed_procedures ?? 0),
  };
}

export interface DatabaseListEntry {
  name: string;
  state: string;
  recoveryModel: string;
  isReadOnly: boolean;
  isInStandby: boolean;
  userAccess: string;
}

export async function readDatabaseList(r: FactReader): Promise<DatabaseListEntry[]> {
  const pool = await r.pools.get(r.target);
  const rows = await runCatalogQuery<Row>(pool, databasesQuery);
  return rows.map((row) => ({
    name: str(row.name),
    state: str(row.state_desc),
    recoveryModel: str(row.recovery_model_desc),
    isReadOnly: bool(row.is_read_only),
    isInStandby: bool(row.is_in_standby),
    userAccess: str(row.user_access_desc),
  }));
}

export async function readDirectories(r: FactReader, paths: readonly string[]): Promise<DirectoryState[]> {
  const pool = await r.pools.get(r.target);
  const out: DirectoryState[] = [];
  for (const path of paths) {
    const [row] = await runCatalogQuery<Row>(pool, fileExistsQuery, { path });
    out.push({
      path,
      isDirectory: bool(row?.file_is_a_directory),
      parentExists: bool(row?.parent_directory_exists),
    });
  }
  return out;
}

/**
 * One database's facts. Filegroups are read in the database's own context (a connection to it), which
 * needs the database online; when that fails the facts say why in `readProblem`.
 */
export async function readDatabaseFacts(
  r: FactReader,
  entry: DatabaseListEntry,
): Promise<DatabaseFacts & { readProblem?: string }> {
  const pool = await r.pools.get(r.target);
  const [perm] = await runCatalogQuery<Row>(pool, permissionsQuery, { database: entry.name });
  const facts: DatabaseFacts & { readProblem?: string } = {
    name: entry.name,
    state: entry.state,
    recoveryModel: normalizeRecoveryModel(entry.recoveryModel),
    isReadOnly: entry.isReadOnly,
    isInStandby: entry.isInStandby,
    userAccess: entry.userAccess,
    filegroups: [],
    differentialBase: { lsn: null, guid: null },
    permissions: {
      isSysadmin: bool(perm?.is_sysadmin),
      canBackupDatabase: bool(perm?.can_backup_database),
      canBackupLog: bool(perm?.can_backup_log),
    },
    history: await readHistory(r, entry.name),
  };
  if (entry.state === 'ONLINE') {
    const dbTarget: ConnectionTarget = { ...r.target, database: entry.name, maxConnections: 1 };
    try {
      const files = await runCatalogQuery<Row>(await r.pools.get(dbTarget), databaseFilesQuery);
      facts.filegroups = filegroupsOf(files);
      const primary = files.find((f) => Number(f.file_id) === 1);
      facts.differentialBase = {
        lsn: strOrNull(primary?.differential_base_lsn),
        guid: guid(primary?.differential_base_guid),
      };
    } catch (err) {
      facts.readProblem = `cannot read the filegroups of ${entry.name} in its own context: ${(err as Error).message}`;
    } finally {
      await r.pools.close(dbTarget);
    }
  }
  return facts;
}

function filegroupsOf(files: Row[]): FilegroupFacts[] {
  const out = new Map<string, FilegroupFacts>();
  for (const f of files) {
    const name = strOrNull(f.filegroup_name);
    if (name === null || str(f.type_desc) === 'LOG') continue;
    const fg = out.get(name) ?? {
      name,
      isReadOnly: bool(f.filegroup_is_read_only),
      readOnlyLsn: strOrNull(f.read_only_lsn),
      readWriteLsn: strOrNull(f.read_write_lsn),
      fileStates: [],
    };
    fg.fileStates.push(str(f.state_desc));
    out.set(name, fg);
  }
  return [...out.values()];
}

/** The database's whole msdb history: backup sets with their filegroups and devices (mirror 0). */
export async function readHistory(r: FactReader, database: string): Promise<HistorySet[]> {
  const pool = await r.pools.get(r.target);
  const args = { database, since: null };
  const sets = await runCatalogQuery<Row>(pool, backupSetsQuery, args);
  const files = await runCatalogQuery<Row>(pool, backupFilesQuery, args);
  const media = await runCatalogQuery<Row>(pool, mediaFamiliesQuery, args);
  return sets.map((s) => historySetOf(s, files, media, r.timeZone));
}

/** Builds one history set from its backupset row and the backupfile / media family rows (any order). */
export function historySetOf(s: Row, files: Row[], media: Row[], timeZone: string): HistorySet {
  const id = Number(s.backup_set_id);
  const instant = (v: unknown) =>
    wallToInstant(v instanceof Date ? v : new Date(String(v)), timeZone).toISOString();
  return {
    backupSetId: id,
    uuid: guid(s.backup_set_uuid) ?? '',
    type: str(s.type) as MsdbType | 'G',
    isCopyOnly: bool(s.is_copy_only),
    position: Number(s.position ?? 1),
    firstLsn: str(s.first_lsn),
    lastLsn: str(s.last_lsn),
    checkpointLsn: strOrNull(s.checkpoint_lsn),
    databaseBackupLsn: strOrNull(s.database_backup_lsn),
    differentialBaseLsn: strOrNull(s.differential_base_lsn),
    differentialBaseGuid: guid(s.differential_base_guid),
    start: instant(s.backup_start_date),
    finish: instant(s.backup_finish_date),
    recoveryModel: normalizeRecoveryModel(str(s.recovery_model)),
    databaseReadOnly: bool(s.is_readonly),
    isDamaged: bool(s.is_damaged),
    backupSize: str(s.backup_size ?? '0'),
    compressedBackupSize: str(s.compressed_backup_size ?? s.backup_size ?? '0'),
    filegroups: historyFilegroups(files.filter((f) => Number(f.backup_set_id) === id)),
    devices: media
      .filter((m) => Number(m.backup_set_id) === id && Number(m.mirror ?? 0) === 0)
      .map((m) => ({
        path: str(m.physical_device_name),
        deviceType: m.device_type === null || m.device_type === undefined ? null : Number(m.device_type),
        family: Number(m.family_sequence_number),
        mirror: 0,
      }))
      .sort((a, b) => a.family - b.family),
  };
}

function historyFilegroups(rows: Row[]): HistoryFilegroup[] {
  const out = new Map<string, HistoryFilegroup>();
  for (const f of rows) {
    const name = strOrNull(f.filegroup_name);
    if (name === null || str(f.file_type) === 'L') continue;
    const fg = out.get(name);
    if (!fg) {
      out.set(name, {
        name,
        present: bool(f.is_present),
        isReadOnly: bool(f.is_readonly),
        readOnlyLsn: strOrNull(f.read_only_lsn),
        readWriteLsn: strOrNull(f.read_write_lsn),
      });
    } else {
      fg.present &&= bool(f.is_present);
      fg.isReadOnly &&= bool(f.is_readonly);
    }
  }
  return [...out.values()];
}
