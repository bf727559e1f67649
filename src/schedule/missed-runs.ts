import type { Catalog, RunRecord } from '../catalog/contract.ts';
import { firesBetween, previousFire } from './cron-times.ts';
import type { ScheduleEntry } from './job-schedule.ts';

/** A schedule line whose last fire time has no run recorded after it. */
export interface MissedRun {
  entry: ScheduleEntry;
  /** The newest fire time that passed without a run. */
  fireAt: Date;
  /** Fire times that passed without a run since the last run that covered this line (at least 1, capped at 1000). */
  count: number;
  /** Start of the newest run that covered this line, if the catalog has one. */
  lastRunAt?: Date;
}

/** The backup type a run was started for, from its recorded command (`serve --type log`); undefined: whatever was due. */
export function runType(command: string): string | undefined {
  return /(?:^|\s)--type[ =](\S+)/.exec(command)?.[1];
}

/**
 * Whether a run covers a line's fire time: it started at or after it, for the same type, for a type written
 * earlier in the schedule (a full stands in for the differential that fired with it), or for no type at all.
 */
export function runCovers(
  run: RunRecord,
  entry: ScheduleEntry,
  fireAt: Date,
  ranks: ReadonlyMap<string, number>,
): boolean {
  if (run.startedAt.getTime() < fireAt.getTime()) return false;
  const type = runType(run.command);
  if (type === undefined || entry.type === undefined || type === entry.type) return true;
  const rank = ranks.get(type);
  return rank !== undefined && rank < entry.rank;
}

/**
 * Compares the schedule with the catalog at `now`: for each line, the previous fire time must have a run
 * recorded after it. A job with no run at all is new, not late, and is not reported.
 */
export function findMissedRuns(input: {
  entries: readonly ScheduleEntry[];
  catalog: Pick<Catalog, 'listRuns'>;
  now: Date;
}): MissedRun[] {
  const byJob = new Map<string, ScheduleEntry[]>();
  for (const e of input.entries) byJob.set(e.job, [...(byJob.get(e.job) ?? []), e]);
  const missed: MissedRun[] = [];
  for (const [job, entries] of byJob) {
    // A job without any run is new: nothing to compare (and no fire times to compute).
    if (input.catalog.listRuns({ job, limit: 1 }).length === 0) continue;
    const fires = entries
      .map((entry) => ({ entry, fireAt: previousFire(entry, input.now) }))
      .filter((f): f is { entry: ScheduleEntry; fireAt: Date } => f.fireAt !== undefined);
    if (fires.length === 0) continue;
    const oldest = Math.min(...fires.map((f) => f.fireAt.getTime()));
    const runs = runsSince(input.catalog, job, oldest);
    if (runs.length === 0) continue;
    const ranks = new Map(entries.filter((e) => e.type !== undefined).map((e) => [e.type!, e.rank]));
    for (const { entry, fireAt } of fires) {
      if (runs.some((r) => runCovers(r, entry, fireAt, ranks))) continue;
      const last = runs.find((r) => runCovers(r, entry, new Date(0), ranks));
      const since = last ? last.startedAt : new Date(fireAt.getTime() - 1);
      const count = Math.max(1, firesBetween(entry, since, input.now, 1000).length);
      missed.push({ entry, fireAt, count, lastRunAt: last?.startedAt });
    }
  }
  return missed;
}

/** Newest-first runs of a job, reaching back past `since` when the catalog has that many (or all it has). */
function runsSince(catalog: Pick<Catalog, 'listRuns'>, job: string, since: number): RunRecord[] {
  let runs: RunRecord[] = [];
  for (const limit of [50, 2000, 50_000]) {
    runs = catalog.listRuns({ job, limit });
    if (runs.length < limit || runs[runs.length - 1]!.startedAt.getTime() < since) break;
  }
  return runs;
}
