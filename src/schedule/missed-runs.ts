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
 *
 * The recent runs of all jobs are read newest first in one pass (back to the oldest previous fire time); only a
 * job that looks late has its own history read, to count what it missed and to tell late from new.
 */
export function findMissedRuns(input: {
  entries: readonly ScheduleEntry[];
  catalog: Pick<Catalog, 'listRuns'>;
  now: Date;
}): MissedRun[] {
  if (input.entries.length === 0 || input.catalog.listRuns({ limit: 1 }).length === 0) return [];
  const byJob = new Map<string, { entry: ScheduleEntry; fireAt: Date }[]>();
  for (const entry of input.entries) {
    const fireAt = previousFire(entry, input.now);
    if (fireAt) byJob.set(entry.job, [...(byJob.get(entry.job) ?? []), { entry, fireAt }]);
  }
  if (byJob.size === 0) return [];
  const oldest = Math.min(...[...byJob.values()].flat().map((f) => f.fireAt.getTime()));
  const recent = new Map<string, RunRecord[]>();
  for (const run of recentRuns(input.catalog, oldest)) {
    for (const job of run.jobs) recent.set(job, [...(recent.get(job) ?? []), run]);
  }
  const missed: MissedRun[] = [];
  for (const [job, fires] of byJob) {
    const ranks = new Map(
      fires.filter((f) => f.entry.type !== undefined).map((f) => [f.entry.type!, f.entry.rank]),
    );
    const covered = (runs: readonly RunRecord[], f: { entry: ScheduleEntry; fireAt: Date }) =>
      runs.some((r) => runCovers(r, f.entry, f.fireAt, ranks));
    const late = fires.filter((f) => !covered(recent.get(job) ?? [], f));
    if (late.length === 0) continue;
    const history = jobRunsSince(input.catalog, job, Math.min(...late.map((f) => f.fireAt.getTime())));
    if (history.length === 0) continue;
    for (const f of late) {
      if (covered(history, f)) continue;
      const last = history.find((r) => runCovers(r, f.entry, new Date(0), ranks));
      const since = last ? last.startedAt : new Date(f.fireAt.getTime() - 1);
      const count = Math.max(1, firesBetween(f.entry, since, input.now, 1000).length);
      missed.push({ entry: f.entry, fireAt: f.fireAt, count, lastRunAt: last?.startedAt });
    }
  }
  return missed;
}

/** Newest-first runs of every job, reaching back past `since` (or all the catalog has). */
function recentRuns(catalog: Pick<Catalog, 'listRuns'>, since: number): RunRecord[] {
  let runs: RunRecord[] = [];
  for (const limit of [500, 5000, 50_000, 500_000]) {
    runs = catalog.listRuns({ limit });
    if (runs.length < limit || runs[runs.length - 1]!.startedAt.getTime() < since) break;
  }
  return runs;
}

/** Newest-first runs of one job, reaching back past `since` when the catalog has that many (or all it has). */
function jobRunsSince(catalog: Pick<Catalog, 'listRuns'>, job: string, since: number): RunRecord[] {
  let runs: RunRecord[] = [];
  for (const limit of [50, 2000, 50_000]) {
    runs = catalog.listRuns({ job, limit });
    if (runs.length < limit || runs[runs.length - 1]!.startedAt.getTime() < since) break;
  }
  return runs;
}

/** One catch-up per job: its earliest line (in schedule order) that asks for one, unless the job fires anyway. */
export function chooseCatchUps(
  missed: readonly MissedRun[],
  firingNow: ReadonlySet<string>,
): Map<string, MissedRun> {
  const chosen = new Map<string, MissedRun>();
  for (const m of missed) {
    if (!m.entry.catchUp || firingNow.has(m.entry.job)) continue;
    const have = chosen.get(m.entry.job);
    if (!have || m.entry.rank < have.entry.rank) chosen.set(m.entry.job, m);
  }
  return chosen;
}

/** The log line for a missed fire time: what, when, how many, and what happens about it. */
export function describeMissed(m: MissedRun, detectedAt: 'start' | 'pause', catchUp: boolean): string {
  const what = `${m.entry.job}${m.entry.type ? ` ${m.entry.type}` : ''}`;
  const parts = [
    `missed: ${what} should have run at ${m.fireAt.toISOString()} (${m.entry.cron} ${m.entry.timezone})`,
  ];
  if (m.count > 1) parts.push(`${m.count} fire times passed without a run`);
  if (m.lastRunAt) parts.push(`last run ${m.lastRunAt.toISOString()}`);
  if (detectedAt === 'pause') parts.push('the process was paused or the clock jumped');
  parts.push(
    catchUp
      ? 'starting a catch-up run'
      : m.entry.catchUp
        ? 'catch-up covered by another run of the job'
        : 'no catch-up configured',
  );
  return parts.join('; ');
}
