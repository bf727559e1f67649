import { describe, expect, it } from 'vitest';
import { formatLsn, LogCursor, makeLsn, parseLsn, splitLsn } from './lsn.ts';

describe('LSNs', () => {
  it('compose VLF, block and slot into the numeric(25,0) form SQL Server shows', () => {
    expect(formatLsn(makeLsn(34, 123, 1))).toBe('34000000012300001');
    expect(splitLsn(34000000012300001n)).toEqual({ vlf: 34, block: 123, slot: 1 });
  });

  it('parse only decimal digits', () => {
    expect(parseLsn('34000000012300001')).toBe(34000000012300001n);
    expect(() => parseLsn('3.4e16')).toThrow(/not an LSN/);
    expect(() => parseLsn('')).toThrow(/not an LSN/);
  });

  it('advance strictly: small records share a block, writes move blocks and roll over VLFs', () => {
    const log = new LogCursor(34000000012300001n);
    const a = log.appendRecord();
    const b = log.appendRecord();
    expect(a).toBe(34000000012300001n);
    expect(b).toBe(34000000012300002n);
    const c = log.appendBytes(1024 * 1024);
    expect(c).toBe(34000000012300003n);
    expect(splitLsn(log.next)).toEqual({ vlf: 34, block: 123 + 2048, slot: 1 });
    log.appendBytes(200 * 1024 * 1024);
    const after = splitLsn(log.next);
    expect(after.vlf).toBe(37);
    expect(log.next > c).toBe(true);
    let prev = log.next;
    for (let i = 0; i < 500; i++) {
      const x = i % 7 === 0 ? log.appendBytes(i * 1000) : log.appendRecord();
      expect(x >= prev).toBe(true);
      expect(log.next > x).toBe(true);
      prev = log.next;
    }
  });
});
