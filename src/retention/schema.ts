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

/**
 * A job's retention policy. Chain-aware whatever the rules say: nothing a kept artifact depends on is removed,
 * and the newest complete restorable chain of each target is never removed. An empty policy is an error,
 * not "keep nothing". Rails can only be weakened by options named unsafe….
 */
export const retentionPolicySchema = keepRulesSchema
  .extend({
    /** Rules per artifact type (msdb type code D I L F G P Q, or `export`), replacing the top-level rules for that type. */
    byType: z.record(z.string().min(1), keepRulesSchema).optional().describe('Rules per backup type (e.g. L: { keepDays: 3 }, P: { keepWeekly: 5 }).'),
    mode: z.enum(['after-backup', 'before-backup']).default('after-backup').describe('When cleanup runs: after a successful backup of the job (default), or before it.'),
    deleteVia: z.enum(['server', 'path']).optional().describe('LiteSpeed files: delete through the SQL Server (default) or through a mounted path.'),
    unsafeAllowRemovingNewestChain: z.boolean().optional().describe('UNSAFE: allow removing the newest complete restore chain.'),
  })
  .refine((p) => Object.keys(keepRulesSchema.shape).some((k) => p[k as keyof KeepRules] !== undefined) || (p.byType && Object.keys(p.byType).length > 0), {
    message: 'an empty retention policy would keep nothing: give at least one of keepDays, keepLast, keepDaily, keepWeekly, keepMonthly or byType',
  });
export type RetentionPolicy = z.infer<typeof retentionPolicySchema>;
