import type { LiteSpeedBackupSpec } from './job-spec-schema.ts';
import { missingBareFilegroups, selectFilegroups } from './select-databases.ts';
import type { DatabaseFacts, ServerFacts } from './server-facts.ts';

/**
 * Preflight: what discovery read, checked against the job before anything runs. Pure. Every problem is
 * reported at once, each naming the value it is about; a database with a problem gets no backup step.
 */

export interface PreflightInput {
  spec: LiteSpeedBackupSpec;
  server: ServerFacts;
  /** Facts of the selected databases that exist. */
  databases: readonly (DatabaseFacts & { readProblem?: string })[];
  /** Names without wildcards that are not on the server, and names that are never backed up. */
  missing: readonly string[];
  refused: readonly { name: string; why: string }[];
  /** The run asks for log backups (`--type log`), or the job has a log schedule. */
  wantsLogs: boolean;
}

export interface DatabasePreflight {
  database: string;
  problems: string[];
}

export interface PreflightResult {
  /** Problems of the server that block every database of the job. */
  serverProblems: string[];
  databases: DatabasePreflight[];
  /** Things a reviewer should know that do not block (a directory that will be created). */
  notes: string[];
}

const LITESPEED_PROCEDURES = 8;

export function runPreflight(input: PreflightInput): PreflightResult {
  const { spec, server } = input;
  const out: PreflightResult = { serverProblems: [], databases: [], notes: [] };
  const name = server.info.serverName || server.label;
  if (spec.engine === 'litespeed') {
    if (!server.info.liteSpeedInstalled) {
      out.serverProblems.push(
        `LiteSpeed is not installed on ${name}: master.dbo.xp_backup_database does not exist (install LiteSpeed, or use engine: native)`,
      );
    } else if (server.info.liteSpeedProcedures < LITESPEED_PROCEDURES) {
      out.serverProblems.push(
        `only ${server.info.liteSpeedProcedures} of the ${LITESPEED_PROCEDURES} LiteSpeed procedures holdfast uses exist in master on ${name}`,
      );
    }
  }
  for (const dir of server.directories) {
    if (!dir.isDirectory && !dir.parentExists)
      out.serverProblems.push(
        `directory ${dir.path} is not reachable from ${name}: neither it nor its parent folder exists there (drive offline, share missing, or no permission)`,
      );
    else if (!dir.isDirectory)
      out.notes.push(
        `directory ${dir.path} does not exist on ${name} yet; it will be created with the first backup`,
      );
  }

  for (const m of input.missing)
    out.databases.push({ database: m, problems: [`database ${m} does not exist on ${name}`] });
  for (const r of input.refused)
    out.databases.push({ database: r.name, problems: [`database ${r.name}: ${r.why}`] });

  const filegroupsByDb = new Map(input.databases.map((d) => [d.name, d.filegroups.map((f) => f.name)]));
  const bare = missingBareFilegroups(spec.fileGroups, filegroupsByDb);
  for (const db of input.databases) {
    const problems: string[] = [];
    if (db.state !== 'ONLINE') problems.push(`database ${db.name} is ${db.state}, not ONLINE`);
    else if (db.isInStandby)
      problems.push(`database ${db.name} is in STANDBY (a restore sequence is in progress)`);
    if (db.readProblem) problems.push(db.readProblem);
    if (!db.permissions.canBackupDatabase)
      problems.push(
        `the login may not back up database ${db.name}: it needs BACKUP DATABASE (db_backupoperator) there`,
      );
    if (input.wantsLogs && db.recoveryModel !== 'SIMPLE' && !db.permissions.canBackupLog)
      problems.push(
        `the login may not back up the log of ${db.name}: it needs BACKUP LOG (db_backupoperator) there`,
      );
    const names = db.filegroups.map((f) => f.name);
    for (const fg of selectFilegroups(spec.fileGroups, db.name, names).missing) {
      problems.push(
        `filegroup ${fg} named in fileGroups does not exist in database ${db.name} (it has ${names.join(', ') || 'no filegroups that could be read'})`,
      );
    }
    for (const fg of bare)
      problems.push(
        `filegroup ${fg} named in fileGroups exists in no selected database (${db.name} has ${names.join(', ')})`,
      );
    for (const fg of db.filegroups) {
      const offline = [...new Set(fg.fileStates.filter((s) => s !== 'ONLINE'))];
      if (offline.length > 0)
        problems.push(`filegroup ${fg.name} of ${db.name} has files that are ${offline.join(', ')}`);
    }
    out.databases.push({ database: db.name, problems });
  }
  return out;
}
