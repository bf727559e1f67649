import { hostname } from 'node:os';
import type { Job, Manifest } from '../core/job.ts';
import type { Plan } from '../core/plan.ts';
import type { RunResult } from '../core/result.ts';
import type { EngineServices } from '../engine/services.ts';
import type { JobCleanup } from '../retention/cleanup-jobs.ts';
import { Notifier, type DeliveryReport } from './notifier.ts';
import { notificationsForRun } from './run-notifications.ts';

export interface NotifyAfterRunInput {
  manifests: readonly Manifest[];
  jobs: readonly Job[];
  plan: Plan;
  result: RunResult;
  cleanups?: readonly JobCleanup[];
  services: Pick<EngineServices, 'clock' | 'logger' | 'resolveSecret'>;
  /** A long-lived notifier (the scheduler's, which keeps rate limits across runs); default: one for this call. */
  notifier?: Notifier;
}

/**
 * After a run: for each job, the events its `notify` rules ask for (`failure` or `success`), delivered to its
 * channels. Never throws and never changes the run's result; the reports say what was sent and what failed.
 */
export async function notifyAfterRun(input: NotifyAfterRunInput): Promise<DeliveryReport[]> {
  const outgoing = notificationsForRun({
    plan: input.plan,
    result: input.result,
    jobs: input.jobs,
    cleanups: input.cleanups,
    now: input.services.clock.now(),
    host: hostname(),
  });
  if (outgoing.length === 0) return [];
  const notifier =
    input.notifier ??
    new Notifier({
      manifests: input.manifests,
      resolveSecret: input.services.resolveSecret,
      logger: input.services.logger,
    });
  try {
    return await notifier.send(outgoing);
  } catch (err) {
    // A bug in the notification path must not fail a backup: log it and report every message as failed.
    input.services.logger.error({ err: (err as Error).message }, 'notifications could not be sent');
    return outgoing.map((o) => ({
      channel: o.channel,
      channelType: null,
      event: o.data.event,
      job: o.data.job,
      status: 'failed' as const,
      attempts: 0,
      notifications: 1,
      error: 'internal error while sending',
    }));
  } finally {
    if (!input.notifier) await notifier.close();
  }
}

/** One line per message for the run's output: `sent failure of dw-partial to dba-team (teams-workflow)`. */
export function renderDeliveries(reports: readonly DeliveryReport[]): string[] {
  return reports.map((r) => {
    const what = `${r.event}${r.job ? ` of ${r.job}` : ''}${r.notifications > 1 ? ` (${r.notifications} merged)` : ''} to ${r.channel}${r.channelType ? ` (${r.channelType})` : ''}`;
    return r.status === 'sent'
      ? `sent ${what}`
      : `FAILED ${what} after ${r.attempts} attempt(s): ${r.error ?? 'unknown error'}`;
  });
}
