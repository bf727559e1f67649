import { hostname } from 'node:os';
import type { Catalog } from '../catalog/contract.ts';
import type { Job } from '../core/job.ts';
import type { DeliveryReport, Notifier } from './notifier.ts';
import {
  notificationsForMissedRuns,
  notificationsForSummary,
  type MissedRunInput,
} from './run-notifications.ts';

const DAY_MS = 86_400_000;

/**
 * For the scheduler, when it finds scheduled runs that did not happen (findMissedRuns after downtime, a pause):
 * sends `missed` to every channel of those jobs whose rule asks for it. A `MissedEvent` is a MissedRunInput.
 * Never throws; the reports say what was delivered.
 */
export async function notifyMissedRuns(input: {
  notifier: Notifier;
  jobs: readonly Job[];
  missed: readonly MissedRunInput[];
  now: Date;
}): Promise<DeliveryReport[]> {
  const outgoing = notificationsForMissedRuns({
    jobs: input.jobs,
    missed: input.missed,
    now: input.now,
    host: hostname(),
  });
  return outgoing.length > 0 ? input.notifier.send(outgoing) : [];
}

/**
 * For the scheduler, once a day: the digest of the last `periodMs` (default 24 h) up to `now`, one message per
 * channel listing the jobs whose rule asks for `summary`, read from the catalog. Never throws.
 */
export async function sendDailySummary(input: {
  notifier: Notifier;
  jobs: readonly Job[];
  catalog: Pick<Catalog, 'listRuns' | 'listSteps'>;
  now: Date;
  periodMs?: number;
}): Promise<DeliveryReport[]> {
  const from = new Date(input.now.getTime() - (input.periodMs ?? DAY_MS));
  const outgoing = notificationsForSummary({
    jobs: input.jobs,
    catalog: input.catalog,
    from,
    to: input.now,
    host: hostname(),
  });
  return outgoing.length > 0 ? input.notifier.send(outgoing) : [];
}
