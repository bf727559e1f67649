import { describe, expect, it } from 'vitest';
import { checkPathPatterns } from '../check-path-patterns.ts';
import {
  DEFAULT_DIRECTORY_STRUCTURE,
  DEFAULT_FILE_NAME,
  renderBackupPaths,
  type BackupPathInput,
} from '../backup-paths.ts';

const base: BackupPathInput = {
  directories: ['Y:\\SQL_BACKUPS'],
  directoryStructure: DEFAULT_DIRECTORY_STRUCTURE,
  fileName: DEFAULT_FILE_NAME,
  numberOfFiles: 1,
  extensions: { full: 'bak', diff: 'bak', log: 'trn' },
  server: {
    machineName: 'SQL01',
    instanceName: null,
    serviceName: null,
    majorVersion: '16',
    minorVersion: '0',
  },
  database: 'DW',
  type: 'P',
  filegroup: null,
  copyOnly: false,
  description: null,
  at: new Date('2026-03-01T01:02:03.456Z'),
  timeZone: 'UTC',
};

const paths = (over: Partial<BackupPathInput>) => renderBackupPaths({ ...base, ...over }).files;

describe("backup paths in Ola's token grammar", () => {
  it("gives Ola's default path for a full backup, with inapplicable tokens and their separators dropped", () => {
    expect(paths({ type: 'D' })).toEqual([
      'Y:\\SQL_BACKUPS\\SQL01\\DW\\FULL\\SQL01_DW_FULL_20260301_010203.bak',
    ]);
    expect(paths({ type: 'I' })).toEqual([
      'Y:\\SQL_BACKUPS\\SQL01\\DW\\DIFF\\SQL01_DW_DIFF_20260301_010203.bak',
    ]);
    expect(paths({ type: 'L' })).toEqual([
      'Y:\\SQL_BACKUPS\\SQL01\\DW\\LOG\\SQL01_DW_LOG_20260301_010203.trn',
    ]);
  });

  it('marks partial and differential partial backups PARTIAL, and names the filegroup of a filegroup backup', () => {
    expect(paths({ type: 'P' })).toEqual([
      'Y:\\SQL_BACKUPS\\SQL01\\DW\\FULL_PARTIAL\\SQL01_DW_FULL_PARTIAL_20260301_010203.bak',
    ]);
    expect(paths({ type: 'Q' })).toEqual([
      'Y:\\SQL_BACKUPS\\SQL01\\DW\\DIFF_PARTIAL\\SQL01_DW_DIFF_PARTIAL_20260301_010203.bak',
    ]);
    expect(paths({ type: 'F', filegroup: 'FG_2019' })).toEqual([
      'Y:\\SQL_BACKUPS\\SQL01\\DW\\FULL\\SQL01_DW_FULL_FG_2019_20260301_010203.bak',
    ]);
  });

  it('keeps the instance ($) and copy-only tokens when they apply', () => {
    const p = paths({ type: 'D', copyOnly: true, server: { ...base.server, instanceName: 'DWH' } });
    expect(p).toEqual([
      'Y:\\SQL_BACKUPS\\SQL01$DWH\\DW\\FULL_COPY_ONLY\\SQL01$DWH_DW_FULL_COPY_ONLY_20260301_010203.bak',
    ]);
  });

  it('stripes over directories in order, numbering files (two digits from ten files)', () => {
    expect(paths({ type: 'D', directories: ['X:\\A\\', 'Y:\\B'], numberOfFiles: 4 })).toEqual([
      'X:\\A\\SQL01\\DW\\FULL\\SQL01_DW_FULL_20260301_010203_1.bak',
      'X:\\A\\SQL01\\DW\\FULL\\SQL01_DW_FULL_20260301_010203_2.bak',
      'Y:\\B\\SQL01\\DW\\FULL\\SQL01_DW_FULL_20260301_010203_3.bak',
      'Y:\\B\\SQL01\\DW\\FULL\\SQL01_DW_FULL_20260301_010203_4.bak',
    ]);
    const ten = paths({ type: 'D', numberOfFiles: 10 });
    expect(ten[0]).toMatch(/_01\.bak$/);
    expect(ten[9]).toMatch(/_10\.bak$/);
    const r = renderBackupPaths({ ...base, directories: ['X:\\A', 'Y:\\B'], numberOfFiles: 2 });
    expect(r.directories).toEqual(['X:\\A\\SQL01\\DW\\FULL_PARTIAL', 'Y:\\B\\SQL01\\DW\\FULL_PARTIAL']);
  });

  it('reads the time in the given zone and supports the other time tokens', () => {
    const p = paths({
      fileName:
        '{DatabaseName}_{BackupType}_{Year}{Month}{Day}_{Hour}{Minute}{Second}{Millisecond}_{Week}_{Weekday}.{FileExtension}',
      timeZone: 'Europe/London',
      at: new Date('2026-07-01T23:30:00.007Z'),
    });
    expect(p[0]).toMatch(/DW_FULL_20260702_003000007_27_Thursday\.bak$/);
  });

  it('removes characters Windows forbids from database names and descriptions, and drops an empty description', () => {
    const p = paths({
      database: 'Sales:2024*',
      fileName: '{DatabaseName}_{Description}_{BackupType}.{FileExtension}',
      description: 'a/b',
    });
    expect(p[0]).toMatch(/\\Sales2024\\FULL_PARTIAL\\Sales2024_ab_FULL\.bak$/);
    expect(
      paths({ fileName: '{DatabaseName}_{Description}_{BackupType}.{FileExtension}', description: '???' })[0],
    ).toMatch(/\\DW_FULL\.bak$/);
  });

  it('uses / under a Linux directory', () => {
    expect(paths({ directories: ['/var/opt/mssql/backup/'] })).toEqual([
      '/var/opt/mssql/backup/SQL01/DW/FULL_PARTIAL/SQL01_DW_FULL_PARTIAL_20260301_010203.bak',
    ]);
  });

  it('refuses a path longer than SQL Server allows', () => {
    expect(() => paths({ database: 'D'.repeat(128), directories: [`Y:\\${'x'.repeat(100)}`] })).toThrow(
      /259/,
    );
  });

  it('checks patterns: unknown tokens, the extension, separators, {FileNumber} for stripes, the tokens that keep names apart', () => {
    const problems = checkPathPatterns({
      directoryStructure: '{Nope}',
      fileName: '{DatabaseName}\\{Year}.bak',
      numberOfFiles: 2,
      filegroupBackups: true,
    });
    const text = problems.map((p) => `${p.path}: ${p.message}`).join('\n');
    expect(text).toContain('directoryStructure: unknown token(s) {Nope}');
    expect(text).toContain('fileName: must end with .{FileExtension}');
    expect(text).toContain('must not contain a directory separator');
    expect(text).toContain('must contain {FileNumber}');
    expect(text).toMatch(/must contain \{BackupType\}.*\{FileGroupName\}/);
    expect(
      checkPathPatterns({
        directoryStructure: DEFAULT_DIRECTORY_STRUCTURE,
        fileName: DEFAULT_FILE_NAME,
        numberOfFiles: 3,
        filegroupBackups: true,
      }),
    ).toEqual([]);
  });
});
