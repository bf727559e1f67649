import { dueSince } from './backup-schedule.ts';
import {
  currentBase,
  describeSet,
  latestDataBackupOnBase,
  latestLog,
  typeName,
  whyNoLogChain,
  whyNoValidBase,
  type ChainInput,
} from './chain-state.ts';
import type { BackupChoice, ChooseBackupsInput, ChosenBackup } from './choose-backups.ts';

/**
 * The backups a run without --type takes: what the schedule says is due (cron fired after the last backup
 * that satisfies it), or, without a schedule, what the chain needs. Helpers of chooseBackups; pure.
 */

export const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');

export const baseName = (input: ChooseBackupsInput) => typeName(input.strategy === 'partial' ? 'P' : 'D');
export const diffName = (input: ChooseBackupsInput) => typeName(input.strategy === 'partial' ? 'Q' : 'I');

export function baseBackup(input: ChooseBackupsInput, reason: string): ChosenBackup {
  return {
    kind: 'base',
    type: input.strategy === 'partial' ? 'P' : 'D',
    filegroup: null,
    copyOnly: input.copyOnly,
    reason,
  };
}

export function diffBackup(input: ChooseBackupsInput, reason: string): ChosenBackup {
  return {
    kind: 'differential',
    type: input.strategy === 'partial' ? 'Q' : 'I',
    filegroup: null,
    copyOnly: false,
    reason,
  };
}

export function logBackup(input: ChooseBackupsInput, reason: string): ChosenBackup {
  return { kind: 'log', type: 'L', filegroup: null, copyOnly: input.copyOnly, reason };
}

/** Base or differential as the schedule (or, without one, the chain) asks. */
export function scheduledData(input: ChooseBackupsInput, chain: ChainInput): ChosenBackup | null {
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

export function scheduledCopyOnly(input: ChooseBackupsInput): ChosenBackup | null {
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
export function logOnly(input: ChooseBackupsInput): boolean {
  return (
    input.schedule !== undefined &&
    input.schedule.log !== undefined &&
    !input.schedule.full &&
    !input.schedule.differential
  );
}

export function logDue(input: ChooseBackupsInput): boolean {
  const last = latestLog(input.database);
  const base = currentBase(input.database);
  return dueSince(
    input.schedule!,
    'log',
    input.now,
    last ? new Date(last.start) : base ? new Date(base.start) : null,
  ).due;
}

export function scheduledLog(
  input: ChooseBackupsInput,
  baseTaken: boolean,
  out: BackupChoice,
): ChosenBackup | null {
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
