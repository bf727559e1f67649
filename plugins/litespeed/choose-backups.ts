import type { MsdbType } from './backup-paths.ts';
import { dueSince, type BackupSchedule } from './backup-schedule.ts';
import {
  currentBase,
  describeSet,
  latestDataBackupOnBase,
  latestLog,
  typeName,
  whyFilegroupNeedsBackup,
  whyNoLogChain,
  whyNoValidBase,
  type ChainInput,
  type Strategy,
} from './chain-state.ts';
import type { DatabaseFacts } from './server-facts.ts';

/**
 * Chooses the backups of one database for one run: a pure function of the clock, the schedule, the msdb
 * history (in the database facts) and the catalog (which backup sets are recorded as good). Every decision
 * carries its reason; what is not taken, or refused, is said too.
 */

export const FORCE_TYPES = ['full', 'differential', 'log', 'filegroup'] as const;
export type ForceType = (typeof FORCE_TYPES)[number];

export type BackupKind = 'filegroup' | 'base' | 'differential' | 'log';

export interface ChosenBackup {
  kind: BackupKind;
  /** msdb backupset.type the backup will have. */
  type: MsdbType;
  filegroup: string | null;
  copyOnly: boolean;
  reason: string;
}

export interface BackupChoice {
  backups: ChosenBackup[];
  /** Why other backups are not taken (for the plan's notes). */
  notes: string[];
  /** Backups asked for (by --type) that cannot work, with the reason. */
  refusals: string[];
}

export interface ChooseBackupsInput {
  now: Date;
  strategy: Strategy;
  /** Absent: every run takes what the chain needs (a base, else a differential; logs in FULL). */
  schedule?: BackupSchedule;
  forceType?: ForceType;
  copyOnly: boolean;
  changeBackupType: boolean;
  database: DatabaseFacts;
  goodBackupSets: ReadonlySet<string>;
  /** Read-only filegroups the job covers (fileGroups option). */
  coveredFilegroups: ReadonlySet<string>;
}

const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');

export function chooseBackups(input: ChooseBackupsInput): BackupChoice {
  const { database: db, strategy } = input;
  const chain: ChainInput = { strategy, database: db, goodBackupSets: input.goodBackupSets };
  const out: BackupChoice = { backups: [], notes: [], refusals: [] };
  const force = input.forceType;
  let data: ChosenBackup | null = null;
  let log: ChosenBackup | null = null;

  if (force === 'full') {
    data = baseBackup(input, `--type full asks for a ${baseName(input)} backup`);
  } else if (force === 'differential') {
    data = forcedDifferential(input, chain, out);
  } else if (force === 'log') {
    const noChain = whyNoLogChain(db);
    if (noChain === null) log = logBackup(input, '--type log asks for a log backup');
    else if (db.recoveryModel !== 'SIMPLE' && input.changeBackupType && !input.copyOnly) {
      data = baseBackup(
        input,
        `--type log asks for a log backup, but ${noChain}; taking a ${baseName(input)} backup instead (changeBackupType)`,
      );
    } else out.refusals.push(`--type log: ${noChain}`);
  } else if (force === undefined && logOnly(input)) {
    // A job that only backs up logs (another job takes the bases): a base only when there is no log chain.
    const noChain = whyNoLogChain(db);
    const needsBase =
      noChain !== null &&
      db.recoveryModel !== 'SIMPLE' &&
      input.changeBackupType &&
      !input.copyOnly &&
      logDue(input);
    if (needsBase) {
      data = baseBackup(
        input,
        `the log schedule (${input.schedule!.log}) fired, but ${noChain}; taking a ${baseName(input)} backup first (changeBackupType)`,
      );
    }
    log = scheduledLog(input, needsBase, out);
  } else if (force === undefined) {
    data = input.copyOnly ? scheduledCopyOnly(input) : scheduledData(input, chain);
    const noChain = whyNoLogChain(db);
    if (
      data?.kind !== 'base' &&
      noChain !== null &&
      db.recoveryModel !== 'SIMPLE' &&
      input.changeBackupType &&
      !input.copyOnly &&
      input.schedule?.log &&
      logDue(input)
    ) {
      data = baseBackup(
        input,
        `the log schedule (${input.schedule.log}) fired, but ${noChain}; taking a ${baseName(input)} backup first (changeBackupType)`,
      );
    }
    log = scheduledLog(input, data?.kind === 'base', out);
  }

  const filegroups =
    force === 'log' || (force === undefined && logOnly(input))
      ? []
      : chooseFilegroups(input, chain, force === 'filegroup', out);
  if (force === 'filegroup' && filegroups.length === 0)
    out.refusals.push(`--type filegroup: ${db.name} has no read-only filegroup this job covers`);
  out.backups.push(...filegroups);
  if (data) out.backups.push(data);
  if (log) out.backups.push(log);
  if (force === undefined && data !== null && db.isReadOnly && strategy === 'partial') {
    out.notes.push(
      `${db.name} is read-only: its partial backup holds PRIMARY only; read-write filegroups of a read-only database are not backed up by the partial strategy`,
    );
  }
  return out;
}

const baseName = (input: ChooseBackupsInput) => typeName(input.strategy === 'partial' ? 'P' : 'D');
const diffName = (input: ChooseBackupsInput) => typeName(input.strategy === 'partial' ? 'Q' : 'I');

function baseBackup(input: ChooseBackupsInput, reason: string): ChosenBackup {
  return {
    kind: 'base',
    type: input.strategy === 'partial' ? 'P' : 'D',
    filegroup: null,
    copyOnly: input.copyOnly,
    reason,
  };
}

function diffBackup(input: ChooseBackupsInput, reason: string): ChosenBackup {
  return {
    kind: 'differential',
    type: input.strategy === 'partial' ? 'Q' : 'I',
    filegroup: null,
    copyOnly: false,
    reason,
  };
}

function forcedDifferential(
  input: ChooseBackupsInput,
  chain: ChainInput,
  out: BackupChoice,
): ChosenBackup | null {
  if (input.copyOnly) {
    out.refusals.push('--type differential: this job takes copy-only backups, which have no differentials');
    return null;
  }
  const noBase = whyNoValidBase(chain);
  if (noBase === null)
    return diffBackup(
      input,
      `--type differential asks for a ${diffName(input)} backup on ${describeSet(currentBase(input.database)!)}`,
    );
  if (input.changeBackupType)
    return baseBackup(
      input,
      `--type differential asks for a differential, but ${noBase}; taking a ${baseName(input)} backup instead (changeBackupType)`,
    );
  out.refusals.push(`--type differential: ${noBase} (changeBackupType is off)`);
  return null;
}

/** Base or differential as the schedule (or, without one, the chain) asks. */
function scheduledData(input: ChooseBackupsInput, chain: ChainInput): ChosenBackup | null {
  const noBase = whyNoValidBase(chain);
  const { schedule, now } = input;
  if (noBase !== null) {
    // Like Ola's ChangeBackupType: a differential that is due but has no valid base becomes a base.
    const diffDue = schedule ? dueSince(schedule, 'differential', now, null) : { due: false, fired: null };
    const fullDue = schedule?.full ? dueSince(schedule, 'full', now, null) : { due: false, fired: null };
    const asDifferential =
      diffDue.due && (!fullDue.due || diffDue.fired!.getTime() > fullDue.fired!.getTime());
    return baseBackup(
      input,
      asDifferential
        ? `the differential schedule (${schedule!.differential}) fired at ${iso(diffDue.fired!)}, but ${noBase}; taking a ${baseName(input)} backup instead`
        : noBase,
    );
  }
  const base = currentBase(input.database)!;
  if (!schedule)
    return diffBackup(
      input,
      `no schedule: every run takes a ${diffName(input)} backup on ${describeSet(base)}`,
    );
  const full = dueSince(schedule, 'full', now, new Date(base.start));
  if (full.due)
    return baseBackup(
      input,
      `the full schedule (${schedule.full}) fired at ${iso(full.fired!)}, after the current base, ${describeSet(base)}`,
    );
  const latest = latestDataBackupOnBase(chain, base);
  const diff = dueSince(schedule, 'differential', now, new Date(latest.start));
  if (diff.due)
    return diffBackup(
      input,
      `the differential schedule (${schedule.differential}) fired at ${iso(diff.fired!)}, after ${describeSet(latest)}; based on ${describeSet(base)}`,
    );
  return null;
}

function scheduledCopyOnly(input: ChooseBackupsInput): ChosenBackup | null {
  const db = input.database;
  const last =
    db.history
      .filter((s) => (s.type === 'D' || s.type === 'P') && s.isCopyOnly && input.goodBackupSets.has(s.uuid))
      .at(-1) ?? null;
  if (!last) return baseBackup(input, `no copy-only ${baseName(input)} backup of ${db.name} yet`);
  if (!input.schedule)
    return baseBackup(input, `no schedule: every run takes a copy-only ${baseName(input)} backup`);
  const due = dueSince(input.schedule, 'full', input.now, new Date(last.start));
  return due.due
    ? baseBackup(
        input,
        `the full schedule (${input.schedule.full}) fired at ${iso(due.fired!)}, after the last copy-only backup, ${describeSet(last)}`,
      )
    : null;
}

/** The schedule names only log backups. */
function logOnly(input: ChooseBackupsInput): boolean {
  return (
    input.schedule !== undefined &&
    input.schedule.log !== undefined &&
    !input.schedule.full &&
    !input.schedule.differential
  );
}

function logDue(input: ChooseBackupsInput): boolean {
  const last = latestLog(input.database);
  const base = currentBase(input.database);
  return dueSince(
    input.schedule!,
    'log',
    input.now,
    last ? new Date(last.start) : base ? new Date(base.start) : null,
  ).due;
}

function scheduledLog(input: ChooseBackupsInput, baseTaken: boolean, out: BackupChoice): ChosenBackup | null {
  const { database: db, schedule, now } = input;
  if (db.recoveryModel === 'SIMPLE') return null;
  let why: string;
  if (!schedule) why = 'no schedule: every run backs up the log';
  else if (!schedule.log) {
    out.notes.push(
      `${db.name} uses the ${db.recoveryModel} recovery model but the job has no log schedule: its transaction log is never backed up and will grow`,
    );
    return null;
  } else {
    const last = latestLog(db);
    const base = currentBase(db);
    const due = dueSince(
      schedule,
      'log',
      now,
      last ? new Date(last.start) : base ? new Date(base.start) : null,
    );
    if (!due.due && !baseTaken) return null;
    why = due.due
      ? `the log schedule (${schedule.log}) fired at ${iso(due.fired!)}`
      : 'right after the new base';
  }
  const noChain = whyNoLogChain(db);
  if (noChain !== null && !baseTaken) {
    out.notes.push(`no log backup: ${noChain}`);
    return null;
  }
  return logBackup(input, noChain !== null ? `${why}; the new base starts the log chain` : why);
}

function logBackup(input: ChooseBackupsInput, reason: string): ChosenBackup {
  return { kind: 'log', type: 'L', filegroup: null, copyOnly: input.copyOnly, reason };
}

/** Filegroup backups of covered read-only filegroups: those without a matching good backup, or all when forced. */
function chooseFilegroups(
  input: ChooseBackupsInput,
  chain: ChainInput,
  forced: boolean,
  out: BackupChoice,
): ChosenBackup[] {
  if (input.strategy !== 'partial' && !forced) return [];
  const chosen: ChosenBackup[] = [];
  for (const fg of input.database.filegroups) {
    if (!fg.isReadOnly || fg.name.toUpperCase() === 'PRIMARY') continue;
    if (!input.coveredFilegroups.has(fg.name)) {
      if (input.strategy === 'partial')
        out.notes.push(
          `read-only filegroup ${fg.name} is not covered by fileGroups: a restore of ${input.database.name} from this job's backups cannot bring it back`,
        );
      continue;
    }
    const why = forced
      ? '--type filegroup asks for a backup of every read-only filegroup'
      : whyFilegroupNeedsBackup(chain, fg);
    if (why !== null)
      chosen.push({
        kind: 'filegroup',
        type: 'F',
        filegroup: fg.name,
        copyOnly: input.copyOnly,
        reason: why,
      });
  }
  return chosen;
}
