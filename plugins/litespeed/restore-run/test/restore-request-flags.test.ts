import { describe, expect, it } from 'vitest';
import { HoldfastError } from '../../../../src/core/errors.ts';
import { parseServerAddress } from '../resolve-server-target.ts';
import { restoreRequestFromFlags } from '../restore-request-flags.ts';
import { parsePointInTime, wallToIso } from '../server-wall-time.ts';

describe('restoreRequestFromFlags', () => {
  it('turns the flags into the planner request', () => {
    const { request, options } = restoreRequestFromFlags(
      {
        database: ' DW ',
        stopAt: '2026-03-01T14:30:00Z',
        filegroups: ['A,B', 'C', 'A'],
        firstStage: 'A',
        as: 'DW_Copy',
        moveDataTo: 'E:\\restore',
        move: ['DW_log=L:\\DW_Copy.ldf', 'DW=E:\\x=y.mdf'],
        recoveryFork: 'f0f0f0f0-0000-4000-8000-00000000f0f0',
      },
      'UTC',
    );
    expect(request).toEqual({
      database: 'DW',
      stopAt: new Date('2026-03-01T14:30:00Z'),
      filegroups: ['A', 'B', 'C'],
      firstStage: ['A'],
      as: 'DW_Copy',
      moveDataTo: 'E:\\restore',
      move: [
        { logical: 'DW_log', path: 'L:\\DW_Copy.ldf' },
        { logical: 'DW', path: 'E:\\x=y.mdf' },
      ],
    });
    expect(options).toEqual({ recoveryForkGuid: 'F0F0F0F0-0000-4000-8000-00000000F0F0' });
  });

  it('reads a --stop-at without an offset in the server time zone', () => {
    const { request } = restoreRequestFromFlags(
      { database: 'DW', stopAt: '2026-07-01 14:30' },
      'Europe/London',
    );
    expect(request.stopAt?.toISOString()).toBe('2026-07-01T13:30:00.000Z');
  });

  it('reports every problem at once (CONFIG_INVALID, exit 2)', () => {
    let caught: unknown;
    try {
      restoreRequestFromFlags(
        {
          database: '',
          stopAt: '2026-02-30T10:00:00',
          filegroups: ',',
          move: ['x', '=y'],
          recoveryFork: 'nope',
        },
        'UTC',
      );
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(HoldfastError);
    const e = caught as HoldfastError;
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.details?.problems).toHaveLength(6);
  });
});

describe('server wall times', () => {
  it('writes msdb wall times with the zone offset of the moment', () => {
    expect(wallToIso(new Date('2026-01-15T09:00:00Z'), 'Europe/London')).toBe('2026-01-15T09:00:00Z');
    expect(wallToIso(new Date('2026-07-15T09:00:00.250Z'), 'Europe/London')).toBe(
      '2026-07-15T09:00:00.250+01:00',
    );
    expect(wallToIso(new Date('2026-07-15T09:00:00Z'), 'America/New_York')).toBe('2026-07-15T09:00:00-04:00');
  });

  it('parses points in time with and without an offset; refuses the rest', () => {
    expect(parsePointInTime('2026-03-01T14:30:00+01:00', 'UTC')?.toISOString()).toBe(
      '2026-03-01T13:30:00.000Z',
    );
    expect(parsePointInTime('2026-03-01T14:30:00.5', 'UTC')?.toISOString()).toBe('2026-03-01T14:30:00.500Z');
    expect(parsePointInTime('yesterday', 'UTC')).toBeNull();
    expect(parsePointInTime('2026-13-01T00:00:00', 'UTC')).toBeNull();
  });
});

describe('parseServerAddress', () => {
  it('reads HOST, HOST:PORT, [v6]:PORT and HOST\\INSTANCE', () => {
    expect(parseServerAddress('sql01')).toEqual({ host: 'sql01' });
    expect(parseServerAddress('sql01:14330')).toEqual({ host: 'sql01', port: 14330 });
    expect(parseServerAddress('[::1]:1433')).toEqual({ host: '::1', port: 1433 });
    expect(parseServerAddress('sql01\\DW')).toEqual({ host: 'sql01', instance: 'DW' });
    expect(() => parseServerAddress('sql01:99999')).toThrow(/port/);
    expect(() => parseServerAddress('a b')).toThrow(/HOST/);
  });
});
