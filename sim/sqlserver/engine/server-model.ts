import { buildDatabase, systemDatabaseSpecs, type DatabaseSpec } from './database-factory.ts';
import { setFilegroupReadOnly } from './database-changes.ts';
import { DevicePaths } from './device-paths.ts';
import { EngineFaults } from './engine-faults.ts';
import { sqlErrors } from './error-catalog.ts';
import type { SimDatabase } from './model.ts';
import { Msdb } from './msdb.ts';
import type { SimClock } from './sim-clock.ts';

export interface ServerOptions {
  /** @@SERVERNAME. */
  serverName: string;
  machineName: string;
  /** ProductVersion, e.g. 16.0.4135.4 (SQL Server 2022 CU). */
  version: { major: number; minor: number; build: number; revision: number };
  productLevel: string;
  edition: string;
  /** SERVERPROPERTY('EngineEdition'): 2 Standard, 3 Enterprise. */
  engineEdition: number;
  login: { user: string; password: string };
  /** Folder on the host under which Windows paths are mapped. */
  dataDir: string;
  /** Where `BACKUP ... TO DISK = 'name.bak'` without a folder goes (a Windows path). */
  defaultBackupDirectory: string;
  /** Modelled backup speed: a backup of N bytes "takes" N / this many seconds (backup_finish_date). */
  backupBytesPerSecond: number;
  /** Refuse file backups of read-write filegroups in SIMPLE (SQL Server only warns, 3022). */
  strictSimpleFileBackups: boolean;
  /** The LiteSpeed extended procedures are installed in master. */
  liteSpeedInstalled: boolean;
}

export const DEFAULT_SERVER_OPTIONS: Omit<ServerOptions, 'dataDir'> = {
  serverName: 'SIM01',
  machineName: 'SIM01',
  version: { major: 16, minor: 0, build: 4135, revision: 4 },
  productLevel: 'RTM',
  edition: 'Enterprise Edition (64-bit)',
  engineEdition: 3,
  login: { user: 'sa', password: 'Holdfast!Sim1' },
  defaultBackupDirectory: 'C:\\SQLBackup',
  backupBytesPerSecond: 400 * 1048576,
  strictSimpleFileBackups: true,
  liteSpeedInstalled: true,
};

/** The whole simulated instance: databases, msdb history, clock, backup paths, faults. */
export class ServerModel {
  readonly options: ServerOptions;
  readonly clock: SimClock;
  readonly paths: DevicePaths;
  readonly msdb = new Msdb();
  readonly faults = new EngineFaults();
  readonly #databases = new Map<string, SimDatabase>();
  #nextId = 5;

  constructor(options: ServerOptions, clock: SimClock) {
    this.options = options;
    this.clock = clock;
    this.paths = new DevicePaths(options.dataDir, options.defaultBackupDirectory);
    const dataFolder = 'C:\\Program Files\\Microsoft SQL Server\\MSSQL16.MSSQLSERVER\\MSSQL\\DATA';
    systemDatabaseSpecs(dataFolder).forEach((spec, i) =>
      this.#databases.set(spec.name.toLowerCase(), buildDatabase(spec, i + 1, clock.now()).db),
    );
  }

  now(): Date {
    return this.clock.now();
  }

  database(name: string): SimDatabase | undefined {
    return this.#databases.get(name.toLowerCase());
  }

  /** The database or error 911. */
  requireDatabase(name: string): SimDatabase {
    const db = this.database(name);
    if (!db) throw sqlErrors.databaseMissing(name);
    return db;
  }

  databases(): SimDatabase[] {
    return [...this.#databases.values()].sort((a, b) => a.id - b.id);
  }

  /** Creates a database (scenario, simulation API); read-only filegroups are switched after creation. */
  createDatabase(spec: DatabaseSpec): SimDatabase {
    if (this.database(spec.name)) throw new Error(`database ${spec.name} already exists`);
    const now = this.now();
    const { db, readOnly } = buildDatabase(spec, this.#nextId++, now);
    this.#checkPhysicalNames(db);
    for (const fg of readOnly) setFilegroupReadOnly(db, fg, true, now);
    this.#databases.set(db.name.toLowerCase(), db);
    return db;
  }

  /** Puts a database built by a restore in place of whatever had its name. */
  install(db: SimDatabase): void {
    this.#databases.set(db.name.toLowerCase(), db);
  }

  allocateDatabaseId(): number {
    return this.#nextId++;
  }

  drop(name: string): void {
    const db = this.requireDatabase(name);
    if (db.system) throw new Error(`cannot drop system database ${db.name}`);
    this.#databases.delete(name.toLowerCase());
  }

  /** The database (other than `except`) that uses this physical file name, if any. */
  ownerOfPhysicalName(path: string, except?: SimDatabase): SimDatabase | undefined {
    const p = path.toLowerCase();
    return this.databases().find(
      (d) => d !== except && d.files.some((f) => f.physicalName.toLowerCase() === p),
    );
  }

  #checkPhysicalNames(db: SimDatabase): void {
    for (const f of db.files) {
      const owner = this.ownerOfPhysicalName(f.physicalName);
      if (owner)
        throw new Error(
          `database ${db.name}: file ${f.physicalName} is already used by database ${owner.name}`,
        );
    }
  }
}
