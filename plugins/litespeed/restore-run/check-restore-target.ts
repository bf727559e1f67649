import { ErrorCode, HoldfastError } from '../../../src/core/errors.ts';
import { databasesQuery } from '../queries.ts';
import { runTaggedQuery, type SqlServerSession } from './sql-server-session.ts';

export interface RestoreTargetCheck {
  /** The name restored into. */
  database: string;
  /** The database of that name on the server now, if any. */
  existing: { name: string; state: string } | null;
  /** What the run will do about it, in words. */
  note: string;
}

/**
 * Looks at the database a restore would write (sys.databases) and refuses to overwrite one that exists
 * unless `replace` was asked for (then the first step carries REPLACE). Reads only, so a dry run makes
 * the same check and says what a real run would do. Throws CONFIG_INVALID (exit 2) when refused.
 */
export async function checkRestoreTarget(
  session: SqlServerSession,
  database: string,
  replace: boolean,
): Promise<RestoreTargetCheck> {
  const rows = await runTaggedQuery(await session.pool(), databasesQuery);
  const row = rows.find((r) => String(r.name).toLowerCase() === database.toLowerCase());
  const server = session.label;
  if (!row)
    return {
      database,
      existing: null,
      note: `database ${database} does not exist on ${server}: the restore creates it`,
    };
  const existing = { name: String(row.name), state: String(row.state_desc) };
  if (!replace) {
    throw new HoldfastError(
      ErrorCode.ConfigInvalid,
      `database ${existing.name} already exists on ${server} (${existing.state}); restoring over it needs --replace, or restore under a new name with --as`,
      { target: server, details: { database: existing.name, state: existing.state } },
    );
  }
  return {
    database,
    existing,
    note: `database ${existing.name} exists on ${server} (${existing.state}): --replace overwrites it (REPLACE on the first step)`,
  };
}
