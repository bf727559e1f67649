import { randomUUID } from 'node:crypto';
import type { MsdbType } from '../backup-paths.ts';
import type { DatabaseFacts, HistorySet, RecoveryModel } from '../server-facts.ts';

/**
 * A small model of one database and its msdb history for the pure tests: LSNs advance, backups record
 * the filegroups they hold as SQL Server's backupfile would, partial/full backups move the differential
 * base, read-only flips move read_only_lsn. Backups are recorded as good in the catalog unless told not.
 */
export class DatabaseModel {
  readonly facts: DatabaseFacts;
  readonly good = new Set<string>();
  #lsn = 34_000_000_012_300_001n;
  #id = 0;

  constructor(
    name: string,
    recoveryModel: RecoveryModel,
    filegroups: Array<{ name: string; readOnly?: boolean }>,
  ) {
    this.facts = {
      name,
      state: 'ONLINE',
      recoveryModel,
      isReadOnly: false,
      isInStandby: false,
      userAccess: 'MULTI_USER',
      filegroups: filegroups.map((f) => ({
        name: f.name,
        isReadOnly: false,
        readOnlyLsn: null,
        readWriteLsn: null,
        fileStates: ['ONLINE'],
      })),
      differentialBase: { lsn: null, guid: null },
      permissions: { isSysadmin: true, canBackupDatabase: true, canBackupLog: true },
      history: [],
    };
    for (const f of filegroups) if (f.readOnly) this.setReadOnly(f.name, true);
  }

  #next(): string {
    this.#lsn += 1_000_000n;
    return this.#lsn.toString();
  }

  write(): this {
    this.#next();
    return this;
  }

  setReadOnly(filegroup: string, readOnly: boolean): this {
    const fg = this.facts.filegroups.find((f) => f.name === filegroup)!;
    fg.isReadOnly = readOnly;
    if (readOnly) fg.readOnlyLsn = this.#next();
    else fg.readWriteLsn = this.#next();
    return this;
  }

  backup(
    type: MsdbType,
    at: string,
    options: { filegroup?: string; copyOnly?: boolean; good?: boolean; recoveryModel?: RecoveryModel } = {},
  ): HistorySet {
    const first = this.#next();
    const checkpoint = first;
    const last = this.#next();
    const rw = (name: string) =>
      name === 'PRIMARY' || !this.facts.filegroups.find((f) => f.name === name)!.isReadOnly;
    const present = (name: string) =>
      type === 'D' || type === 'I'
        ? true
        : type === 'P' || type === 'Q'
          ? rw(name)
          : type === 'F'
            ? name === options.filegroup
            : false;
    const base = this.facts.differentialBase;
    const set: HistorySet = {
      backupSetId: ++this.#id,
      uuid: randomUUID().toUpperCase(),
      type,
      isCopyOnly: options.copyOnly ?? false,
      position: 1,
      firstLsn: first,
      lastLsn: last,
      checkpointLsn: type === 'L' ? null : checkpoint,
      databaseBackupLsn: base.lsn,
      differentialBaseLsn: type === 'I' || type === 'Q' ? base.lsn : null,
      differentialBaseGuid: type === 'I' || type === 'Q' ? base.guid : null,
      start: new Date(at).toISOString(),
      finish: new Date(new Date(at).getTime() + 60_000).toISOString(),
      recoveryModel: options.recoveryModel ?? this.facts.recoveryModel,
      databaseReadOnly: this.facts.isReadOnly,
      isDamaged: false,
      backupSize: '1048576',
      compressedBackupSize: '524288',
      filegroups: this.facts.filegroups.map((f) => ({
        name: f.name,
        present: present(f.name),
        isReadOnly: f.isReadOnly,
        readOnlyLsn: f.readOnlyLsn,
        readWriteLsn: f.readWriteLsn,
      })),
      devices: [{ path: `Y:\\b\\${this.#id}.bak`, deviceType: 7, family: 1, mirror: 0 }],
    };
    this.facts.history.push(set);
    if ((type === 'D' || type === 'P') && !set.isCopyOnly)
      this.facts.differentialBase = { lsn: checkpoint, guid: set.uuid };
    if (options.good !== false) this.good.add(set.uuid);
    return set;
  }
}

/** The source documents' data warehouse: SIMPLE, read-only years, read-write current data. */
export function dwModel(recoveryModel: RecoveryModel = 'SIMPLE'): DatabaseModel {
  return new DatabaseModel('DW', recoveryModel, [
    { name: 'PRIMARY' },
    { name: 'FG_2019', readOnly: true },
    { name: 'FG_2020', readOnly: true },
    { name: 'FG_2021', readOnly: true },
    { name: 'FG_CURRENT' },
  ]);
}
