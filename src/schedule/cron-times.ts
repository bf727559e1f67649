import { CronExpressionParser, type CronExpression } from 'cron-parser';

/** A cron expression (5 fields, or 6 with seconds first) read in an IANA time zone. */
export interface CronSpec {
  cron: string;
  timezone: string;
}

// Parsing costs more than stepping, and jobs share expressions: keep one parsed iterator per (zone, cron).
const parsed = new Map<string, CronExpression>();

function keyOf(spec: CronSpec): string {
  return `${spec.timezone}\u0000${spec.cron}`;
}

function parse(spec: CronSpec, at: Date): CronExpression {
  const key = keyOf(spec);
  let expr = parsed.get(key);
  if (!expr) {
    expr = CronExpressionParser.parse(spec.cron, { tz: spec.timezone, currentDate: at, strict: false });
    if (parsed.size > 10_000) parsed.clear();
    parsed.set(key, expr);
  } else {
    expr.reset(at);
  }
  return expr;
}

// Loading a configuration asks for every line's next fire after the same instant: answer each pair once.
let memoAt = Number.NaN;
const memo = new Map<string, number | undefined>();

/** The first fire time strictly after `after`, or undefined when the expression never fires again. */
export function nextFire(spec: CronSpec, after: Date): Date | undefined {
  const t = after.getTime();
  if (t !== memoAt) {
    memo.clear();
    memoAt = t;
  }
  const key = keyOf(spec);
  if (!memo.has(key)) {
    let next: number | undefined;
    // next() throws when nothing matches any more; asking hasNext() first would search twice.
    try {
      next = parse(spec, after).next().getTime();
    } catch {
      next = undefined;
    }
    memo.set(key, next);
  }
  const hit = memo.get(key);
  return hit === undefined ? undefined : new Date(hit);
}

/** The last fire time at or before `at`, or undefined when there is none. */
export function previousFire(spec: CronSpec, at: Date): Date | undefined {
  try {
    return parse(spec, new Date(at.getTime() + 1))
      .prev()
      .toDate();
  } catch {
    return undefined;
  }
}

/** Fire times in (from, to], at most `max` of them (the count tells how many runs a pause swallowed). */
export function firesBetween(spec: CronSpec, from: Date, to: Date, max = 1000): Date[] {
  const out: Date[] = [];
  let t = nextFire(spec, from);
  while (t && t.getTime() <= to.getTime() && out.length < max) {
    out.push(t);
    t = nextFire(spec, t);
  }
  return out;
}

const zones = new Map<string, string | undefined>();

/** Why a time zone name is unusable, or undefined when Intl knows it. (Remembered: Intl is slow to ask.) */
export function checkTimezone(timezone: string): string | undefined {
  if (zones.has(timezone)) return zones.get(timezone);
  let problem: string | undefined;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: timezone });
  } catch {
    problem = `unknown time zone "${timezone}": use an IANA name such as UTC, Europe/London, America/New_York`;
  }
  if (zones.size > 1000) zones.clear();
  zones.set(timezone, problem);
  return problem;
}

const checked = new Map<string, string | undefined>();

/** Why a cron expression is unusable (syntax, impossible date), or undefined when it fires. */
export function checkCron(spec: CronSpec): string | undefined {
  const key = `${spec.timezone}\u0000${spec.cron}`;
  if (checked.has(key)) return checked.get(key);
  const problem = findCronProblem(spec);
  if (checked.size > 10_000) checked.clear();
  checked.set(key, problem);
  return problem;
}

function findCronProblem(spec: CronSpec): string | undefined {
  const tz = checkTimezone(spec.timezone);
  if (tz) return tz;
  const fields = spec.cron.trim().split(/\s+/).length;
  if (!spec.cron.trim().startsWith('@') && (fields < 5 || fields > 6)) {
    return `"${spec.cron}" is not a cron expression: expected 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first`;
  }
  try {
    // Impossible dates (31 February) are refused by the parser itself; the parsed expression is kept for use.
    parse(spec, new Date());
    return undefined;
  } catch (err) {
    return `"${spec.cron}" is not a valid cron expression: ${(err as Error).message}`;
  }
}
