import type { Catalog } from '../catalog/contract.ts';
import { nextFire } from './cron-times.ts';
import type { JobScheduleInfo } from './job-schedule.ts';
import { readTargetHealth, type TargetHealth } from './target-health.ts';

/** One line of `holdfast status`: a target of a job (or the job alone when it has never backed anything up). */
export interface StatusRow {
  job: string;
  kind: string;
  /** Undefined when the catalog knows no target of the job yet. */
  target?: string;
  lastSuccess?: string;
  lastFailure?: { at: string; summary: string; runId: string };
  /** The next fire time over the job's schedule lines, with the type it will run. */
  nextRun?: { at: string; type?: string };
  rpo?: string;
  /** Time since the last good backup, in seconds (undefined: none recorded). */
  sinceLastSuccessSeconds?: number;
  /** True when the job has an RPO and the time since the last good backup is above it (or there is none). */
  rpoBreached: boolean;
}

export function nextRunOf(info: JobScheduleInfo, now: Date): { at: Date; type?: string } | undefined {
  let best: { at: Date; type?: string; rank: number } | undefined;
  for (const e of info.entries) {
    const at = nextFire(e, now);
    if (at && (!best || at < best.at || (at.getTime() === best.at.getTime() && e.rank < best.rank)))
      best = { at, type: e.type, rank: e.rank };
  }
  return best && { at: best.at, type: best.type };
}

/** Whether a target is past its job's RPO at `now`. No good backup at all counts as a breach. */
export function isRpoBreached(rpoMs: number | undefined, lastSuccess: Date | undefined, now: Date): boolean {
  if (rpoMs === undefined) return false;
  return !lastSuccess || now.getTime() - lastSuccess.getTime() > rpoMs;
}

export function buildStatusRows(input: {
  jobs: readonly JobScheduleInfo[];
  catalog: Pick<Catalog, 'listArtifacts' | 'listRuns' | 'listSteps' | 'lastStep'>;
  now: Date;
  /** The plugin name of a job kind, so retention steps do not count as targets. */
  pluginOf?: (kind: string) => string | undefined;
}): StatusRow[] {
  const rows: StatusRow[] = [];
  for (const info of [...input.jobs].sort((a, b) => a.job.localeCompare(b.job))) {
    const next = nextRunOf(info, input.now);
    const targets: (
      TargetHealth | { job: string; target?: undefined; lastSuccess?: undefined; lastFailure?: undefined }
    )[] = readTargetHealth(input.catalog, info.job, input.pluginOf?.(info.kind));
    if (targets.length === 0) targets.push({ job: info.job });
    for (const t of targets) {
      rows.push({
        job: info.job,
        kind: info.kind,
        target: t.target,
        lastSuccess: t.lastSuccess?.toISOString(),
        lastFailure: t.lastFailure && {
          at: t.lastFailure.at.toISOString(),
          summary: t.lastFailure.summary,
          runId: t.lastFailure.runId,
        },
        nextRun: next && { at: next.at.toISOString(), type: next.type },
        rpo: info.rpo,
        sinceLastSuccessSeconds: t.lastSuccess
          ? Math.max(0, Math.round((input.now.getTime() - t.lastSuccess.getTime()) / 1000))
          : undefined,
        rpoBreached: isRpoBreached(info.rpoMs, t.lastSuccess, input.now),
      });
    }
  }
  return rows;
}
