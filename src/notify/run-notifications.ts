import type { Catalog } from '../catalog/contract.ts';
import type { Job } from '../core/job.ts';
import type { Plan } from '../core/plan.ts';
import type { RunResult, StepResult } from '../core/result.ts';
import { cleanupError, cleanupFailed, type JobCleanup } from '../retention/cleanup-jobs.ts';
import { renderCleanupSummary } from '../retention/render-retention.ts';
import {
  blankNotification,
  channelsFor,
  formatBytes,
  formatDuration,
  type DigestLine,
  type Outgoing,
} from './notification.ts';

export interface RunNotificationsInput {
  plan: Plan;
  result: RunResult;
  /** The jobs of the run (loaded manifests), for their notify rules. */
  jobs: readonly Job[];
  /** Cleanups done for this run; a failed cleanup makes the job's outcome a failure (its backup result stands). */
  cleanups?: readonly JobCleanup[];
  now: Date;
  host: string;
}

/**
 * The notifications a run asks for: for each job, `failure` when a step failed or did not run, planning failed or
 * the cleanup after it failed, otherwise `success`; sent to each channel whose rule lists that event.
 */
export function notificationsForRun(input: RunNotificationsInput): Outgoing[] {
  const out: Outgoing[] = [];
  for (const summary of input.plan.jobs) {
    const job = input.jobs.find((j) => j.metadata.name === summary.name);
    if (!job) continue;
    const steps = input.result.steps.filter((s) => s.job === summary.name);
    const problems = input.plan.problems.filter((p) => p.job === summary.name);
    const cleanup = input.cleanups?.find((c) => c.job === summary.name);
    const badSteps = steps.filter((s) => s.status !== 'succeeded');
    const failed =
      badSteps.length > 0 || problems.length > 0 || (cleanup !== undefined && cleanupFailed(cleanup));
    const event = failed ? 'failure' : 'success';
    const channels = channelsFor(job, event);
    if (channels.length === 0) continue;

    const data = blankNotification(event, input.now, input.host);
    const errors = [
      ...problems.map((p) => `${p.hook}: ${p.message}`),
      ...badSteps.map((s) => `${s.stepId}: ${s.error ? String(s.error.message) : s.summary}`),
      ...(cleanup && cleanupFailed(cleanup)
        ? [`cleanup: ${cleanupError(cleanup)?.message ?? 'failed'}`]
        : []),
    ];
    const span = stepSpan(steps) ?? {
      startedAt: input.result.startedAt,
      finishedAt: input.result.finishedAt,
    };
    const durationMs = Date.parse(span.finishedAt) - Date.parse(span.startedAt);
    const bytes = steps.reduce((sum, s) => sum + (s.metrics.bytes ?? 0), 0);
    Object.assign(data, {
      title: failed ? `holdfast: ${summary.name} FAILED` : `holdfast: ${summary.name} succeeded`,
      job: summary.name,
      kind: summary.kind,
      targets: summary.targets,
      outcome: !failed
        ? 'succeeded'
        : steps.some((s) => s.status === 'succeeded')
          ? 'partly-failed'
          : 'failed',
      error:
        errors.length > 0
          ? errors.slice(0, 5).join('\n') + (errors.length > 5 ? `\n(and ${errors.length - 5} more)` : '')
          : null,
      durationMs,
      duration: formatDuration(durationMs),
      bytes,
      bytesText: formatBytes(bytes),
      runId: input.result.runId,
      startedAt: span.startedAt,
      finishedAt: span.finishedAt,
      steps: steps.map((s) => ({
        id: s.stepId,
        target: s.target,
        action: s.action,
        status: s.status,
        summary: s.summary,
        error: s.error ? String(s.error.message) : null,
        bytes: s.metrics.bytes ?? 0,
      })),
      retention: cleanup ? renderCleanupSummary(cleanup) : null,
    });
    for (const channel of channels) out.push({ channel, data });
  }
  return out;
}

function stepSpan(steps: readonly StepResult[]): { startedAt: string; finishedAt: string } | undefined {
  const starts = steps
    .map((s) => s.startedAt)
    .filter((x): x is string => x !== undefined)
    .sort();
  const ends = steps
    .map((s) => s.finishedAt)
    .filter((x): x is string => x !== undefined)
    .sort();
  if (starts.length === 0 || ends.length === 0) return undefined;
  return { startedAt: starts[0]!, finishedAt: ends[ends.length - 1]! };
}

/** A scheduled run that did not happen, as the scheduler finds it (`MissedEvent` fits). */
export interface MissedRunInput {
  job: string;
  type?: string;
  fireAt: Date;
  count: number;
  lastRunAt?: Date;
}

/**
 * The `missed` notifications for runs the scheduler found missing (after downtime, a pause): one per missed
 * job and channel whose rule lists `missed`. The scheduler calls this with what findMissedRuns reports.
 */
export function notificationsForMissedRuns(input: {
  jobs: readonly Job[];
  missed: readonly MissedRunInput[];
  now: Date;
  host: string;
}): Outgoing[] {
  const out: Outgoing[] = [];
  for (const m of input.missed) {
    const job = input.jobs.find((j) => j.metadata.name === m.job);
    if (!job) continue;
    const data = blankNotification('missed', input.now, input.host);
    const what = m.type ? `${m.type} backup` : 'run';
    Object.assign(data, {
      title: `holdfast: ${m.job} MISSED its ${what} due ${m.fireAt.toISOString()}`,
      job: m.job,
      kind: job.kind,
      outcome: 'missed',
      error: `${m.count} scheduled ${what}(s) did not happen; the last run started ${m.lastRunAt ? m.lastRunAt.toISOString() : 'never (no run recorded)'}`,
      missed: {
        fireAt: m.fireAt.toISOString(),
        count: m.count,
        lastRunAt: m.lastRunAt?.toISOString() ?? null,
        type: m.type ?? null,
      },
    });
    for (const channel of channelsFor(job, 'missed')) out.push({ channel, data });
  }
  return out;
}

/**
 * The daily digest: for each channel, one notification listing every job whose rule sends `summary` there, with
 * its runs, failures and bytes in [from, to) and its last successful run, read from the catalog.
 */
export function notificationsForSummary(input: {
  jobs: readonly Job[];
  catalog: Pick<Catalog, 'listRuns' | 'listSteps'>;
  from: Date;
  to: Date;
  host: string;
}): Outgoing[] {
  const byChannel = new Map<string, DigestLine[]>();
  for (const job of input.jobs) {
    const channels = channelsFor(job, 'summary');
    if (channels.length === 0) continue;
    const line = digestLine(job.metadata.name, input.catalog, input.from, input.to);
    for (const c of channels) byChannel.set(c, [...(byChannel.get(c) ?? []), line]);
  }
  const out: Outgoing[] = [];
  for (const [channel, lines] of byChannel) {
    const data = blankNotification('summary', input.to, input.host);
    const failed = lines.filter((l) => l.failed > 0 || l.runs === 0).length;
    const bytes = lines.reduce((s, l) => s + l.bytes, 0);
    Object.assign(data, {
      title: `holdfast daily summary: ${lines.length} job(s), ${failed === 0 ? 'all good' : `${failed} need attention`}`,
      outcome: failed === 0 ? 'succeeded' : 'failed',
      bytes,
      bytesText: formatBytes(bytes),
      digest: { from: input.from.toISOString(), to: input.to.toISOString(), lines },
    });
    out.push({ channel, data });
  }
  return out;
}

function digestLine(
  job: string,
  catalog: Pick<Catalog, 'listRuns' | 'listSteps'>,
  from: Date,
  to: Date,
): DigestLine {
  const all = catalog.listRuns({ job, limit: 5000 });
  const runs = all.filter((r) => r.startedAt >= from && r.startedAt < to);
  let bytes = 0;
  let failed = 0;
  for (const r of runs) {
    const steps = catalog.listSteps(r.id).filter((s) => s.job === job);
    bytes += steps.reduce((sum, s) => sum + (s.metrics.bytes ?? 0), 0);
    if (steps.some((s) => s.status !== 'succeeded') || r.status === 'failed') failed++;
  }
  const lastGood = all.find(
    (r) =>
      r.startedAt < to &&
      (r.status === 'succeeded' ||
        catalog.listSteps(r.id).some((s) => s.job === job && s.status === 'succeeded')),
  );
  const outcome =
    runs.length === 0
      ? 'no run'
      : failed === 0
        ? 'succeeded'
        : failed === runs.length
          ? 'failed'
          : 'partly-failed';
  return {
    job,
    outcome,
    runs: runs.length,
    failed,
    bytes,
    bytesText: formatBytes(bytes),
    lastSuccessAt: lastGood?.startedAt.toISOString() ?? null,
    detail:
      runs.length === 0
        ? 'no run in this period'
        : failed > 0
          ? `${failed} of ${runs.length} run(s) failed`
          : null,
  };
}
