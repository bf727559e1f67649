import { z } from 'zod';
import type { Job } from '../core/job.ts';
import { notifyRuleSchema, type NotifyEvent, type NotifyRule } from './schema.ts';

/** A step as a notification shows it. */
export interface NotificationStep {
  id: string;
  target: string;
  action: string;
  status: string;
  summary: string;
  error: string | null;
  bytes: number;
}

/** One job's line in a digest (the daily summary, or notifications merged by a rate limit). */
export interface DigestLine {
  job: string;
  outcome: string;
  runs: number;
  failed: number;
  bytes: number;
  bytesText: string;
  lastSuccessAt: string | null;
  detail: string | null;
}

/**
 * Everything a notification template can use. Every field is always present (null when it does not apply),
 * because templates are compiled in strict mode: a misspelt field is an error, not an empty string.
 */
export interface NotificationData {
  event: NotifyEvent;
  /** One line: `holdfast: backup failed: dw-partial`. */
  title: string;
  job: string | null;
  kind: string | null;
  targets: string[];
  /** `succeeded`, `failed`, `partly-failed`, `missed`, or `summary`. */
  outcome: string;
  error: string | null;
  durationMs: number | null;
  /** `1 min 23 s`. */
  duration: string | null;
  bytes: number;
  bytesText: string;
  runId: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  steps: NotificationStep[];
  /** What the cleanup after the backup did, in one line. */
  retention: string | null;
  missed: { fireAt: string; count: number; lastRunAt: string | null; type: string | null } | null;
  digest: { from: string | null; to: string; lines: DigestLine[] } | null;
  host: string;
  /** When the notification was made. */
  at: string;
}

/** A notification on its way to one channel. */
export interface Outgoing {
  channel: string;
  data: NotificationData;
}

/** The job's `spec.notify` rules; an unreadable list gives none (validation reports it with its line). */
export function readNotifyRules(job: Job): NotifyRule[] {
  const raw = (job.spec as { notify?: unknown } | null)?.notify;
  const parsed = z.array(notifyRuleSchema).safeParse(raw ?? []);
  return parsed.success ? parsed.data : [];
}

/** Channels of a job that asked for this event. */
export function channelsFor(job: Job, event: NotifyEvent): string[] {
  return [
    ...new Set(
      readNotifyRules(job)
        .filter((r) => r.on.includes(event))
        .map((r) => r.channel),
    ),
  ];
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** A notification with every field at its empty value, to be filled in by the builders. */
export function blankNotification(event: NotifyEvent, at: Date, host: string): NotificationData {
  return {
    event,
    title: '',
    job: null,
    kind: null,
    targets: [],
    outcome: event === 'summary' ? 'summary' : event === 'missed' ? 'missed' : 'succeeded',
    error: null,
    durationMs: null,
    duration: null,
    bytes: 0,
    bytesText: '0 B',
    runId: null,
    startedAt: null,
    finishedAt: null,
    steps: [],
    retention: null,
    missed: null,
    digest: null,
    host,
    at: at.toISOString(),
  };
}
