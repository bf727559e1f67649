import { z } from 'zod';
import { checkCron, checkTimezone } from './cron-times.ts';
import { parseDuration } from './duration.ts';

/**
 * Schemas for the scheduling keys of a job spec, for plugins to put in their kinds (`holdfast serve` reads
 * these keys generically; see readJobSchedule). Cron expressions and time zones are checked when validating,
 * so a bad line is a configuration problem with its file, line and column, not a surprise at run time.
 */

const timezone = z
  .string()
  .default('UTC')
  .refine((tz) => checkTimezone(tz) === undefined, {
    message: 'unknown time zone: use an IANA name such as UTC or Europe/London',
  })
  .describe('IANA time zone the cron expressions are read in (default UTC).');

const catchUp = z
  .boolean()
  .default(false)
  .describe(
    'After downtime, run once at start for a missed fire time (a `missed` notification is sent either way).',
  );

/** A cron expression, 5 fields (or 6 with seconds first), e.g. `0 2 * * *`. */
export const cronSchema = z
  .string()
  .min(1)
  .superRefine((cron, ctx) => {
    const problem = checkCron({ cron, timezone: 'UTC' });
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe(
    'Cron expression: minute hour day-of-month month day-of-week (a sixth leading field for seconds is allowed).',
  );

/** `{ cron, timezone?, catchUp? }`: one schedule, the plugin decides what is due. */
export const cronScheduleSchema = z
  .strictObject({ cron: cronSchema, timezone, catchUp })
  .describe('When the job runs.');

/** `{ <type>: cron, ..., timezone?, catchUp? }`: one cron per backup type (all optional, at least one). */
export function typedScheduleSchema<T extends string>(types: readonly [T, ...T[]]) {
  const shape = Object.fromEntries(
    types.map((t) => [t, cronSchema.optional().describe(`When to take ${t} backups.`)]),
  ) as Record<T, z.ZodOptional<typeof cronSchema>>;
  return z
    .strictObject({ ...shape, timezone, catchUp })
    .refine((s) => types.some((t) => (s as Record<string, unknown>)[t] !== undefined), {
      message: `name at least one of: ${types.join(', ')}`,
    })
    .describe('When each backup type runs; earlier types win when two fire at the same minute.');
}

/** `rpo: 26h`: the longest acceptable time since the last good backup (`holdfast status` exits 1 above it). */
export const rpoSchema = z
  .string()
  .superRefine((text, ctx) => {
    try {
      parseDuration(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  })
  .describe(
    'Recovery point objective: longest acceptable time since the last good backup, e.g. 26h, 90m, 1d12h.',
  );
