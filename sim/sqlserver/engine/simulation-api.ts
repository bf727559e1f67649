import type { ExecutionItem, SessionInfo } from '../engine-api.ts';
import { corrupt } from './backup-operation.ts';
import { runSqlText } from './batch-interpreter.ts';
import {
  addFile,
  addFilegroup,
  setDatabaseReadOnly,
  setDatabaseState,
  setFileOffline,
  setFilegroupReadOnly,
  setRecoveryModel,
  writeData,
} from './database-changes.ts';
import type { DatabaseSpec, FileSpec } from './database-factory.ts';
import type { EngineFaults } from './engine-faults.ts';
import { formatLsn } from './lsn.ts';
import {
  filegroupById,
  filegroupState,
  type FileState,
  type RecoveryModel,
  type SimDatabase,
} from './model.ts';
import type { Msdb } from './msdb.ts';
import type { ServerModel } from './server-model.ts';
import { parseDuration, parseSize } from './sim-clock.ts';

/** A read-only picture of a database, LSNs as decimal strings. */
export interface DatabaseView {
  name: string;
  id: number;
  state: string;
  recoveryModel: RecoveryModel;
  isReadOnly: boolean;
  databaseGuid: string;
  familyGuid: string;
  recoveryForkGuid: string;
  /** The LSN the next log record will get. */
  endOfLogLsn: string;
  lastCheckpointLsn: string;
  databaseBackupLsn: string;
  /** Where the next log backup starts; null without a log chain. */
  logChainLsn: string | null;
  filegroups: Array<{ id: number; name: string; isReadOnly: boolean; state: FileState }>;
  files: Array<{
    fileId: number;
    logicalName: string;
    physicalName: string;
    type: 'ROWS' | 'LOG';
    filegroup: string | null;
    state: FileState;
    sizeBytes: number;
    usedBytes: number;
    changedBytes: number;
    readOnlyLsn: string | null;
    readWriteLsn: string | null;
    differentialBaseLsn: string | null;
    differentialBaseGuid: string | null;
  }>;
}

export interface RunResult {
  items: ExecutionItem[];
  /** Error messages (severity >= 11), in order. */
  errors: Array<{ number: number; message: string }>;
  /** Informational messages, in order. */
  infos: string[];
}

/** Sizes in specs may be numbers of bytes or strings like `1.5GB`. */
export type SizeInput = number | string;
export interface FileSpecInput {
  logicalName: string;
  physicalName: string;
  size: SizeInput;
  used?: SizeInput;
}
export interface DatabaseSpecInput extends Omit<DatabaseSpec, 'filegroups' | 'log'> {
  filegroups: Array<{ name: string; readOnly?: boolean; isDefault?: boolean; files: FileSpecInput[] }>;
  log: FileSpecInput;
}

export function toFileSpec(f: FileSpecInput): FileSpec {
  return {
    logicalName: f.logicalName,
    physicalName: f.physicalName,
    sizeBytes: parseSize(f.size),
    ...(f.used !== undefined ? { usedBytes: parseSize(f.used) } : {}),
  };
}

/**
 * The simulation API: what happens to the estate between the product's calls. Tests, scenario files
 * and the demo use it to write data, flip filegroups read-only, change recovery models, add
 * filegroups and files, move the clock, break drives and backup files, and to run T-SQL as `sa`.
 */
export class SimulationApi {
  readonly #server: ServerModel;

  constructor(server: ServerModel) {
    this.#server = server;
  }

  get msdb(): Msdb {
    return this.#server.msdb;
  }

  get faults(): EngineFaults {
    return this.#server.faults;
  }

  now(): Date {
    return this.#server.now();
  }

  /** Moves the simulator's clock forward (`90s`, `15m`, `2h`, `1d`, `1w` or milliseconds). */
  advanceClock(by: string | number): Date {
    this.#server.clock.advance(parseDuration(by));
    return this.now();
  }

  createDatabase(spec: DatabaseSpecInput): DatabaseView {
    const db = this.#server.createDatabase({
      ...spec,
      filegroups: spec.filegroups.map((fg) => ({ ...fg, files: fg.files.map(toFileSpec) })),
      log: toFileSpec(spec.log),
    });
    return view(db);
  }

  dropDatabase(name: string): void {
    this.#server.drop(name);
  }

  /** Writes `size` of data to a filegroup: the log advances, the extents are marked changed. Returns the LSN. */
  write(database: string, filegroup: string, size: SizeInput, options: { grow?: boolean } = {}): string {
    return formatLsn(
      writeData(this.#db(database), filegroup, parseSize(size), this.now(), options.grow ?? false),
    );
  }

  /** Sets a filegroup read-only (records read_only_lsn) or read-write (read_write_lsn). Returns the LSN, or null if unchanged. */
  setFilegroupReadOnly(database: string, filegroup: string, readOnly = true): string | null {
    return formatLsn(setFilegroupReadOnly(this.#db(database), filegroup, readOnly, this.now()));
  }

  setDatabaseReadOnly(database: string, readOnly = true): string | null {
    return formatLsn(setDatabaseReadOnly(this.#db(database), readOnly, this.now()));
  }

  setRecoveryModel(database: string, model: RecoveryModel): void {
    setRecoveryModel(this.#db(database), model, this.now());
  }

  addFilegroup(database: string, name: string, files: FileSpecInput[] = []): void {
    const db = this.#db(database);
    addFilegroup(db, name, this.now());
    for (const f of files) addFile(db, name, toFileSpec(f), this.now());
  }

  addFile(database: string, filegroup: string, file: FileSpecInput): void {
    addFile(this.#db(database), filegroup, toFileSpec(file), this.now());
  }

  /** The database goes OFFLINE / back ONLINE, or is RECOVERY_PENDING (failed to start). */
  setDatabaseState(database: string, state: 'ONLINE' | 'OFFLINE' | 'RECOVERY_PENDING'): void {
    setDatabaseState(this.#db(database), state);
  }

  /** A data file taken OFFLINE (as after damage): backups of it fail 3007 until it is restored. */
  setFileOffline(database: string, logicalName: string): string {
    return formatLsn(setFileOffline(this.#db(database), logicalName, this.now()));
  }

  /** Pages of a data file go bad: BACKUP WITH CHECKSUM fails 3043 unless CONTINUE_AFTER_ERROR (then is_damaged). */
  damageFile(database: string, logicalName: string): void {
    const f = this.#db(database).files.find((x) => x.logicalName.toLowerCase() === logicalName.toLowerCase());
    if (!f || f.type !== 'ROWS') throw new Error(`damageFile: ${database} has no data file ${logicalName}`);
    f.damaged = true;
  }

  /** A drive that is not ready: backups to it fail (LiteSpeed 60601 / native 3201), reads fail 3201. */
  setDriveOffline(letter: string, offline = true): void {
    this.#server.paths.setDriveOffline(letter, offline);
  }

  /** Where a client path (`Y:\SQL_BACKUPS\x.bak`) lives on the host. */
  hostPath(path: string): string {
    return this.#server.paths.toHost(path);
  }

  /** Damages a backup file (its checksums no longer match): verify and restore fail. */
  async corruptBackupFile(path: string): Promise<void> {
    await corrupt([this.hostPath(path)]);
  }

  database(name: string): DatabaseView {
    return view(this.#db(name));
  }

  databases(): string[] {
    return this.#server.databases().map((d) => d.name);
  }

  /** Runs T-SQL as the sa login (in `database`, default master). */
  async run(sql: string, options: { database?: string } = {}): Promise<RunResult> {
    const session: SessionInfo = {
      id: 50,
      login: this.#server.options.login.user,
      database: options.database ?? 'master',
    };
    const items = await runSqlText(
      { server: this.#server, session, signal: new AbortController().signal },
      sql,
      new Map(),
    );
    const errors: RunResult['errors'] = [];
    const infos: string[] = [];
    for (const i of items) {
      if (i.kind !== 'message') continue;
      if (i.message.severity >= 11) errors.push({ number: i.message.number, message: i.message.message });
      else infos.push(i.message.message);
    }
    return { items, errors, infos };
  }

  /** Like {@link run}, but throws when the batch reported an error. */
  async runChecked(sql: string, options: { database?: string } = {}): Promise<RunResult> {
    const r = await this.run(sql, options);
    if (r.errors.length > 0)
      throw new Error(
        `simulator T-SQL failed: ${r.errors.map((e) => `Msg ${e.number}: ${e.message}`).join(' | ')}\n${sql}`,
      );
    return r;
  }

  #db(name: string): SimDatabase {
    return this.#server.requireDatabase(name);
  }
}

export function view(db: SimDatabase): DatabaseView {
  return {
    name: db.name,
    id: db.id,
    state: db.state,
    recoveryModel: db.recoveryModel,
    isReadOnly: db.isReadOnly,
    databaseGuid: db.guid,
    familyGuid: db.familyGuid,
    recoveryForkGuid: db.forkGuid,
    endOfLogLsn: formatLsn(db.log.next),
    lastCheckpointLsn: formatLsn(db.lastCheckpointLsn),
    databaseBackupLsn: formatLsn(db.databaseBackupLsn),
    logChainLsn: formatLsn(db.logChain?.lastLsn ?? null),
    filegroups: db.filegroups.map((fg) => ({
      id: fg.id,
      name: fg.name,
      isReadOnly: fg.isReadOnly,
      state: filegroupState(db, fg),
    })),
    files: db.files.map((f) => ({
      fileId: f.fileId,
      logicalName: f.logicalName,
      physicalName: f.physicalName,
      type: f.type,
      filegroup: filegroupById(db, f.filegroupId)?.name ?? null,
      state: f.state,
      sizeBytes: f.sizeBytes,
      usedBytes: f.usedBytes,
      changedBytes: f.changedBytes,
      readOnlyLsn: formatLsn(f.readOnlyLsn),
      readWriteLsn: formatLsn(f.readWriteLsn),
      differentialBaseLsn: formatLsn(f.diffBase?.lsn ?? null),
      differentialBaseGuid: f.diffBase?.guid ?? null,
    })),
  };
}
