import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ErrorCode, HoldfastError } from '../../../../src/core/errors.ts';
import { loadHistoryFile, parseHistory, type HistoryProblem } from '../load-history.ts';
import { goldenFile } from './golden-fixtures.ts';

// The tests edit the raw JSON freely (wrong types on purpose), hence the untyped document.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const raw = (name = 's9'): Record<string, any> =>
  JSON.parse(readFileSync(goldenFile(name, 'history.json'), 'utf8'));

function problems(doc: unknown): HistoryProblem[] {
  try {
    parseHistory(doc, 'test.json');
  } catch (e) {
    expect(e).toBeInstanceOf(HoldfastError);
    expect((e as HoldfastError).code).toBe(ErrorCode.InputInvalid);
    return (e as HoldfastError).details!.problems as HistoryProblem[];
  }
  throw new Error('expected problems');
}

describe('history file', () => {
  test('a valid file loads, LSN strings kept exactly', () => {
    const h = parseHistory(raw());
    expect(h.backupsets).toHaveLength(5);
    expect(h.backupsets[2]!.last_lsn).toBe('36000000000046400001');
  });

  test('every problem is reported at once, with its JSON path, the value found and what is allowed', () => {
    const doc = raw();
    doc.backupsets[0].first_lsn = Number('36000000000030000001'); // a JSON number: precision already lost
    doc.backupsets[1].type = 'X';
    delete doc.backupsets[1].position;
    doc.backupsets[2].backup_finish_date = '2026-03-01T01:10:00';
    doc.backupsets[3].media[0].mirror = 7;
    doc.backupsets[4].extra_column = 1;
    const p = problems(doc);
    const at = (path: string) => p.find((x) => x.path === path);
    expect(at('$.backupsets[0].first_lsn')).toMatchObject({ found: '36000000000030000000 (number)' });
    expect(at('$.backupsets[0].first_lsn')!.allowed).toContain('decimal string');
    expect(at('$.backupsets[1].type')!.allowed).toContain('"P" (partial)');
    expect(at('$.backupsets[1].position')).toMatchObject({ message: 'missing', found: '(nothing)' });
    expect(at('$.backupsets[2].backup_finish_date')!.allowed).toContain('with Z or an offset');
    expect(at('$.backupsets[3].media[0].mirror')).toBeDefined();
    expect(at('$.backupsets[4]')).toMatchObject({ message: 'unknown field "extra_column"' });
    expect(p).toHaveLength(6);
  });

  test('cross-field rules: unique ids, one database, LSN order, dates, media rows', () => {
    const doc = raw();
    doc.backupsets[1].backup_set_id = doc.backupsets[0].backup_set_id;
    doc.backupsets[2].database_name = 'Other';
    doc.backupsets[3].first_lsn = '99000000000000000000001';
    doc.backupsets[4].backup_start_date = '2026-03-02T00:00:00Z';
    doc.backupsets[0].media.push({ ...doc.backupsets[0].media[0] });
    const p = problems(doc).map((x) => `${x.path}: ${x.message}`);
    expect(p).toEqual([
      '$.backupsets[0].media[1]: duplicate media row',
      '$.backupsets[1].backup_set_id: duplicate backup_set_id (also at $.backupsets[0])',
      '$.backupsets[2].database_name: backup set of another database',
      '$.backupsets[3].first_lsn: first_lsn is after last_lsn',
      '$.backupsets[4].backup_finish_date: backup finished before it started',
    ]);
  });

  test('msdb spellings are normalised: BULK-LOGGED, lower-case GUIDs', () => {
    const doc = raw();
    doc.backupsets[0].recovery_model = 'BULK-LOGGED';
    doc.backupsets[0].backup_set_uuid = doc.backupsets[0].backup_set_uuid.toLowerCase();
    const h = parseHistory(doc);
    expect(h.backupsets[0]!.recovery_model).toBe('BULK_LOGGED');
    expect(h.backupsets[0]!.backup_set_uuid).toBe(raw().backupsets[0].backup_set_uuid.toUpperCase());
  });

  test('loadHistoryFile: BOM accepted, bad JSON and missing files reported', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'holdfast-history-'));
    const good = join(dir, 'good.json');
    writeFileSync(good, `\ufeff${JSON.stringify(raw())}`);
    expect((await loadHistoryFile(good)).database_name).toBe('DW');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "database_name": ');
    await expect(loadHistoryFile(bad)).rejects.toMatchObject({
      code: ErrorCode.InputInvalid,
      message: expect.stringContaining('not valid JSON'),
    });
    await expect(loadHistoryFile(join(dir, 'none.json'))).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });
});
