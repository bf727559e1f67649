import { describe, expect, it } from 'vitest';
import { instantToWall, isKnownTimeZone, wallToInstant } from '../server-time.ts';

describe('msdb wall times and instants', () => {
  it('is the identity in UTC', () => {
    const d = new Date('2026-03-01T01:00:00.123Z');
    expect(wallToInstant(d, 'UTC').toISOString()).toBe(d.toISOString());
    expect(instantToWall(d, 'UTC').toISOString()).toBe(d.toISOString());
  });

  it('turns a server-local wall time (read by mssql as UTC) into the instant, across daylight saving', () => {
    // 01:30 local in London is 01:30 UTC in winter and 00:30 UTC in summer
    expect(wallToInstant(new Date('2026-01-15T01:30:00Z'), 'Europe/London').toISOString()).toBe(
      '2026-01-15T01:30:00.000Z',
    );
    expect(wallToInstant(new Date('2026-07-15T01:30:00Z'), 'Europe/London').toISOString()).toBe(
      '2026-07-15T00:30:00.000Z',
    );
    expect(wallToInstant(new Date('2026-07-15T09:00:00Z'), 'America/New_York').toISOString()).toBe(
      '2026-07-15T13:00:00.000Z',
    );
    for (const iso of ['2026-03-29T00:59:59Z', '2026-10-25T12:00:00Z', '2026-07-01T23:00:00Z']) {
      const instant = new Date(iso);
      expect(wallToInstant(instantToWall(instant, 'Europe/London'), 'Europe/London').toISOString()).toBe(
        instant.toISOString(),
      );
    }
  });

  it('knows IANA zones', () => {
    expect(isKnownTimeZone('Europe/London')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus')).toBe(false);
  });
});
