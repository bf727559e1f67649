import type { BackupHistory } from '../restore/history-schema.ts';
import { loadHistoryFile } from '../restore/load-history.ts';
import { readMsdbHistory } from './read-msdb-history.ts';
import type { SqlServerSession } from './sql-server-session.ts';

/**
 * Where backup history comes from (dbatools' "get" stage): a history file (docs/history-file.md) or
 * msdb, read live. Every source yields the same BackupHistory, so the planner cannot tell them apart.
 */
export type HistorySource =
  { kind: 'file'; file: string } | { kind: 'server'; session: SqlServerSession; since?: Date };

export function describeHistorySource(source: HistorySource): string {
  return source.kind === 'file' ? `history file ${source.file}` : `msdb on ${source.session.label}`;
}

/** Loads one database's history from the source (a file holds one database; the planner checks which). */
export async function loadHistory(source: HistorySource, database: string): Promise<BackupHistory> {
  if (source.kind === 'file') return loadHistoryFile(source.file);
  return readMsdbHistory(source.session, { database, ...(source.since ? { since: source.since } : {}) });
}

/** Logical file name -> filegroup (null for log files), from the newest backup set that lists the file. */
export function filegroupsOfFiles(history: BackupHistory): Map<string, string | null> {
  const out = new Map<string, string | null>();
  const newestFirst = [...history.backupsets].sort((a, b) => b.backup_set_id - a.backup_set_id);
  for (const set of newestFirst)
    for (const f of set.files) if (!out.has(f.logical_name)) out.set(f.logical_name, f.filegroup_name);
  return out;
}
