import type { DatabaseFacts, FilegroupFacts, HistorySet } from './server-facts.ts';

/**
 * What the msdb history and the catalog say about one database's backup chain, as rules that return their
 * reason: is the current differential base usable, does a read-only filegroup have a backup that still
 * matches it, is there a log chain. Pure.
 */

export type Strategy = 'partial' | 'full';

export interface ChainInput {
  strategy: Strategy;
  database: DatabaseFacts;
  /** backup_set_uuid of every backup set recorded as good in holdfast's catalog. */
  goodBackupSets: ReadonlySet<string>;
}

const when = (s: HistorySet) => s.start.replace('.000Z', 'Z');
export const describeSet = (s: HistorySet): string =>
  `backup set ${s.backupSetId} (${typeName(s.type)}, ${when(s)})`;

export function typeName(type: string): string {
  return (
    (
      {
        D: 'full',
        I: 'differential',
        L: 'log',
        F: 'filegroup',
        G: 'differential file',
        P: 'partial',
        Q: 'differential partial',
      } as Record<string, string>
    )[type] ?? type
  );
}

export function isGood(input: ChainInput, s: HistorySet): boolean {
  return input.goodBackupSets.has(s.uuid) && !s.isDamaged;
}

/** SQL Server's current differential base: the newest non-copy-only full or partial. */
export function currentBase(db: DatabaseFacts): HistorySet | null {
  const bases = db.history.filter((s) => (s.type === 'D' || s.type === 'P') && !s.isCopyOnly);
  return bases.at(-1) ?? null;
}

/** Why the current base cannot carry a differential (or be kept as this job's base), or null when it can. */
export function whyNoValidBase(input: ChainInput): string | null {
  const db = input.database;
  const wanted = input.strategy === 'partial' ? 'P' : 'D';
  const base = currentBase(db);
  if (!base) return `${db.name} has no ${typeName(wanted)} backup in msdb yet`;
  if (db.filegroups.length > 0) {
    if (db.differentialBase.guid === null)
      return `SQL Server has no differential base for ${db.name} (restored or changed since ${describeSet(base)})`;
    if (db.differentialBase.guid !== base.uuid) {
      return `SQL Server's differential base of ${db.name} (backup set ${db.differentialBase.guid}) is not the newest full or partial in msdb, ${describeSet(base)}: history was purged or another tool took a backup`;
    }
  }
  if (base.type !== wanted)
    return `the current base, ${describeSet(base)}, is a ${typeName(base.type)} backup but this job takes ${typeName(wanted)} backups`;
  if (!isGood(input, base))
    return `the current base, ${describeSet(base)}, is not recorded as good in holdfast's catalog (taken outside holdfast, or not verified)`;
  if (input.strategy === 'partial') {
    if (base.databaseReadOnly && !db.isReadOnly)
      return `${db.name} was read-only when ${describeSet(base)} was taken and is read-write now, so a differential partial would fail`;
    for (const fg of db.filegroups) {
      const problem = filegroupChangedSinceBase(db, base, fg);
      if (problem) return problem;
    }
  }
  return null;
}

function filegroupChangedSinceBase(db: DatabaseFacts, base: HistorySet, fg: FilegroupFacts): string | null {
  if (fg.name.toUpperCase() === 'PRIMARY') return null;
  const inBase = base.filegroups.find((g) => g.name.toLowerCase() === fg.name.toLowerCase());
  if (!inBase) return `filegroup ${fg.name} was added after ${describeSet(base)}`;
  if (inBase.present) return null;
  if (!fg.isReadOnly && !db.isReadOnly)
    return `filegroup ${fg.name} is read-write now but is not in ${describeSet(base)} (it was read-only then)`;
  if (fg.isReadOnly && inBase.readOnlyLsn !== fg.readOnlyLsn) {
    return `read-only filegroup ${fg.name} was made read-write and read-only again after ${describeSet(base)} (read_only_lsn ${inBase.readOnlyLsn ?? 'NULL'} then, ${fg.readOnlyLsn ?? 'NULL'} now), so that base no longer matches any backup of it`;
  }
  return null;
}

/**
 * Why a read-only filegroup needs a new filegroup backup, or null when a good backup taken while it was
 * read-only still matches its current read_only_lsn (reference §2.3 rule 10).
 */
export function whyFilegroupNeedsBackup(input: ChainInput, fg: FilegroupFacts): string | null {
  const holding = input.database.history.filter(
    (s) =>
      s.type === 'F' && s.filegroups.some((g) => g.name.toLowerCase() === fg.name.toLowerCase() && g.present),
  );
  const entry = (s: HistorySet) => s.filegroups.find((g) => g.name.toLowerCase() === fg.name.toLowerCase())!;
  const matches = holding.filter((s) => entry(s).isReadOnly && entry(s).readOnlyLsn === fg.readOnlyLsn);
  if (matches.some((s) => isGood(input, s))) return null;
  const latest = holding.at(-1);
  if (!latest) return `read-only filegroup ${fg.name} has no filegroup backup`;
  const e = entry(latest);
  if (!e.isReadOnly)
    return `the last backup of filegroup ${fg.name}, ${describeSet(latest)}, was taken while it was read-write`;
  if (e.readOnlyLsn !== fg.readOnlyLsn) {
    return `filegroup ${fg.name} changed since its last backup, ${describeSet(latest)}: its read_only_lsn moved from ${e.readOnlyLsn ?? 'NULL'} to ${fg.readOnlyLsn ?? 'NULL'} (it was made read-write and read-only again)`;
  }
  return `the backup of filegroup ${fg.name} that matches it, ${describeSet(matches.at(-1) ?? latest)}, is not recorded as good in holdfast's catalog (taken outside holdfast, or not verified)`;
}

/** Why a log backup cannot be taken now, or null when SQL Server has a log chain. */
export function whyNoLogChain(db: DatabaseFacts): string | null {
  if (db.recoveryModel === 'SIMPLE')
    return `log backups need the FULL or BULK_LOGGED recovery model; ${db.name} uses SIMPLE`;
  const base = currentBase(db);
  if (!base) return `${db.name} has no full or partial backup yet, so it has no log chain`;
  if (base.recoveryModel === 'SIMPLE')
    return `${db.name} was in SIMPLE recovery when its last base, ${describeSet(base)}, was taken; a new base starts the log chain`;
  return null;
}

/** The newest good data backup (base or differential) on the current base, for "is a differential due". */
export function latestDataBackupOnBase(input: ChainInput, base: HistorySet): HistorySet {
  const diffs = input.database.history.filter(
    (s) => (s.type === 'Q' || s.type === 'I') && s.differentialBaseGuid === base.uuid && isGood(input, s),
  );
  return diffs.at(-1) ?? base;
}

/** The newest log backup in msdb (any producer: it moved the log chain). */
export function latestLog(db: DatabaseFacts): HistorySet | null {
  return db.history.filter((s) => s.type === 'L' && !s.isCopyOnly).at(-1) ?? null;
}
