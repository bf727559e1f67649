import type { MsdbType } from './backup-paths.ts';

/**
 * What discovery reads from one SQL Server, as plain JSON (it travels in the Discovery's target details):
 * the server, each selected database with its filegroups, permissions and msdb backup history. LSNs are
 * decimal strings (numeric(25,0) cast to varchar in every query); times are ISO-8601 instants, converted
 * from the server's local msdb times with the job's server.timeZone.
 */

export type RecoveryModel = 'SIMPLE' | 'FULL' | 'BULK_LOGGED';

export interface ServerInfo {
  /** @@SERVERNAME */
  serverName: string;
  machineName: string;
  instanceName: string | null;
  productVersion: string;
  majorVersion: string;
  minorVersion: string;
  edition: string;
  liteSpeedInstalled: boolean;
  /** How many of the LiteSpeed procedures the plugin uses exist (8 = all). */
  liteSpeedProcedures: number;
}

export interface FilegroupFacts {
  name: string;
  isReadOnly: boolean;
  /** read_only_lsn of the filegroup's files (the same for all of them); null: never made read-only. */
  readOnlyLsn: string | null;
  readWriteLsn: string | null;
  /** File states (ONLINE, OFFLINE, RESTORING...), one per file. */
  fileStates: string[];
}

export interface DatabasePermissions {
  isSysadmin: boolean;
  canBackupDatabase: boolean;
  canBackupLog: boolean;
}

export interface DatabaseFacts {
  name: string;
  state: string;
  recoveryModel: RecoveryModel;
  isReadOnly: boolean;
  isInStandby: boolean;
  userAccess: string;
  /** Data filegroups in data_space_id order; empty when the database could not be opened. */
  filegroups: FilegroupFacts[];
  /** The primary data file's differential base (what SQL Server will base the next differential on). */
  differentialBase: { lsn: string | null; guid: string | null };
  permissions: DatabasePermissions;
  history: HistorySet[];
}

export interface HistoryFilegroup {
  name: string;
  /** Every file of the filegroup is in the backup set. */
  present: boolean;
  isReadOnly: boolean;
  readOnlyLsn: string | null;
  readWriteLsn: string | null;
}

export interface HistoryDevice {
  path: string;
  deviceType: number | null;
  family: number;
  mirror: number;
}

/** One msdb backup set with its filegroups (from backupfile) and devices (mirror 0). */
export interface HistorySet {
  backupSetId: number;
  uuid: string;
  type: MsdbType | 'G';
  isCopyOnly: boolean;
  position: number;
  firstLsn: string;
  lastLsn: string;
  checkpointLsn: string | null;
  databaseBackupLsn: string | null;
  differentialBaseLsn: string | null;
  differentialBaseGuid: string | null;
  /** Instants (ISO-8601, Z). */
  start: string;
  finish: string;
  recoveryModel: RecoveryModel;
  /** The database was read-only when the set was taken. */
  databaseReadOnly: boolean;
  isDamaged: boolean;
  backupSize: string;
  compressedBackupSize: string;
  filegroups: HistoryFilegroup[];
  devices: HistoryDevice[];
}

export interface DirectoryState {
  path: string;
  isDirectory: boolean;
  parentExists: boolean;
}

/** Everything discovery learned about one server, for one job. */
export interface ServerFacts {
  /** `sql01`, `sql01:14330`, `sql01\\DW`: how targets and concurrency groups name the server. */
  label: string;
  info: ServerInfo;
  /** Databases on the server (name, for selection). */
  databaseNames: string[];
  /** The job's root directories as the server sees them. */
  directories: DirectoryState[];
}

export function normalizeRecoveryModel(value: string): RecoveryModel {
  const v = value.toUpperCase().replace('-', '_');
  if (v === 'SIMPLE' || v === 'FULL' || v === 'BULK_LOGGED') return v;
  throw new RangeError(`unknown recovery model ${JSON.stringify(value)}`);
}
