import { isSecretRef, type Manifest } from '../core/job.ts';
import { checkCron } from './cron-times.ts';
import { parseDuration } from './duration.ts';

/**
 * One cron line of one job. A job's `spec.schedule` is read generically:
 * - `{ cron, timezone?, catchUp? }`: one entry without a type ("whatever is due");
 * - `{ <type>: cron, ..., timezone?, catchUp? }` (e.g. `{ full, differential, log }`): one entry per backup type,
 *   the type being passed to the run as `forceType`.
 */
export interface ScheduleEntry {
  /** `job` for an untyped schedule, `job/type` otherwise: stable across reloads while the job keeps the line. */
  key: string;
  job: string;
  type?: string;
  cron: string;
  /** IANA zone the cron is read in (default UTC). */
  timezone: string;
  /** Run once at once when a fire time was missed (downtime, pause). */
  catchUp: boolean;
  /** Position of the type in the schedule as written: earlier types win ties and cover later ones. */
  rank: number;
}

/** What the scheduler and `status` need from one job, read from its spec without knowing its kind. */
export interface JobScheduleInfo {
  job: string;
  kind: string;
  entries: ScheduleEntry[];
  /** `spec.rpo` as written, and in ms. */
  rpo?: string;
  rpoMs?: number;
  /** Concurrency keys this job's runs count against: `sqlserver:<host>`, `cosmos:<account host>`. */
  limitKeys: string[];
  /** Channels whose `notify` rule includes `missed`. */
  missedChannels: string[];
}

export interface ScheduleProblem {
  /** Path inside the manifest (starting with `spec`), for the problem's line and column. */
  path: (string | number)[];
  message: string;
}

const OPTION_KEYS = new Set(['timezone', 'catchUp']);

export function readJobSchedule(job: Manifest): { info: JobScheduleInfo; problems: ScheduleProblem[] } {
  const spec = (job.spec ?? {}) as Record<string, unknown>;
  const problems: ScheduleProblem[] = [];
  const info: JobScheduleInfo = {
    job: job.metadata.name,
    kind: job.kind,
    entries: [],
    limitKeys: limitKeysOf(spec),
    missedChannels: missedChannelsOf(spec),
  };

  if (spec.rpo !== undefined) {
    try {
      info.rpo = String(spec.rpo);
      info.rpoMs = parseDuration(String(spec.rpo));
    } catch (err) {
      problems.push({ path: ['spec', 'rpo'], message: (err as Error).message });
    }
  }

  const schedule = spec.schedule;
  if (schedule === undefined || schedule === null) return { info, problems };
  const lines: { type?: string; cron: unknown; path: (string | number)[] }[] = [];
  let timezone = 'UTC';
  let catchUp = false;
  if (typeof schedule === 'string') {
    lines.push({ cron: schedule, path: ['spec', 'schedule'] });
  } else if (typeof schedule === 'object' && !Array.isArray(schedule)) {
    const record = schedule as Record<string, unknown>;
    if (record.timezone !== undefined) timezone = String(record.timezone);
    if (record.catchUp !== undefined) {
      if (typeof record.catchUp === 'boolean') catchUp = record.catchUp;
      else problems.push({ path: ['spec', 'schedule', 'catchUp'], message: 'catchUp must be true or false' });
    }
    for (const [key, value] of Object.entries(record)) {
      if (OPTION_KEYS.has(key) || value === undefined || value === null) continue;
      lines.push({ type: key === 'cron' ? undefined : key, cron: value, path: ['spec', 'schedule', key] });
    }
    if (lines.length > 1 && lines.some((l) => l.type === undefined)) {
      problems.push({
        path: ['spec', 'schedule', 'cron'],
        message: 'a schedule has either one `cron` or one cron per backup type, not both',
      });
    }
  } else {
    problems.push({
      path: ['spec', 'schedule'],
      message: 'schedule must be { cron, timezone? } or { <backup type>: cron, ..., timezone? }',
    });
  }

  lines.forEach((line, rank) => {
    if (typeof line.cron !== 'string') {
      problems.push({
        path: line.path,
        message: `expected a cron expression (a string), found ${JSON.stringify(line.cron)}`,
      });
      return;
    }
    const problem = checkCron({ cron: line.cron, timezone });
    if (problem) {
      problems.push({
        path: problem.startsWith('unknown time zone') ? ['spec', 'schedule', 'timezone'] : line.path,
        message: problem,
      });
      return;
    }
    const key = line.type ? `${info.job}/${line.type}` : info.job;
    info.entries.push({
      key,
      job: info.job,
      type: line.type,
      cron: line.cron.trim(),
      timezone,
      catchUp,
      rank,
    });
  });
  return { info, problems: dedupe(problems) };
}

/** A host or port as written, or the text of the secret reference that gives it (same reference, same server). */
function plainOrRef(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value.toLowerCase();
  if (typeof value === 'number') return String(value);
  if (isSecretRef(value)) return value.secretRef;
  return undefined;
}

function limitKeysOf(spec: Record<string, unknown>): string[] {
  const keys: string[] = [];
  const server = spec.server as { host?: unknown; port?: unknown; instance?: unknown } | undefined;
  const host = plainOrRef(server?.host);
  if (server && host) {
    const port = plainOrRef(server.port);
    const instance = plainOrRef(server.instance);
    keys.push(`sqlserver:${host}${instance ? `\\${instance}` : ''}${port ? `:${port}` : ''}`);
  }
  const account = spec.account as { endpoint?: unknown } | undefined;
  if (account && typeof account.endpoint === 'string' && account.endpoint !== '') {
    let name = account.endpoint.toLowerCase();
    try {
      name = new URL(account.endpoint).host.toLowerCase();
    } catch {
      /* not a URL: the text itself names the account */
    }
    keys.push(`cosmos:${name}`);
  }
  return keys;
}

function missedChannelsOf(spec: Record<string, unknown>): string[] {
  if (!Array.isArray(spec.notify)) return [];
  return spec.notify
    .filter(
      (r): r is { channel: string; on?: unknown } =>
        typeof r === 'object' && r !== null && typeof (r as { channel?: unknown }).channel === 'string',
    )
    .filter((r) => Array.isArray(r.on) && r.on.includes('missed'))
    .map((r) => r.channel);
}

function dedupe(problems: ScheduleProblem[]): ScheduleProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.path.join('.')}\u0000${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
