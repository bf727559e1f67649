import { databaseFilesQuery, databasesQuery, masterFilesQuery } from '../queries.ts';
import { runTaggedQuery, type SqlServerSession } from './sql-server-session.ts';

export interface DatabaseFileState {
  logical_name: string;
  physical_name: string;
  type_desc: string;
  /** null for log files (and for data files whose filegroup could not be named). */
  filegroup: string | null;
  /** ONLINE, RESTORING, RECOVERING, RECOVERY_PENDING, SUSPECT, OFFLINE, DEFUNCT. */
  state: string;
}

/** What the server says about a database after a restore (sys.databases, sys.master_files / database_files). */
export interface DatabaseState {
  database: string;
  exists: boolean;
  /** sys.databases.state_desc; null when the database does not exist. */
  state: string | null;
  recovery_model: string | null;
  /** Per filegroup: ONLINE when every file is online, else the state that keeps it from being online. */
  filegroups: { name: string; state: string }[];
  files: DatabaseFileState[];
}

const SEVERITY = ['DEFUNCT', 'SUSPECT', 'RESTORING', 'RECOVERING', 'RECOVERY_PENDING', 'OFFLINE'];

/**
 * Reads a database's state through the tagged queries: sys.databases for the database, and its files
 * from sys.database_files when it is online (with filegroup names) or sys.master_files otherwise
 * (`filegroupOf` then names the filegroup of each logical file, e.g. from the backup history).
 */
export async function readDatabaseState(
  session: SqlServerSession,
  database: string,
  filegroupOf: ReadonlyMap<string, string | null> = new Map(),
): Promise<DatabaseState> {
  const master = await session.pool();
  const dbs = await runTaggedQuery(master, databasesQuery);
  const db = dbs.find((d) => String(d.name).toLowerCase() === database.toLowerCase());
  if (!db) return { database, exists: false, state: null, recovery_model: null, filegroups: [], files: [] };
  const name = String(db.name);
  const state = String(db.state_desc);
  let files: DatabaseFileState[];
  if (state === 'ONLINE') {
    await session.release(name); // a pool opened before the restore would hold a stale session
    const rows = await runTaggedQuery(await session.pool(name), databaseFilesQuery);
    files = rows.map((r) => ({
      logical_name: String(r.logical_name),
      physical_name: String(r.physical_name),
      type_desc: String(r.type_desc),
      filegroup:
        r.filegroup_name === null || r.filegroup_name === undefined ? null : String(r.filegroup_name),
      state: String(r.state_desc),
    }));
    await session.release(name);
  } else {
    const rows = await runTaggedQuery(master, masterFilesQuery, { database: name });
    const byLower = new Map([...filegroupOf].map(([k, v]) => [k.toLowerCase(), v]));
    files = rows.map((r) => ({
      logical_name: String(r.logical_name),
      physical_name: String(r.physical_name),
      type_desc: String(r.type_desc),
      filegroup:
        String(r.type_desc) === 'LOG' ? null : (byLower.get(String(r.logical_name).toLowerCase()) ?? null),
      state: String(r.state_desc),
    }));
  }
  return {
    database: name,
    exists: true,
    state,
    recovery_model: String(db.recovery_model_desc),
    filegroups: filegroupStates(files),
    files,
  };
}

function filegroupStates(files: DatabaseFileState[]): { name: string; state: string }[] {
  const byGroup = new Map<string, string[]>();
  for (const f of files) {
    if (f.filegroup === null) continue;
    const list = byGroup.get(f.filegroup) ?? [];
    list.push(f.state);
    byGroup.set(f.filegroup, list);
  }
  return [...byGroup].map(([name, states]) => {
    if (states.every((s) => s === 'ONLINE')) return { name, state: 'ONLINE' };
    const worst = SEVERITY.find((s) => states.includes(s)) ?? states.find((s) => s !== 'ONLINE')!;
    return { name, state: worst };
  });
}
