import { describe, expect, it } from 'vitest';
import { missingBareFilegroups, selectDatabases, selectFilegroups } from '../select-databases.ts';

const server = ['master', 'tempdb', 'model', 'msdb', 'DW', 'DW_Archive', 'Sales', 'Sales_Test'];

describe('database selection (Ola @Databases)', () => {
  it('selects by keyword, never tempdb', () => {
    expect(selectDatabases(['USER_DATABASES'], server).selected).toEqual([
      'DW',
      'DW_Archive',
      'Sales',
      'Sales_Test',
    ]);
    expect(selectDatabases(['SYSTEM_DATABASES'], server).selected).toEqual(['master', 'model', 'msdb']);
    expect(selectDatabases(['ALL_DATABASES'], server).selected).not.toContain('tempdb');
  });

  it('matches names case-insensitively and wildcards * % ?, then applies exclusions', () => {
    expect(selectDatabases(['dw'], server).selected).toEqual(['DW']);
    expect(selectDatabases(['DW*'], server).selected).toEqual(['DW', 'DW_Archive']);
    expect(selectDatabases(['Sales%', '-%_Test'], server).selected).toEqual(['Sales']);
    expect(selectDatabases(['USER_DATABASES', '-DW?Archive'], server).selected).toEqual([
      'DW',
      'Sales',
      'Sales_Test',
    ]);
    expect(selectDatabases(['-DW'], server).selected).toEqual([]);
  });

  it('reports names that do not exist, patterns that match nothing, and tempdb', () => {
    const s = selectDatabases(['DW', 'Nope', 'Zz*', 'tempdb', '-Gone'], server);
    expect(s.selected).toEqual(['DW']);
    expect(s.missing).toEqual(['Nope']);
    expect(s.unmatched).toEqual(['Zz*']);
    expect(s.refused).toEqual([{ name: 'tempdb', why: 'tempdb cannot be backed up' }]);
  });

  it('treats regular-expression characters in names literally', () => {
    expect(selectDatabases(['D.'], ['DW', 'D.']).selected).toEqual(['D.']);
    expect(selectDatabases(['(x)*'], ['(x)1', 'x1']).selected).toEqual(['(x)1']);
  });
});

describe('filegroup selection (Database.FileGroup)', () => {
  const fgs = ['PRIMARY', 'FG_2019', 'FG_2020', 'FG_CURRENT'];
  it('selects all by default, by database and pattern, with exclusions', () => {
    expect([...selectFilegroups(['ALL_FILEGROUPS'], 'DW', fgs).selected]).toEqual(fgs);
    expect([...selectFilegroups(['DW.FG_20*'], 'DW', fgs).selected]).toEqual(['FG_2019', 'FG_2020']);
    expect([...selectFilegroups(['DW.FG_20*'], 'Sales', fgs).selected]).toEqual([]);
    expect([...selectFilegroups(['ALL_FILEGROUPS', '-DW.FG_2019'], 'DW', fgs).selected]).toEqual([
      'PRIMARY',
      'FG_2020',
      'FG_CURRENT',
    ]);
    expect([...selectFilegroups(['fg_2020'], 'DW', fgs).selected]).toEqual(['FG_2020']);
  });

  it('reports a named filegroup the database does not have', () => {
    expect(selectFilegroups(['DW.FG_2099', 'DW.FG_2019'], 'DW', fgs).missing).toEqual(['DW.FG_2099']);
    expect(selectFilegroups(['Sales.FG_2099'], 'DW', fgs).missing).toEqual([]);
    expect(missingBareFilegroups(['FG_2099', 'FG_2019', 'FG_*', '-FG_X'], new Map([['DW', fgs]]))).toEqual([
      'FG_2099',
    ]);
  });
});
