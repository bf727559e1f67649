import type { Artifact } from '../catalog/contract.ts';
import type { KeepRules } from './schema.ts';
import { newestFirst } from './artifact-graph.ts';

const DAY_MS = 86_400_000;

type Bucket = 'day' | 'week' | 'month';

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar date of `at` in a time zone, as numbers. */
function localDate(at: Date, timezone: string): { y: number; m: number; d: number } {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    formatters.set(timezone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
  return { y: Number(parts.year), m: Number(parts.month), d: Number(parts.day) };
}

/** `2026-03-01`, `2026-W09` (ISO week) or `2026-03` for the day, week or month `at` falls in. */
export function bucketOf(at: Date, bucket: Bucket, timezone: string): string {
  const { y, m, d } = localDate(at, timezone);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (bucket === 'day') return `${y}-${pad(m)}-${pad(d)}`;
  if (bucket === 'month') return `${y}-${pad(m)}`;
  // ISO 8601 week: the week with the year's first Thursday is week 1; weeks start on Monday.
  const date = new Date(Date.UTC(y, m - 1, d));
  const weekday = (date.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  date.setUTCDate(date.getUTCDate() - weekday + 3); // the Thursday of this week decides the year
  const isoYear = date.getUTCFullYear();
  const week = Math.floor((date.getTime() - Date.UTC(isoYear, 0, 1)) / DAY_MS / 7) + 1;
  return `${isoYear}-W${pad(week)}`;
}

/** Whole days (rounded down) between `at` and `now`. */
export function ageInDays(at: Date, now: Date): number {
  return Math.floor((now.getTime() - at.getTime()) / DAY_MS);
}

const BUCKET_RULES: { rule: 'keepDaily' | 'keepWeekly' | 'keepMonthly'; bucket: Bucket; noun: string }[] = [
  { rule: 'keepDaily', bucket: 'day', noun: 'daily' },
  { rule: 'keepWeekly', bucket: 'week', noun: 'weekly' },
  { rule: 'keepMonthly', bucket: 'month', noun: 'monthly' },
];

/**
 * Applies one set of keep rules to one group of artifacts (one target, one type or the types without rules of
 * their own), like restic's snapshot policy: an artifact is kept when any rule keeps it, and every rule that
 * keeps it is named. Returns the reasons of the kept ones only.
 */
export function applyKeepRules(
  group: readonly Artifact[],
  rules: KeepRules,
  now: Date,
  timezone: string,
): Map<string, string[]> {
  const kept = new Map<string, string[]>();
  const keep = (a: Artifact, reason: string) => kept.set(a.id, [...(kept.get(a.id) ?? []), reason]);
  const sorted = [...group].sort(newestFirst);

  if (rules.keepLast !== undefined) {
    sorted
      .slice(0, rules.keepLast)
      .forEach((a, i) => keep(a, `keepLast ${rules.keepLast}: newest ${i + 1} of ${sorted.length}`));
  }
  if (rules.keepDays !== undefined) {
    const limit = now.getTime() - rules.keepDays * DAY_MS;
    for (const a of sorted)
      if (a.createdAt.getTime() > limit)
        keep(a, `keepDays ${rules.keepDays}: ${ageInDays(a.createdAt, now)} day(s) old`);
  }
  for (const { rule, bucket, noun } of BUCKET_RULES) {
    const n = rules[rule];
    if (n === undefined) continue;
    let last: string | undefined;
    let used = 0;
    for (const a of sorted) {
      if (used >= n) break;
      const key = bucketOf(a.createdAt, bucket, timezone);
      if (key === last) continue;
      last = key;
      used++;
      keep(a, `${rule} ${n}: ${noun} ${used}/${n}, newest of ${key}`);
    }
  }
  return kept;
}

/** Why no rule keeps an artifact, one phrase per rule in force (for the `remove` decision's reasons). */
export function explainNotKept(
  a: Artifact,
  group: readonly Artifact[],
  rules: KeepRules,
  now: Date,
): string[] {
  const out: string[] = [];
  if (rules.keepLast !== undefined) {
    const rank = [...group].sort(newestFirst).findIndex((x) => x.id === a.id) + 1;
    out.push(`keepLast ${rules.keepLast}: it is number ${rank} of ${group.length}, newest first`);
  }
  if (rules.keepDays !== undefined)
    out.push(
      `keepDays ${rules.keepDays}: older than ${rules.keepDays} day(s) (${ageInDays(a.createdAt, now)} days old)`,
    );
  for (const { rule, noun } of BUCKET_RULES) {
    if (rules[rule] !== undefined)
      out.push(`${rule} ${rules[rule]}: not the newest of one of the last ${rules[rule]} ${noun} periods`);
  }
  return out;
}
