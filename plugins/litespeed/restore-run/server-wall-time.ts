import { wallToInstant } from '../server-time.ts';

/**
 * msdb dates are the server's wall-clock time, read by mssql as if UTC (see ../server-time.ts). The
 * history format wants each date with its offset (what TODATETIMEOFFSET writes in the export query), and
 * a --stop-at without an offset means the server's wall time.
 */

/** ISO-8601 of a wall time with the zone's offset: `2026-03-01T02:20:00+01:00`, or `...Z` at UTC+0. */
export function wallToIso(wall: Date, timeZone: string): string {
  const offset = wall.getTime() - wallToInstant(wall, timeZone).getTime();
  const text = wall.toISOString().replace(/\.000Z$/, 'Z');
  if (offset === 0) return text;
  const minutes = Math.round(Math.abs(offset) / 60_000);
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return `${text.slice(0, -1)}${offset < 0 ? '-' : '+'}${hh}:${mm}`;
}

const ISO_LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?$/;
const ISO_ZONED = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * A point in time from the command line: ISO-8601 with `Z` or an offset is an instant; without one it
 * is the server's wall-clock time (what a DBA reads off the server). Returns null when unreadable.
 */
export function parsePointInTime(text: string, timeZone: string): Date | null {
  const trimmed = text.trim();
  if (ISO_ZONED.test(trimmed)) {
    const d = new Date(trimmed.replace(' ', 'T'));
    return Number.isNaN(d.getTime()) ? null : d;
  }
  const m = ISO_LOCAL.exec(trimmed);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((v) => Number(v ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  const wall = new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
  if (wall.getUTCMonth() !== mo - 1 || wall.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  return wallToInstant(wall, timeZone);
}
