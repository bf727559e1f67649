import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectGolden } from '../../../test/helpers/golden.ts';
import { Secret } from '../../../src/core/secret.ts';
import type { BackupCall } from '../backup-call.ts';
import {
  backupScript,
  backupStatement,
  maintenanceDeleteCommand,
  removeView,
  verifyStatement,
} from '../backup-views.ts';
import { renderScript, renderStatement, type RenderedStatement } from '../render-statements.ts';
import { ident, int, nstr } from '../tsql.ts';

const GOLDEN = path.join(import.meta.dirname, 'golden');
const KEY = new Secret('IMMAENCRYPTCHYU', 'env:DW_BACKUP_KEY');
const DIR = 'Y:\\SQL_BACKUPS\\SIM01\\DW';

function call(over: Partial<BackupCall>): BackupCall {
  return {
    engine: 'litespeed',
    database: 'DW',
    type: 'D',
    filegroup: null,
    files: [`${DIR}\\FULL\\SIM01_DW_FULL_20260301_010000.bak`],
    directories: [`${DIR}\\FULL`],
    copyOnly: false,
    checksum: false,
    compressionLevel: null,
    adaptiveCompression: null,
    cryptLevel: null,
    threads: null,
    throttle: null,
    maxTransferSize: null,
    bufferCount: null,
    description: null,
    init: false,
    objectLevelRecoveryMap: false,
    verify: false,
    ...over,
  };
}

const DW_OPTIONS = { checksum: true, compressionLevel: 4, cryptLevel: 8, verify: true };
const STRIPES = ['X:\\A\\DW_1.bak', 'Y:\\B\\DW_2.bak', 'Z:\\C\\DW_3.bak'];

/** Every backup type and the option combinations a DBA reviews, for both engines. */
const CASES: Record<string, BackupCall> = {
  'litespeed-f-filegroup': call({
    type: 'F',
    filegroup: 'FG_2019',
    files: [`${DIR}\\FULL\\SIM01_DW_FULL_FG_2019_20260301_010000.bak`],
    ...DW_OPTIONS,
  }),
  'litespeed-p-partial': call({
    type: 'P',
    files: [`${DIR}\\FULL_PARTIAL\\SIM01_DW_FULL_PARTIAL_20260301_010000.bak`],
    ...DW_OPTIONS,
  }),
  'litespeed-q-differential-partial': call({
    type: 'Q',
    files: [`${DIR}\\DIFF_PARTIAL\\SIM01_DW_DIFF_PARTIAL_20260302_010000.bak`],
    ...DW_OPTIONS,
  }),
  'litespeed-d-full': call({ type: 'D' }),
  'litespeed-i-differential': call({
    type: 'I',
    files: [`${DIR}\\DIFF\\SIM01_DW_DIFF_20260302_010000.bak`],
    checksum: true,
  }),
  'litespeed-l-log': call({
    type: 'L',
    files: [`${DIR}\\LOG\\SIM01_DW_LOG_20260301_011500.trn`],
    checksum: true,
    verify: true,
  }),
  'litespeed-d-stripes': call({
    type: 'D',
    files: STRIPES,
    directories: ['X:\\A', 'Y:\\B', 'Z:\\C'],
    compressionLevel: 0,
  }),
  'litespeed-p-tuning': call({
    type: 'P',
    threads: 4,
    throttle: 50,
    maxTransferSize: 1048576,
    bufferCount: 20,
    description: "DW's weekly partial",
    init: true,
    objectLevelRecoveryMap: true,
    adaptiveCompression: 'Size',
  }),
  'litespeed-d-copy-only': call({ type: 'D', copyOnly: true, checksum: true }),
  'litespeed-l-copy-only-encrypted': call({
    type: 'L',
    copyOnly: true,
    cryptLevel: 6,
    files: [`${DIR}\\LOG_COPY_ONLY\\x.trn`],
  }),
  'native-d-full': call({ engine: 'native', type: 'D', checksum: true, compressionLevel: 1, verify: true }),
  'native-p-partial-stripes': call({
    engine: 'native',
    type: 'P',
    files: STRIPES,
    directories: ['X:\\A', 'Y:\\B', 'Z:\\C'],
    compressionLevel: 0,
    maxTransferSize: 4194304,
    bufferCount: 50,
    description: 'weekly',
  }),
  'native-q-differential-partial': call({
    engine: 'native',
    type: 'Q',
    checksum: true,
    init: true,
    verify: true,
  }),
  'native-f-filegroup': call({ engine: 'native', type: 'F', filegroup: 'FG_2019', verify: true }),
  'native-i-differential': call({ engine: 'native', type: 'I' }),
  'native-l-log-copy-only': call({ engine: 'native', type: 'L', copyOnly: true, checksum: true }),
};

/** The statement with each @pN put back as the literal the script form would have: must equal the script. */
function substitute(statement: RenderedStatement): string {
  let sql = statement.sql;
  for (const p of [...statement.parameters].reverse()) {
    const value = p.value instanceof Secret ? '********' : p.value;
    const literal = p.helper === 'int' ? int(value) : p.helper === 'ident' ? ident(value) : nstr(value);
    sql = sql.replaceAll(`@${p.name}`, literal);
  }
  return sql;
}

function describeParameters(s: RenderedStatement): string {
  return s.parameters
    .map(
      (p) =>
        `-- @${p.name} ${p.type}${p.length ? `(${p.length})` : ''} = ${p.value instanceof Secret ? String(p.value) : JSON.stringify(p.value)}`,
    )
    .join('\n');
}

describe('backup T-SQL from templates', () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: golden script; the statement run is the same text with typed parameters`, () => {
      const reason = 'golden case';
      const script = backupScript(c, reason);
      const statement = backupStatement(c, reason, c.cryptLevel === null ? null : KEY);
      const verify = c.verify ? verifyStatement(c, 1, c.cryptLevel === null ? null : KEY) : null;
      expectGolden(
        path.join(GOLDEN, `${name}.golden.sql`),
        [
          script,
          '',
          '-- ===== statement sent through mssql (values as parameters) =====',
          statement.sql.trimEnd(),
          describeParameters(statement),
          ...(verify ? [verify.sql.trimEnd(), describeParameters(verify)] : []),
          '',
        ].join('\n'),
      );
      const withoutComments = (text: string) =>
        text
          .split('\n')
          .filter((l) => !l.trimStart().startsWith('--'))
          .join('\n');
      expect([substitute(statement), ...(verify ? [substitute(verify)] : [])].join('\n').trimEnd()).toBe(
        withoutComments(script),
      );
      expect(script).not.toContain('IMMAENCRYPTCHYU');
      expect(statement.sql).not.toContain('IMMAENCRYPTCHYU');
      expect(statement.sql).not.toMatch(/N'Y:|N'DW'|\[DW\]/);
      expect(script).not.toMatch(/@read_write_filegroups\s*=\s*0/);
      if (c.cryptLevel !== null) expect(script).toMatch(/@encryptionkey = N'\*{8}'/);
    });
  }

  it('escapes hostile names by construction in the script, and sends them only as parameters', () => {
    const hostile = call({
      engine: 'litespeed',
      database: "D]W'; DROP DATABASE x;--",
      type: 'F',
      filegroup: "FG'1",
      files: ["Y:\\it's\\a.bak"],
    });
    const script = backupScript(hostile, 'reason\nwith a line break');
    expect(script).toContain("@database = N'D]W''; DROP DATABASE x;--'");
    expect(script).toContain("@filegroup = N'FG''1'");
    expect(script).toContain("@filename = N'Y:\\it''s\\a.bak'");
    expect(script).toContain('-- Why: reason with a line break');
    const native = backupScript({ ...hostile, engine: 'native' }, 'r');
    expect(native).toContain("BACKUP DATABASE [D]]W'; DROP DATABASE x;--] FILEGROUP = N'FG''1'");
    const statement = backupStatement(hostile, 'r', null);
    expect(statement.sql).not.toContain('DROP');
    expect(statement.parameters.map((p) => p.value)).toContain("D]W'; DROP DATABASE x;--");
  });

  it('never renders a value the helpers refuse', () => {
    expect(() => backupScript(call({ database: 'a\u0000b' }), 'r')).toThrow(/nstr/);
    expect(() => backupScript(call({ threads: 1.5 }), 'r')).toThrow(/int/);
    expect(() => backupStatement(call({ engine: 'native', database: 'x'.repeat(129) }), 'r', null)).toThrow(
      /ident/,
    );
  });

  it('a view without a value the template renders is an error, not an empty string', () => {
    expect(() =>
      renderScript('litespeed', 'verify', {
        title: 't',
        files: ['a.bak'],
        checksum: false,
        encrypted: false,
        encryptionKey: null,
      }),
    ).toThrow(/int: \(no value\)|int: undefined/);
    expect(() =>
      renderStatement('native', 'backup', { title: 't', reason: 'r', directories: [], isLog: false }),
    ).toThrow(/ident/);
  });

  it('renders file removal for both engines; refuses a path xp_slssqlmaint cannot quote', () => {
    const path = 'Y:\\SQL_BACKUPS\\DW\\x.bak';
    expect(renderScript('litespeed', 'remove', removeView('litespeed', path))).toContain(
      `EXEC @rc = master.dbo.xp_slssqlmaint N'-MAINTDEL -DELFILE "${path}"';`,
    );
    expect(renderScript('native', 'remove', removeView('native', path))).toContain(
      `EXEC master.dbo.xp_delete_file 0, N'${path}';`,
    );
    expect(renderStatement('litespeed', 'remove', removeView('litespeed', path)).sql).toContain(
      'xp_slssqlmaint @p1;',
    );
    expect(() => maintenanceDeleteCommand('Y:\\a"b.bak')).toThrow(/double quote/);
  });
});
