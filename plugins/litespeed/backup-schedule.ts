import { CronExpressionParser } from 'cron-parser';

/** A job's schedule per backup type (cron strings read in `timezone`). */
export interface BackupSchedule {
  full?: string;
  differential?: string;
  log?: string;
  timezone: string;
}

export type ScheduledType = 'full' | 'differential' | 'log';

/** The last time `cron` fired at or before `at`, or null when it never did. */
export function previousFireTime(cron: string, timezone: string, at: Date): Date | null {
  const expr = CronExpressionParser.parse(cron, { tz: timezone, currentDate: new Date(at.getTime() + 1) });
  return expr.hasPrev() ? expr.prev().toDate() : null;
}

/** The first time `cron` fires after `at`, or null. */
export function nextFireTime(cron: string, timezone: string, at: Date): Date | null {
  const expr = CronExpressionParser.parse(cron, { tz: timezone, currentDate: at });
  return expr.hasNext() ? expr.next().toDate() : null;
}

/**
 * Whether a scheduled type is due: its cron fired (at or before `now`) after the last backup that satisfies
 * it started. `lastStart` null means there is none, so any fire time makes it due.
 */
export function dueSince(
  schedule: BackupSchedule,
  type: ScheduledType,
  now: Date,
  lastStart: Date | null,
): { due: boolean; fired: Date | null } {
  const cron = schedule[type];
  if (!cron) return { due: false, fired: null };
  const fired = previousFireTime(cron, schedule.timezone, now);
  if (fired === null) return { due: false, fired: null };
  return { due: lastStart === null || lastStart.getTime() < fired.getTime(), fired };
}
