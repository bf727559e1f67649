/**
 * msdb keeps dates as the server's local wall-clock time (datetime, no zone). mssql reads a datetime as if
 * it were UTC, so a value arrives as a Date whose UTC fields are the server's wall clock. These helpers turn
 * such "wall dates" into real instants and back, given the IANA zone the server runs in (job option
 * server.timeZone, default UTC).
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Milliseconds the zone is ahead of UTC at `instant`. */
function offsetMs(timeZone: string, instant: number): number {
  if (timeZone === 'UTC') return 0;
  const parts = formatter(timeZone).formatToParts(new Date(instant));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return wall - Math.floor(instant / 1000) * 1000;
}

/** The instant a server-local wall time (read by mssql as UTC) stands for. */
export function wallToInstant(wall: Date, timeZone: string): Date {
  const guess = wall.getTime() - offsetMs(timeZone, wall.getTime());
  return new Date(wall.getTime() - offsetMs(timeZone, guess));
}

/** The server-local wall time of an instant, as a Date mssql will send as that wall time. */
export function instantToWall(instant: Date, timeZone: string): Date {
  return new Date(instant.getTime() + offsetMs(timeZone, instant.getTime()));
}

/** Whether Intl knows the zone. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}
