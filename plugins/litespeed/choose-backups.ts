import type { MsdbType } from './backup-paths.ts';
import type { BackupSchedule } from './backup-schedule.ts';
import {
  currentBase,
  describeSet,
  whyFilegroupNeedsBackup,
  whyNoLogChain,
  whyNoValidBase,
  type ChainInput,
  type Strategy,
} from './chain-state.ts';
import type { DatabaseFacts } from './server-facts.ts';
import {
  baseBackup,
  baseName,
  diffBackup,
  diffName,
  logBackup,
  logDue,
  logOnly,
  scheduledCopyOnly,
  scheduledData,
  scheduledLog,
} from './scheduled-backups.ts';

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
