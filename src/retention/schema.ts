import { z } from 'zod';

const count = (what: string) => z.number().int().min(1).max(100_000).optional().describe(what);

/** Keep rules; an artifact is kept when any rule keeps it (or a kept artifact needs it). */
export const keepRulesSchema = z.strictObject({
  keepDays: count('Keep artifacts younger than this many days.'),
  keepLast: count('Keep the newest N artifacts.'),
  keepDaily: count('Keep the newest artifact of each of the last N days that have one.'),
  keepWeekly: count('Keep the newest artifact of each of the last N ISO weeks that have one.'),
  keepMonthly: count('Keep the newest artifact of each of the last N months that have one.'),
});
export type KeepRules = z.infer<typeof keepRulesSchema>;

export const KEEP_RULE_NAMES = ['keepDays', 'keepLast', 'keepDaily', 'keepWeekly', 'keepMonthly'] as const;

/** True when the rule set says anything at all. */
export function hasRules(rules: KeepRules): boolean {
  return KEEP_RULE_NAMES.some((k) => rules[k] !== undefined);
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * A job's retention policy. Chain-aware whatever the rules say: nothing a kept artifact depends on is removed,
 * and the newest complete restorable chain of each target is never removed. An empty policy is an error,
 * not "keep nothing". Rails can only be weakened by options named unsafe….
 */
export const retentionPolicySchema = keepRulesSchema
  .extend({
    /** Rules per artifact type (msdb type code D I L F G P Q, or `export`), replacing the top-level rules for that type. */
    byType: z
      .record(z.string().min(1), keepRulesSchema)
      .optional()
      .describe(
        'Rules per backup type, replacing the top-level rules for that type (e.g. L: { keepDays: 3 }, P: { keepWeekly: 5 }).',
      ),
    timezone: z
      .string()
      .refine(isTimeZone, { message: 'unknown time zone (use an IANA name such as Europe/London)' })
      .default('UTC')
      .describe(
        'IANA time zone in which keepDaily/keepWeekly/keepMonthly draw day, week and month boundaries (default UTC).',
      ),
    mode: z
      .enum(['after-backup', 'before-backup'])
      .default('after-backup')
      .describe('When cleanup runs: after a successful backup of the job (default), or before it.'),
    deleteVia: z
      .enum(['server', 'path'])
      .optional()
      .describe('LiteSpeed files: delete through the SQL Server (default) or through a mounted path.'),
    unsafeAllowRemovingNewestChain: z
      .boolean()
      .optional()
      .describe('UNSAFE: allow removing the newest complete restore chain of a target.'),
  })
  .superRefine((p, ctx) => {
    const typed = Object.entries(p.byType ?? {});
    if (!hasRules(p) && typed.length === 0) {
      ctx.addIssue({
        code: 'custom',
        message:
          'an empty retention policy would keep nothing: give at least one of keepDays, keepLast, keepDaily, keepWeekly, keepMonthly or byType',
      });
    }
    for (const [type, rules] of typed) {
      if (!hasRules(rules)) {
        ctx.addIssue({
          code: 'custom',
          path: ['byType', type],
          message: `the rules for type ${type} are empty: give at least one of ${KEEP_RULE_NAMES.join(', ')}`,
        });
      }
    }
  });
export type RetentionPolicy = z.output<typeof retentionPolicySchema>;
export type RetentionPolicyInput = z.input<typeof retentionPolicySchema>;
