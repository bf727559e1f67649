/**
 * The fixed set of catalog queries the LiteSpeed plugin sends to SQL Server. Each is real T-SQL for
 * SQL Server 2017+ and starts with a tag comment (`/* holdfast:... *\/`) that names it in traces and
 * lets the SQL Server simulator (sim/sqlserver) serve it: the simulator answers exactly these texts
 * and refuses anything else, so change a query here and both sides follow.
 *
 * Conventions:
 * - LSNs (numeric(25,0)) are cast to varchar(30): they exceed JavaScript's exact integers and must
 *   never pass through a JS number.
 * - Parameters are named (`@database`, `@since`, `@path`) and sent typed (sp_executesql via mssql's
 *   `request.input`): @database nvarchar(128), @since datetime (NULL = no lower bound), @path nvarchar(4000).
 * - msdb dates are the server's local time (datetime, no zone).
 * - `database.files` runs in the database's own context (LOGIN7 database or USE).
 */
export interface CatalogQuery {
  /** The tag in the leading comment, e.g. `holdfast:history.backupsets`. */
  readonly tag: string;
  readonly sql: string;
  /** Parameter name (with @) → SQL type it is sent as. */
  readonly params: Readonly<Record<string, string>>;
  /** Result column → what it holds. */
  readonly columns: Readonly<Record<string, string>>;
}

function query(
  tag: string,
  body: string,
  params: Record<string, string>,
  columns: Record<string, string>,
): CatalogQuery {
  return Object.freeze({
    tag,
    sql: `/* ${tag} */\n${body.trim()}`,
    params: Object.freeze(params),
    columns: Object.freeze(columns),
  });
}

const SINCE_FILTER = 'bs.database_name = @database\n  AND (@since IS NULL OR bs.backup_start_date >= @since)';

export const serverInfoQuery = query(
  'holdfast:server.info',
  `
SELECT
  CAST(@@SERVERNAME AS nvarchar(128)) AS server_name,
  CAST(SERVERPROPERTY('MachineName') AS nvarchar(128)) AS machine_name,
  CAST(SERVERPROPERTY('InstanceName') AS nvarchar(128)) AS instance_name,
  CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS product_version,
  CAST(SERVERPROPERTY('ProductLevel') AS nvarchar(128)) AS product_level,
  CAST(SERVERPROPERTY('Edition') AS nvarchar(128)) AS edition,
  CAST(SERVERPROPERTY('EngineEdition') AS int) AS engine_edition,
  CAST(CASE WHEN EXISTS (SELECT 1 FROM master.sys.objects WHERE [type] = 'X' AND [name] = N'xp_backup_database') THEN 1 ELSE 0 END AS bit) AS litespeed_installed,
  (SELECT COUNT(*) FROM master.sys.objects WHERE [type] = 'X' AND [name] IN (N'xp_backup_database', N'xp_backup_log', N'xp_restore_database', N'xp_restore_log', N'xp_restore_verifyonly', N'xp_restore_headeronly', N'xp_restore_filelistonly', N'xp_slssqlmaint')) AS litespeed_procedures;`,
  {},
  {
    server_name: '@@SERVERNAME',
    machine_name: 'Windows computer name',
    instance_name: 'named instance, NULL for the default instance',
    product_version: 'e.g. 16.0.4135.4',
    product_level: 'RTM, SPn, CTP',
    edition: 'e.g. Enterprise Edition (64-bit)',
    engine_edition: '2 Standard, 3 Enterprise/Developer, ...',
    litespeed_installed: 'xp_backup_database exists in master (type X)',
    litespeed_procedures: 'how many of the 8 LiteSpeed procedures the plugin uses exist (8 = all)',
  },
);

export const permissionsQuery = query(
  'holdfast:server.permissions',
  `
SELECT
  CAST(IS_SRVROLEMEMBER('sysadmin') AS int) AS is_sysadmin,
  CAST(HAS_PERMS_BY_NAME(@database, 'DATABASE', 'BACKUP DATABASE') AS int) AS can_backup_database,
  CAST(HAS_PERMS_BY_NAME(@database, 'DATABASE', 'BACKUP LOG') AS int) AS can_backup_log,
  CAST(HAS_PERMS_BY_NAME(NULL, NULL, 'CREATE ANY DATABASE') AS int) AS can_create_database;`,
  { '@database': 'nvarchar(128)' },
  {
    is_sysadmin: '1 when the login is in sysadmin (needed to run LiteSpeed extended procedures)',
    can_backup_database: '1/0; NULL when the database does not exist',
    can_backup_log: '1/0; NULL when the database does not exist',
    can_create_database: '1/0 (restores that create databases)',
  },
);

export const databasesQuery = query(
  'holdfast:databases.list',
  `
SELECT
  d.name,
  d.database_id,
  d.state_desc,
  d.recovery_model_desc,
  d.is_read_only,
  d.user_access_desc,
  d.is_in_standby,
  d.create_date
FROM sys.databases AS d
ORDER BY d.name;`,
  {},
  {
    name: 'database name',
    database_id: 'database id',
    state_desc: 'ONLINE, RESTORING, RECOVERING, RECOVERY_PENDING, SUSPECT, EMERGENCY, OFFLINE',
    recovery_model_desc: 'SIMPLE, FULL, BULK_LOGGED',
    is_read_only: 'the database is read-only',
    user_access_desc: 'MULTI_USER, SINGLE_USER, RESTRICTED_USER',
    is_in_standby: 'restored WITH STANDBY (read-only, logs may follow)',
    create_date: 'created or restored at (server local time)',
  },
);

export const databaseFilesQuery = query(
  'holdfast:database.files',
  `
SELECT
  df.file_id,
  df.name AS logical_name,
  df.physical_name,
  df.type_desc,
  fg.name AS filegroup_name,
  fg.is_read_only AS filegroup_is_read_only,
  df.state_desc,
  df.is_read_only,
  CAST(df.read_only_lsn AS varchar(30)) AS read_only_lsn,
  CAST(df.read_write_lsn AS varchar(30)) AS read_write_lsn,
  CAST(df.differential_base_lsn AS varchar(30)) AS differential_base_lsn,
  df.differential_base_guid,
  df.differential_base_time,
  CAST(df.size AS bigint) * 8192 AS size_bytes
FROM sys.database_files AS df
LEFT JOIN sys.filegroups AS fg ON fg.data_space_id = df.data_space_id
ORDER BY df.file_id;`,
  {},
  {
    file_id: 'file id (1 primary data file, 2 first log file)',
    logical_name: 'logical file name (MOVE uses it)',
    physical_name: 'path of the file on the server',
    type_desc: 'ROWS, LOG, FILESTREAM, FULLTEXT',
    filegroup_name: 'filegroup; NULL for log files',
    filegroup_is_read_only: 'the filegroup is read-only; NULL for log files',
    state_desc: 'ONLINE, RESTORING, RECOVERING, RECOVERY_PENDING, SUSPECT, OFFLINE, DEFUNCT',
    is_read_only: 'the file is read-only',
    read_only_lsn: "LSN of the filegroup's most recent read-write to read-only change (NULL: never)",
    read_write_lsn: "LSN of the filegroup's most recent read-only to read-write change (NULL: never)",
    differential_base_lsn: 'base of the next differential for this file (NULL: no base)',
    differential_base_guid: 'backup_set_uuid of that base',
    differential_base_time: 'when the base backup started',
    size_bytes: 'current file size in bytes',
  },
);

export const masterFilesQuery = query(
  'holdfast:database.master-files',
  `
SELECT
  mf.file_id,
  mf.name AS logical_name,
  mf.physical_name,
  mf.type_desc,
  mf.data_space_id,
  mf.state_desc,
  mf.is_read_only,
  CAST(mf.read_only_lsn AS varchar(30)) AS read_only_lsn,
  CAST(mf.read_write_lsn AS varchar(30)) AS read_write_lsn,
  CAST(mf.differential_base_lsn AS varchar(30)) AS differential_base_lsn,
  mf.differential_base_guid,
  CAST(mf.size AS bigint) * 8192 AS size_bytes
FROM sys.master_files AS mf
WHERE mf.database_id = DB_ID(@database)
ORDER BY mf.file_id;`,
  { '@database': 'nvarchar(128)' },
  {
    file_id: 'file id',
    logical_name: 'logical file name',
    physical_name: 'path of the file on the server',
    type_desc: 'ROWS, LOG, ...',
    data_space_id: 'filegroup id (0 for log files)',
    state_desc: 'file state (works for read-only and offline databases, unlike sys.database_files)',
    is_read_only: 'the file is read-only',
    read_only_lsn: 'see database.files',
    read_write_lsn: 'see database.files',
    differential_base_lsn: 'see database.files',
    differential_base_guid: 'see database.files',
    size_bytes: 'current file size in bytes',
  },
);

export const filegroupsQuery = query(
  'holdfast:database.filegroups',
  `
SELECT
  fg.data_space_id AS filegroup_id,
  fg.name,
  fg.type_desc,
  fg.is_default,
  fg.is_read_only
FROM sys.filegroups AS fg
ORDER BY fg.data_space_id;`,
  {},
  {
    filegroup_id: 'data_space_id (1 = PRIMARY)',
    name: 'filegroup name',
    type_desc: 'ROWS_FILEGROUP, FILESTREAM_DATA_FILEGROUP, MEMORY_OPTIMIZED_DATA_FILEGROUP',
    is_default: 'the default filegroup',
    is_read_only: 'the filegroup is read-only',
  },
);

export const backupSetsQuery = query(
  'holdfast:history.backupsets',
  `
SELECT
  bs.backup_set_id,
  bs.backup_set_uuid,
  bs.media_set_id,
  bs.database_name,
  bs.type,
  bs.position,
  CAST(bs.first_lsn AS varchar(30)) AS first_lsn,
  CAST(bs.last_lsn AS varchar(30)) AS last_lsn,
  CAST(bs.checkpoint_lsn AS varchar(30)) AS checkpoint_lsn,
  CAST(bs.database_backup_lsn AS varchar(30)) AS database_backup_lsn,
  CAST(bs.differential_base_lsn AS varchar(30)) AS differential_base_lsn,
  bs.differential_base_guid,
  bs.is_copy_only,
  bs.backup_start_date,
  bs.backup_finish_date,
  bs.recovery_model,
  bs.first_recovery_fork_guid,
  bs.last_recovery_fork_guid,
  CAST(bs.fork_point_lsn AS varchar(30)) AS fork_point_lsn,
  bs.has_incomplete_metadata,
  bs.is_damaged,
  bs.begins_log_chain,
  bs.is_readonly,
  bs.database_guid,
  bs.family_guid,
  bs.backup_size,
  bs.compressed_backup_size,
  bs.server_name,
  bs.name,
  bs.description
FROM msdb.dbo.backupset AS bs
WHERE ${SINCE_FILTER}
ORDER BY bs.backup_set_id;`,
  { '@database': 'nvarchar(128)', '@since': 'datetime' },
  {
    backup_set_id: 'msdb id (joins backupfiles and mediafamilies)',
    backup_set_uuid: 'the backup set GUID (differential_base_guid of later differentials)',
    media_set_id: 'media set',
    database_name: 'database',
    type: 'D full, I differential, L log, F file/filegroup, G differential file, P partial, Q differential partial',
    position: 'backup set number in the media (@filenumber / FILE =)',
    first_lsn: 'see reference §2.2',
    last_lsn: 'see reference §2.2',
    checkpoint_lsn: 'see reference §2.2',
    database_backup_lsn: 'checkpoint_lsn of the most recent full at backup time',
    differential_base_lsn:
      'differentials: checkpoint_lsn of the base (NULL for multi-based and non-differentials)',
    differential_base_guid: 'differentials: backup_set_uuid of the base',
    is_copy_only: 'copy-only backup',
    backup_start_date: 'server local time',
    backup_finish_date: 'server local time',
    recovery_model: 'SIMPLE, FULL, BULK-LOGGED at backup time',
    first_recovery_fork_guid: 'recovery fork at the first LSN',
    last_recovery_fork_guid: 'recovery fork at the last LSN',
    fork_point_lsn: 'when the two forks differ: where the fork happened',
    has_incomplete_metadata: 'tail-log backup with incomplete metadata',
    is_damaged: 'damage detected, CONTINUE_AFTER_ERROR used',
    begins_log_chain: 'first log backup of a log chain',
    is_readonly: 'the database was read-only',
    database_guid: 'changes with every restore',
    family_guid: 'survives restores',
    backup_size: 'bytes (uncompressed)',
    compressed_backup_size: 'bytes written',
    server_name: 'server that took the backup',
    name: 'backup set name',
    description: 'backup set description (@desc)',
  },
);

export const backupFilesQuery = query(
  'holdfast:history.backupfiles',
  `
SELECT
  bf.backup_set_id,
  bf.file_number,
  bf.logical_name,
  bf.physical_name,
  bf.filegroup_name,
  bf.file_type,
  bf.is_present,
  bf.is_readonly,
  bf.state_desc,
  CAST(bf.read_only_lsn AS varchar(30)) AS read_only_lsn,
  CAST(bf.read_write_lsn AS varchar(30)) AS read_write_lsn,
  CAST(bf.differential_base_lsn AS varchar(30)) AS differential_base_lsn,
  bf.differential_base_guid,
  bf.file_size,
  bf.backup_size
FROM msdb.dbo.backupfile AS bf
JOIN msdb.dbo.backupset AS bs ON bs.backup_set_id = bf.backup_set_id
WHERE ${SINCE_FILTER}
ORDER BY bf.backup_set_id, bf.file_number;`,
  { '@database': 'nvarchar(128)', '@since': 'datetime' },
  {
    backup_set_id: 'backup set',
    file_number: 'file id in the database',
    logical_name: 'logical file name',
    physical_name: 'path at backup time (MOVE planning)',
    filegroup_name: 'filegroup; NULL for log files',
    file_type: 'D data, L log, F full-text, S FILESTREAM',
    is_present: 'the file is in this backup set',
    is_readonly: 'the file was read-only at backup time',
    state_desc: 'file state at backup time',
    read_only_lsn: 'most recent read-write to read-only change of its filegroup',
    read_write_lsn: 'most recent read-only to read-write change of its filegroup',
    differential_base_lsn: 'differentials: base of this file',
    differential_base_guid: 'differentials: base backup set of this file (NULL: file added after the base)',
    file_size: 'bytes',
    backup_size: 'bytes of this file in the backup',
  },
);

export const mediaFamiliesQuery = query(
  'holdfast:history.mediafamilies',
  `
SELECT
  bs.backup_set_id,
  bmf.media_set_id,
  bmf.family_sequence_number,
  bmf.mirror,
  bmf.physical_device_name,
  bmf.device_type,
  bms.media_family_count,
  bms.mirror_count,
  bms.is_compressed,
  bms.is_encrypted
FROM msdb.dbo.backupset AS bs
JOIN msdb.dbo.backupmediafamily AS bmf ON bmf.media_set_id = bs.media_set_id
JOIN msdb.dbo.backupmediaset AS bms ON bms.media_set_id = bs.media_set_id
WHERE ${SINCE_FILTER}
ORDER BY bs.backup_set_id, bmf.mirror, bmf.family_sequence_number;`,
  { '@database': 'nvarchar(128)', '@since': 'datetime' },
  {
    backup_set_id: 'backup set',
    media_set_id: 'media set',
    family_sequence_number: 'stripe number, 1..media_family_count',
    mirror: 'mirror number, 0..mirror_count-1 (select exactly one)',
    physical_device_name: 'file path (LiteSpeed on a real server records its virtual device name here)',
    device_type: '2 disk, 7 virtual device (LiteSpeed)',
    media_family_count: 'stripes in the media set',
    mirror_count: 'mirrors of the media set',
    is_compressed: 'compressed media',
    is_encrypted: 'encrypted media',
  },
);

export const latestBackupSetQuery = query(
  'holdfast:history.latest-backupset',
  `
SELECT TOP (1)
  bs.backup_set_id,
  bs.backup_set_uuid,
  bs.type,
  bs.is_copy_only,
  bs.position,
  bs.media_set_id,
  CAST(bs.first_lsn AS varchar(30)) AS first_lsn,
  CAST(bs.last_lsn AS varchar(30)) AS last_lsn,
  CAST(bs.checkpoint_lsn AS varchar(30)) AS checkpoint_lsn,
  CAST(bs.database_backup_lsn AS varchar(30)) AS database_backup_lsn,
  CAST(bs.differential_base_lsn AS varchar(30)) AS differential_base_lsn,
  bs.differential_base_guid,
  bs.backup_start_date,
  bs.backup_finish_date,
  bs.backup_size,
  bs.compressed_backup_size
FROM msdb.dbo.backupset AS bs
WHERE bs.database_name = @database
  AND bs.backup_start_date >= @since
  AND bs.server_name = @@SERVERNAME
ORDER BY bs.backup_set_id DESC;`,
  { '@database': 'nvarchar(128)', '@since': 'datetime' },
  {
    backup_set_id:
      'newest backup set of the database started at or after @since on this server (none: no row)',
    backup_set_uuid: 'its GUID',
    type: 'its type code',
    is_copy_only: 'copy-only',
    position: 'position in its media',
    media_set_id: 'media set',
    first_lsn: 'LSN',
    last_lsn: 'LSN',
    checkpoint_lsn: 'LSN',
    database_backup_lsn: 'LSN',
    differential_base_lsn: 'LSN',
    differential_base_guid: 'GUID',
    backup_start_date: 'server local time',
    backup_finish_date: 'server local time',
    backup_size: 'bytes',
    compressed_backup_size: 'bytes written',
  },
);

export const restoreHistoryQuery = query(
  'holdfast:history.restores',
  `
SELECT
  rh.restore_history_id,
  rh.restore_date,
  rh.destination_database_name,
  rh.restore_type,
  rh.[replace],
  rh.[recovery],
  rh.stop_at,
  bs.backup_set_uuid,
  bs.type AS backup_type,
  bs.database_name AS source_database_name
FROM msdb.dbo.restorehistory AS rh
JOIN msdb.dbo.backupset AS bs ON bs.backup_set_id = rh.backup_set_id
WHERE rh.destination_database_name = @database
  AND (@since IS NULL OR rh.restore_date >= @since)
ORDER BY rh.restore_history_id;`,
  { '@database': 'nvarchar(128)', '@since': 'datetime' },
  {
    restore_history_id: 'msdb id',
    restore_date: 'server local time',
    destination_database_name: 'database restored into',
    restore_type: 'D database, F file, G filegroup, I differential, L log, V verifyonly',
    replace: 'WITH REPLACE',
    recovery: 'WITH RECOVERY',
    stop_at: 'STOPAT point, if any',
    backup_set_uuid: 'backup set restored',
    backup_type: 'its type code',
    source_database_name: 'database the backup was taken of',
  },
);

export const fileExistsQuery = query(
  'holdfast:file.exists',
  `
SELECT
  fe.file_exists,
  fe.file_is_a_directory,
  fe.parent_directory_exists
FROM master.sys.dm_os_file_exists(@path) AS fe;`,
  { '@path': 'nvarchar(4000)' },
  {
    file_exists: 'a file exists at @path',
    file_is_a_directory: 'a folder exists at @path',
    parent_directory_exists: 'the parent folder exists',
  },
);

/** Every query the plugin sends, in one list (the simulator serves exactly these). */
export const catalogQueries: readonly CatalogQuery[] = Object.freeze([
  serverInfoQuery,
  permissionsQuery,
  databasesQuery,
  databaseFilesQuery,
  masterFilesQuery,
  filegroupsQuery,
  backupSetsQuery,
  backupFilesQuery,
  mediaFamiliesQuery,
  latestBackupSetQuery,
  restoreHistoryQuery,
  fileExistsQuery,
]);
