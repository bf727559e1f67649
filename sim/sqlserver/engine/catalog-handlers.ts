import type { ResultSet, SessionInfo, SqlValue } from '../engine-api.ts';
import * as q from '../../../plugins/litespeed/queries.ts';
import { pathState } from './maintenance-procedures.ts';
import { sqlErrors } from './error-catalog.ts';
import { formatLsn } from './lsn.ts';
import { filegroupById, pages, type SimDatabase } from './model.ts';
import type { BackupSetRow } from './msdb.ts';
import { col, resultSet, T } from './result-columns.ts';
import type { ServerModel } from './server-model.ts';
import { SqlError } from './sql-error.ts';

export interface CatalogContext {
  server: ServerModel;
  session: SessionInfo;
  /** Bound variables by lower-case name with @ (sp_executesql parameters). */
  variables: ReadonlyMap<string, SqlValue>;
}

type Handler = (ctx: CatalogContext) => Promise<ResultSet> | ResultSet;

const LITESPEED_PROCEDURES = [
  'xp_backup_database',
  'xp_backup_log',
  'xp_restore_database',
  'xp_restore_log',
  'xp_restore_verifyonly',
  'xp_restore_headeronly',
  'xp_restore_filelistonly',
  'xp_slssqlmaint',
];

function variable(ctx: CatalogContext, name: string): SqlValue {
  const key = name.toLowerCase();
  if (!ctx.variables.has(key)) throw sqlErrors.variableUndeclared(name);
  return ctx.variables.get(key)!;
}

function sinceOf(ctx: CatalogContext): Date | null {
  const v = variable(ctx, '@since');
  if (v === null) return null;
  if (v instanceof Date) return v;
  const d = new Date(String(v));
  if (Number.isNaN(d.getTime()))
    throw new SqlError(241, 'Conversion failed when converting date and/or time from character string.');
  return d;
}

function backupSetsSince(ctx: CatalogContext): BackupSetRow[] {
  const database = variable(ctx, '@database');
  const since = sinceOf(ctx);
  return ctx.server.msdb.backupset.filter(
    (bs) => eqName(bs.database_name, database) && (since === null || bs.backup_start_date >= since),
  );
}

function eqName(a: string, b: SqlValue): boolean {
  return typeof b === 'string' && a.toLowerCase() === b.toLowerCase();
}

function currentDatabase(ctx: CatalogContext): SimDatabase {
  const db = ctx.server.database(ctx.session.database);
  if (!db) throw sqlErrors.databaseMissing(ctx.session.database);
  if (db.state === 'RESTORING' && !db.restore?.standby) throw sqlErrors.databaseRestoring(db.name);
  return db;
}

function fileIsReadOnly(db: SimDatabase, fgId: number | null): boolean {
  return db.isReadOnly || (filegroupById(db, fgId)?.isReadOnly ?? false);
}

/** What sys.databases says about a database's state (a STANDBY database is ONLINE and read-only). */
export function databaseStateDesc(db: SimDatabase): string {
  return db.restore?.standby && db.state === 'RESTORING' ? 'ONLINE' : db.state;
}

const handlers: Record<string, Handler> = {
  [q.serverInfoQuery.tag]: ({ server }) => {
    const o = server.options;
    const installed = o.liteSpeedInstalled;
    return resultSet(
      [
        col('server_name', T.sysname),
        col('machine_name', T.sysname),
        col('instance_name', T.sysname),
        col('product_version', T.sysname),
        col('product_level', T.sysname),
        col('edition', T.sysname),
        col('engine_edition', T.int),
        col('litespeed_installed', T.bit),
        col('litespeed_procedures', T.int),
      ],
      [
        {
          server_name: o.serverName,
          machine_name: o.machineName,
          instance_name: null,
          product_version: `${o.version.major}.${o.version.minor}.${o.version.build}.${o.version.revision}`,
          product_level: o.productLevel,
          edition: o.edition,
          engine_edition: o.engineEdition,
          litespeed_installed: installed,
          litespeed_procedures: installed ? LITESPEED_PROCEDURES.length : 0,
        },
      ],
    );
  },
  [q.permissionsQuery.tag]: (ctx) => {
    const db = ctx.server.database(String(variable(ctx, '@database') ?? ''));
    return resultSet(
      [
        col('is_sysadmin', T.int),
        col('can_backup_database', T.int),
        col('can_backup_log', T.int),
        col('can_create_database', T.int),
      ],
      [
        {
          is_sysadmin: 1,
          can_backup_database: db ? 1 : null,
          can_backup_log: db ? 1 : null,
          can_create_database: 1,
        },
      ],
    );
  },
  [q.databasesQuery.tag]: ({ server }) =>
    resultSet(
      [
        col('name', T.sysname, false),
        col('database_id', T.int, false),
        col('state_desc', T.nvarchar(60)),
        col('recovery_model_desc', T.nvarchar(60)),
        col('is_read_only', T.bit),
        col('user_access_desc', T.nvarchar(60)),
        col('is_in_standby', T.bit),
        col('create_date', T.datetime, false),
      ],
      [...server.databases()]
        .sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1))
        .map((d) => ({
          name: d.name,
          database_id: d.id,
          state_desc: databaseStateDesc(d),
          recovery_model_desc: d.recoveryModel,
          is_read_only: d.isReadOnly || d.restore?.standby === true,
          user_access_desc: d.userAccess,
          is_in_standby: d.restore?.standby === true,
          create_date: d.createDate,
        })),
    ),
  [q.databaseFilesQuery.tag]: (ctx) => {
    const db = currentDatabase(ctx);
    return resultSet(
      [
        col('file_id', T.int, false),
        col('logical_name', T.sysname),
        col('physical_name', T.nvarchar(260)),
        col('type_desc', T.nvarchar(60)),
        col('filegroup_name', T.sysname),
        col('filegroup_is_read_only', T.bit),
        col('state_desc', T.nvarchar(60)),
        col('is_read_only', T.bit),
        col('read_only_lsn', T.varchar(30)),
        col('read_write_lsn', T.varchar(30)),
        col('differential_base_lsn', T.varchar(30)),
        col('differential_base_guid', T.guid),
        col('differential_base_time', T.datetime),
        col('size_bytes', T.bigint),
      ],
      [...db.files]
        .sort((a, b) => a.fileId - b.fileId)
        .map((f) => {
          const fg = filegroupById(db, f.filegroupId);
          return {
            file_id: f.fileId,
            logical_name: f.logicalName,
            physical_name: f.physicalName,
            type_desc: f.type,
            filegroup_name: fg?.name ?? null,
            filegroup_is_read_only: fg ? fg.isReadOnly : null,
            state_desc: f.state,
            is_read_only: f.type === 'ROWS' && fileIsReadOnly(db, f.filegroupId),
            read_only_lsn: formatLsn(f.readOnlyLsn),
            read_write_lsn: formatLsn(f.readWriteLsn),
            differential_base_lsn: formatLsn(f.diffBase?.lsn ?? null),
            differential_base_guid: f.diffBase?.guid ?? null,
            differential_base_time: f.diffBase?.time ?? null,
            size_bytes: pages(f.sizeBytes) * 8192,
          };
        }),
    );
  },
  [q.masterFilesQuery.tag]: (ctx) => {
    const name = variable(ctx, '@database');
    const db = typeof name === 'string' ? ctx.server.database(name) : undefined;
    return resultSet(
      [
        col('file_id', T.int, false),
        col('logical_name', T.sysname),
        col('physical_name', T.nvarchar(260)),
        col('type_desc', T.nvarchar(60)),
        col('data_space_id', T.int),
        col('state_desc', T.nvarchar(60)),
        col('is_read_only', T.bit),
        col('read_only_lsn', T.varchar(30)),
        col('read_write_lsn', T.varchar(30)),
        col('differential_base_lsn', T.varchar(30)),
        col('differential_base_guid', T.guid),
        col('size_bytes', T.bigint),
      ],
      (db ? [...db.files].sort((a, b) => a.fileId - b.fileId) : []).map((f) => ({
        file_id: f.fileId,
        logical_name: f.logicalName,
        physical_name: f.physicalName,
        type_desc: f.type,
        data_space_id: f.filegroupId ?? 0,
        state_desc: f.state,
        is_read_only: f.type === 'ROWS' && fileIsReadOnly(db!, f.filegroupId),
        read_only_lsn: formatLsn(f.readOnlyLsn),
        read_write_lsn: formatLsn(f.readWriteLsn),
        differential_base_lsn: formatLsn(f.diffBase?.lsn ?? null),
        differential_base_guid: f.diffBase?.guid ?? null,
        size_bytes: pages(f.sizeBytes) * 8192,
      })),
    );
  },
  [q.filegroupsQuery.tag]: (ctx) => {
    const db = currentDatabase(ctx);
    return resultSet(
      [
        col('filegroup_id', T.int, false),
        col('name', T.sysname, false),
        col('type_desc', T.nvarchar(60)),
        col('is_default', T.bit),
        col('is_read_only', T.bit),
      ],
      db.filegroups.map((fg) => ({
        filegroup_id: fg.id,
        name: fg.name,
        type_desc: 'ROWS_FILEGROUP',
        is_default: fg.isDefault,
        is_read_only: fg.isReadOnly,
      })),
    );
  },
  [q.backupSetsQuery.tag]: (ctx) =>
    resultSet(
      [
        col('backup_set_id', T.int, false),
        col('backup_set_uuid', T.guid, false),
        col('media_set_id', T.int),
        col('database_name', T.nvarchar(128)),
        col('type', T.char1),
        col('position', T.int),
        col('first_lsn', T.varchar(30)),
        col('last_lsn', T.varchar(30)),
        col('checkpoint_lsn', T.varchar(30)),
        col('database_backup_lsn', T.varchar(30)),
        col('differential_base_lsn', T.varchar(30)),
        col('differential_base_guid', T.guid),
        col('is_copy_only', T.bit),
        col('backup_start_date', T.datetime),
        col('backup_finish_date', T.datetime),
        col('recovery_model', T.nvarchar(60)),
        col('first_recovery_fork_guid', T.guid),
        col('last_recovery_fork_guid', T.guid),
        col('fork_point_lsn', T.varchar(30)),
        col('has_incomplete_metadata', T.bit),
        col('is_damaged', T.bit),
        col('begins_log_chain', T.bit),
        col('is_readonly', T.bit),
        col('database_guid', T.guid),
        col('family_guid', T.guid),
        col('backup_size', T.numeric20),
        col('compressed_backup_size', T.numeric20),
        col('server_name', T.nvarchar(128)),
        col('name', T.nvarchar(128)),
        col('description', T.nvarchar(255)),
      ],
      backupSetsSince(ctx).map((bs) => ({
        ...bs,
        first_lsn: formatLsn(bs.first_lsn),
        last_lsn: formatLsn(bs.last_lsn),
        checkpoint_lsn: formatLsn(bs.checkpoint_lsn),
        database_backup_lsn: formatLsn(bs.database_backup_lsn),
        differential_base_lsn: formatLsn(bs.differential_base_lsn),
        fork_point_lsn: formatLsn(bs.fork_point_lsn),
        backup_size: String(bs.backup_size),
        compressed_backup_size: String(bs.compressed_backup_size),
      })),
    ),
  [q.backupFilesQuery.tag]: (ctx) => {
    const ids = new Set(backupSetsSince(ctx).map((b) => b.backup_set_id));
    return resultSet(
      [
        col('backup_set_id', T.int, false),
        col('file_number', T.int),
        col('logical_name', T.sysname),
        col('physical_name', T.nvarchar(260)),
        col('filegroup_name', T.sysname),
        col('file_type', T.char1),
        col('is_present', T.bit),
        col('is_readonly', T.bit),
        col('state_desc', T.nvarchar(64)),
        col('read_only_lsn', T.varchar(30)),
        col('read_write_lsn', T.varchar(30)),
        col('differential_base_lsn', T.varchar(30)),
        col('differential_base_guid', T.guid),
        col('file_size', T.numeric20),
        col('backup_size', T.numeric20),
      ],
      ctx.server.msdb.backupfile
        .filter((bf) => ids.has(bf.backup_set_id))
        .sort((a, b) => a.backup_set_id - b.backup_set_id || a.file_number - b.file_number)
        .map((bf) => ({
          ...bf,
          read_only_lsn: formatLsn(bf.read_only_lsn),
          read_write_lsn: formatLsn(bf.read_write_lsn),
          differential_base_lsn: formatLsn(bf.differential_base_lsn),
          file_size: String(bf.file_size),
          backup_size: String(bf.backup_size),
        })),
    );
  },
  [q.mediaFamiliesQuery.tag]: (ctx) => {
    const rows = backupSetsSince(ctx).flatMap((bs) => {
      const set = ctx.server.msdb.mediaSet(bs.media_set_id)!;
      return ctx.server.msdb.backupmediafamily
        .filter((f) => f.media_set_id === bs.media_set_id)
        .sort((a, b) => a.mirror - b.mirror || a.family_sequence_number - b.family_sequence_number)
        .map((f) => ({
          backup_set_id: bs.backup_set_id,
          ...f,
          media_family_count: set.media_family_count,
          mirror_count: set.mirror_count,
          is_compressed: set.is_compressed,
          is_encrypted: set.is_encrypted,
        }));
    });
    return resultSet(
      [
        col('backup_set_id', T.int, false),
        col('media_set_id', T.int),
        col('family_sequence_number', T.tinyint),
        col('mirror', T.tinyint),
        col('physical_device_name', T.nvarchar(260)),
        col('device_type', T.tinyint),
        col('media_family_count', T.tinyint),
        col('mirror_count', T.tinyint),
        col('is_compressed', T.bit),
        col('is_encrypted', T.bit),
      ],
      rows,
    );
  },
  [q.latestBackupSetQuery.tag]: (ctx) => {
    const database = variable(ctx, '@database');
    const since = sinceOf(ctx);
    const found =
      since === null
        ? []
        : ctx.server.msdb.backupset.filter(
            (bs) =>
              eqName(bs.database_name, database) &&
              bs.backup_start_date >= since &&
              bs.server_name === ctx.server.options.serverName,
          );
    const bs = found[found.length - 1];
    return resultSet(
      [
        col('backup_set_id', T.int, false),
        col('backup_set_uuid', T.guid, false),
        col('type', T.char1),
        col('is_copy_only', T.bit),
        col('position', T.int),
        col('media_set_id', T.int),
        col('first_lsn', T.varchar(30)),
        col('last_lsn', T.varchar(30)),
        col('checkpoint_lsn', T.varchar(30)),
        col('database_backup_lsn', T.varchar(30)),
        col('differential_base_lsn', T.varchar(30)),
        col('differential_base_guid', T.guid),
        col('backup_start_date', T.datetime),
        col('backup_finish_date', T.datetime),
        col('backup_size', T.numeric20),
        col('compressed_backup_size', T.numeric20),
      ],
      bs
        ? [
            {
              ...bs,
              first_lsn: formatLsn(bs.first_lsn),
              last_lsn: formatLsn(bs.last_lsn),
              checkpoint_lsn: formatLsn(bs.checkpoint_lsn),
              database_backup_lsn: formatLsn(bs.database_backup_lsn),
              differential_base_lsn: formatLsn(bs.differential_base_lsn),
              backup_size: String(bs.backup_size),
              compressed_backup_size: String(bs.compressed_backup_size),
            },
          ]
        : [],
    );
  },
  [q.restoreHistoryQuery.tag]: (ctx) => {
    const database = variable(ctx, '@database');
    const since = sinceOf(ctx);
    const sets = new Map(ctx.server.msdb.backupset.map((b) => [b.backup_set_id, b]));
    return resultSet(
      [
        col('restore_history_id', T.int, false),
        col('restore_date', T.datetime),
        col('destination_database_name', T.nvarchar(128)),
        col('restore_type', T.char1),
        col('replace', T.bit),
        col('recovery', T.bit),
        col('stop_at', T.datetime),
        col('backup_set_uuid', T.guid),
        col('backup_type', T.char1),
        col('source_database_name', T.nvarchar(128)),
      ],
      ctx.server.msdb.restorehistory
        .filter(
          (r) => eqName(r.destination_database_name, database) && (since === null || r.restore_date >= since),
        )
        .map((r) => {
          const bs = sets.get(r.backup_set_id)!;
          return {
            ...r,
            backup_set_uuid: bs.backup_set_uuid,
            backup_type: bs.type,
            source_database_name: bs.database_name,
          };
        }),
    );
  },
  [q.fileExistsQuery.tag]: async (ctx) => {
    const path = variable(ctx, '@path');
    const state =
      typeof path === 'string' && path.length > 0
        ? await pathState(ctx.server, path)
        : { file: false, directory: false, parent: false };
    return resultSet(
      [col('file_exists', T.bit), col('file_is_a_directory', T.bit), col('parent_directory_exists', T.bit)],
      [
        {
          file_exists: state.file,
          file_is_a_directory: state.directory,
          parent_directory_exists: state.parent,
        },
      ],
    );
  },
};

const BY_TEXT = new Map<string, { tag: string; handler: Handler }>();
for (const query of q.catalogQueries) {
  const handler = handlers[query.tag];
  if (!handler)
    throw new Error(
      `sim/sqlserver: no handler for catalog query ${query.tag} (plugins/litespeed/queries.ts)`,
    );
  BY_TEXT.set(query.sql.trim(), { tag: query.tag, handler });
}

/** Tags the simulator serves (for tests). */
export const servedTags: readonly string[] = Object.keys(handlers);

/** The handler for this exact query text, or null. */
export function findCatalogQuery(
  sql: string,
): { tag: string; run: (ctx: CatalogContext) => Promise<ResultSet> } | null {
  const hit = BY_TEXT.get(sql.trim());
  return hit ? { tag: hit.tag, run: async (ctx) => hit.handler(ctx) } : null;
}

/** For text that starts with a holdfast tag but is not the exact query: the tag, to explain the refusal. */
export function taggedButDifferent(sql: string): string | null {
  const m = /^\s*\/\*\s*(holdfast:[\w.-]+)\s*\*\//.exec(sql);
  return m ? m[1]! : null;
}
