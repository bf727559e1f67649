import { ErrorCode, HoldfastError } from '../../src/core/errors.ts';
import type { Job } from '../../src/core/job.ts';
import type { PlanNote } from '../../src/core/plan.ts';
import type { Discovery, PluginContext } from '../../src/plugin/contract.ts';
import { directoriesOf, type LiteSpeedBackupSpec } from './job-spec-schema.ts';
import { targetId } from './plan-backups.ts';
import {
  readDatabaseFacts,
  readDatabaseList,
  readDirectories,
  readServerInfo,
  type FactReader,
} from './read-server-facts.ts';
import { describeSqlErrors } from './run-statement.ts';
import { selectDatabases } from './select-databases.ts';
import type { DatabaseFacts, ServerFacts } from './server-facts.ts';
import { resolveServer } from './server-target.ts';
import type { SqlPools } from './sql-connection.ts';

/** What a discovered target carries (plain JSON): the server's facts and the database's, or why it has none. */
export interface TargetDetails {
  [key: string]: unknown;
  /** The database name as the job or the server spells it. */
  name: string;
  server: ServerFacts;
  database: (DatabaseFacts & { readProblem?: string }) | null;
  /** The job names this database and the server does not have it. */
  missing?: boolean;
  /** The job names this database and it is never backed up (tempdb). */
  refused?: string;
}

/**
 * Discovery reads the server through the fixed catalog queries: the server and LiteSpeed, the databases,
 * the selected ones' filegroups, permissions and msdb history, and the job's directories as the server sees
 * them. Only reads. A server that cannot be reached fails the job's discovery (retryable).
 */
export async function discoverJob(job: Job, ctx: PluginContext, pools: SqlPools): Promise<Discovery> {
  const spec = job.spec as LiteSpeedBackupSpec;
  const resolved = await resolveServer(spec.server, ctx.resolveSecret, spec.maxConcurrentBackupsPerServer);
  const reader: FactReader = { pools, target: resolved.target, timeZone: spec.server.timeZone };
  const label = resolved.label;
  const notes: PlanNote[] = [];
  try {
    const info = await readServerInfo(reader);
    const list = await readDatabaseList(reader);
    const selection = selectDatabases(
      spec.databases,
      list.map((d) => d.name),
    );
    const server: ServerFacts = {
      label,
      info,
      databaseNames: list.map((d) => d.name),
      directories: await readDirectories(reader, directoriesOf(spec)),
    };
    const targets: Discovery['targets'] = [];
    for (const name of selection.selected) {
      const entry = list.find((d) => d.name === name)!;
      const details: TargetDetails = { name, server, database: await readDatabaseFacts(reader, entry) };
      targets.push({ id: targetId(label, name), details });
    }
    for (const name of selection.missing)
      targets.push({
        id: targetId(label, name),
        details: { name, server, database: null, missing: true } satisfies TargetDetails,
      });
    for (const r of selection.refused)
      targets.push({
        id: targetId(label, r.name),
        details: { name: r.name, server, database: null, refused: r.why } satisfies TargetDetails,
      });
    for (const pattern of selection.unmatched)
      notes.push({
        level: 'warning',
        message: `${label}: databases entry "${pattern}" matches no database`,
        details: { pattern },
      });
    if (targets.length === 0)
      notes.push({
        level: 'warning',
        message: `${label}: the job selects no database (${spec.databases.join(', ')})`,
      });
    return { targets, notes };
  } catch (err) {
    if (err instanceof HoldfastError) throw err;
    const { text } = describeSqlErrors(err, resolved.secrets);
    throw new HoldfastError(ErrorCode.ServerError, `cannot read SQL Server ${label}: ${text}`, {
      retryable: true,
      target: label,
    });
  }
}
