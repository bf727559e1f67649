import type { PlanNote, PlanStep } from '../../src/core/plan.ts';
import type { MsdbType } from './backup-paths.ts';
import { renderBackupPaths } from './backup-paths.ts';
import { actionFor, buildBackupCall, describeCall, type BackupCall } from './backup-call.ts';
import { nextFireTime, type BackupSchedule } from './backup-schedule.ts';
import { backupScript } from './backup-views.ts';
import { chooseBackups, type ChosenBackup, type ForceType } from './choose-backups.ts';
import { directoriesOf, type LiteSpeedBackupSpec } from './job-spec-schema.ts';
import { selectFilegroups } from './select-databases.ts';
import type { DatabaseFacts, ServerFacts } from './server-facts.ts';
import { serverGroup } from './server-target.ts';
import type { MsdbMark } from './confirm-backup-set.ts';

/** What a backup step carries to execute (plain JSON, no secrets). */
export interface BackupStepParams {
  [key: string]: unknown;
  kind: 'backup';
  serverLabel: string;
  call: BackupCall;
  reason: string;
  /** The newest msdb set of the database when the plan was made: the backup must be newer. */
  msdbMark: MsdbMark;
}

export interface PreflightStepParams {
  [key: string]: unknown;
  kind: 'preflight';
  database: string;
  problems: string[];
}

export interface PlanDatabaseInput {
  job: string;
  spec: LiteSpeedBackupSpec;
  server: ServerFacts;
  database: DatabaseFacts;
  now: Date;
  forceType?: ForceType;
  goodBackupSets: ReadonlySet<string>;
  /** Server paths already recorded for this database's backups (a new file must not reuse one). */
  knownLocations: ReadonlySet<string>;
}

export interface PlannedDatabase {
  steps: PlanStep[];
  notes: PlanNote[];
}

export function targetId(serverLabel: string, database: string): string {
  return `${serverLabel}/${database}`;
}

/** The steps of one database that passed preflight: its backups, chained so that it never has two at once. */
export function planDatabase(input: PlanDatabaseInput): PlannedDatabase {
  const { spec, database: db, server } = input;
  const target = targetId(server.label, db.name);
  const schedule: BackupSchedule | undefined = spec.schedule
    ? { ...spec.schedule, timezone: spec.schedule.timezone }
    : undefined;
  const strategy = spec.readWriteFileGroups && db.name.toLowerCase() !== 'master' ? 'partial' : 'full';
  const covered = selectFilegroups(
    spec.fileGroups,
    db.name,
    db.filegroups.map((f) => f.name),
  ).selected;
  const choice = chooseBackups({
    now: input.now,
    strategy,
    ...(schedule ? { schedule } : {}),
    ...(input.forceType ? { forceType: input.forceType } : {}),
    copyOnly: spec.copyOnly,
    changeBackupType: spec.changeBackupType,
    database: db,
    goodBackupSets: input.goodBackupSets,
    coveredFilegroups: covered,
  });
  const notes: PlanNote[] = [
    ...choice.refusals.map((message): PlanNote => ({
      level: 'warning',
      message: `${target}: ${message}`,
      details: { database: db.name },
    })),
    ...choice.notes.map((message): PlanNote => ({
      level: 'info',
      message: `${target}: ${message}`,
      details: { database: db.name },
    })),
  ];
  if (spec.readWriteFileGroups && strategy === 'full')
    notes.push({
      level: 'info',
      message: `${target}: master gets full backups (partial backups are not taken of master)`,
    });
  if (choice.backups.length === 0 && choice.refusals.length === 0)
    notes.push({
      level: 'info',
      message: `${target}: nothing is due${nextDue(schedule, input.now)}`,
      details: { database: db.name },
    });

  const steps: PlanStep[] = [];
  const newest = db.history.at(-1);
  const msdbMark: MsdbMark = { backupSetId: newest?.backupSetId ?? 0, start: newest?.start ?? null };
  for (const chosen of choice.backups) {
    const id = `${input.job}/${target}/${actionFor(chosen.type)}${chosen.filegroup ? `/${chosen.filegroup}` : ''}`;
    const base = {
      id,
      job: input.job,
      plugin: 'litespeed',
      target,
      dependsOn: steps.length > 0 ? [steps.at(-1)!.id] : [],
      concurrency: { group: serverGroup(server.label), limit: spec.maxConcurrentBackupsPerServer },
    };
    let call: BackupCall;
    try {
      call = callFor(input, chosen, schedule?.timezone ?? 'UTC');
    } catch (err) {
      steps.push(preflightStep(input.job, target, db.name, [(err as Error).message], base.dependsOn, id));
      continue;
    }
    const reused = call.files.filter((f) => input.knownLocations.has(f.toLowerCase()));
    if (reused.length > 0) {
      steps.push(
        preflightStep(
          input.job,
          target,
          db.name,
          [
            `the ${describeCall(call)} would write to ${reused.join(', ')}, which already holds a recorded backup: add {Millisecond} to fileName`,
          ],
          base.dependsOn,
          id,
        ),
      );
      continue;
    }
    const params: BackupStepParams = {
      kind: 'backup',
      serverLabel: server.label,
      call,
      reason: chosen.reason,
      msdbMark,
    };
    steps.push({
      ...base,
      action: actionFor(chosen.type),
      command: backupScript(call, chosen.reason),
      reason: chosen.reason,
      params,
    });
  }
  return { steps, notes };
}

function callFor(input: PlanDatabaseInput, chosen: ChosenBackup, timeZone: string): BackupCall {
  const { spec, server, database } = input;
  const directories = directoriesOf(spec);
  const paths = renderBackupPaths({
    directories,
    directoryStructure: spec.directoryStructure,
    fileName: spec.fileName,
    numberOfFiles: spec.numberOfFiles ?? directories.length,
    extensions: { full: spec.fileExtensionFull, diff: spec.fileExtensionDiff, log: spec.fileExtensionLog },
    server: {
      machineName: server.info.machineName,
      instanceName: server.info.instanceName,
      serviceName: null,
      majorVersion: server.info.majorVersion,
      minorVersion: server.info.minorVersion,
    },
    database: database.name,
    type: chosen.type as MsdbType,
    filegroup: chosen.filegroup,
    copyOnly: chosen.copyOnly,
    description: spec.description ?? null,
    at: input.now,
    timeZone,
  });
  return buildBackupCall(spec, database.name, chosen, paths);
}

function nextDue(schedule: BackupSchedule | undefined, now: Date): string {
  if (!schedule) return '';
  const next = (['full', 'differential', 'log'] as const)
    .map((t) => ({ t, at: schedule[t] ? nextFireTime(schedule[t]!, schedule.timezone, now) : null }))
    .filter((x) => x.at !== null)
    .map((x) => `${x.t} at ${x.at!.toISOString()}`);
  return next.length > 0 ? ` (next: ${next.join(', ')})` : '';
}

/** A step that only fails, with the problems that keep a database from being backed up. */
export function preflightStep(
  job: string,
  target: string,
  database: string,
  problems: string[],
  dependsOn: string[] = [],
  id = `${job}/${target}/preflight`,
): PlanStep {
  const params: PreflightStepParams = { kind: 'preflight', database, problems };
  return {
    id,
    job,
    plugin: 'litespeed',
    target,
    action: 'preflight',
    command: [
      '-- not run: preflight found problems',
      ...problems.map((p) => `-- ${p.replace(/[\r\n]+/g, ' ')}`),
    ].join('\n'),
    reason: `job ${job}, database ${database}: ${problems.join('; ')}`,
    dependsOn,
    params,
  };
}
