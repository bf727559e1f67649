import Handlebars from 'handlebars';
import { describe, expect, test } from 'vitest';
import { Secret } from '../../../../src/core/secret.ts';
import {
  backupDevice,
  comment,
  createTsqlHandlebars,
  datetime,
  ident,
  int,
  lsn,
  moveClause,
  nstr,
  stopAtClause,
  TsqlValueError,
} from '../../tsql.ts';
import { planRestore } from '../plan-restore.ts';
import { renderRestoreScript } from '../render-restore-script.ts';
import type { RestorePlan } from '../restore-plan.ts';
import { scenarioHistory } from './golden-fixtures.ts';
import { tokenize } from './tsql-tokens.ts';

const HOSTILE_DB = "DW]; DROP DATABASE [master]; --'";
const HOSTILE_AS = "Ωmega ]]' 数据 🚀\nSHUTDOWN";
const HOSTILE_FG = "A'); DROP TABLE t; --\r\nGO";
const HOSTILE_LOGICAL = "DW_A' TO N'C:\\evil.mdf'--";
const HOSTILE_PATH = "E:\\data\\it's ]] 日本.ndf";

describe('T-SQL helpers', () => {
  test('ident bracket-quotes and doubles ]', () => {
    expect(ident('DW')).toBe('[DW]');
    expect(ident('a]b]]')).toBe('[a]]b]]]]]');
    expect(ident('数据 🚀')).toBe('[数据 🚀]');
    for (const bad of ['', 'x'.repeat(129), 'a\u0000b', 3, null, undefined])
      expect(() => ident(bad)).toThrow(TsqlValueError);
  });

  test('nstr makes a Unicode literal with quotes doubled', () => {
    expect(nstr("O'Brien")).toBe("N'O''Brien'");
    expect(nstr("''")).toBe("N''''''");
    expect(nstr('数据\n🚀')).toBe("N'数据\n🚀'");
    for (const bad of ['a\u0000', 1, undefined, null, {}]) expect(() => nstr(bad)).toThrow(TsqlValueError);
  });

  test('int accepts safe integers only', () => {
    expect(int(0)).toBe('0');
    expect(int(-7)).toBe('-7');
    for (const bad of [1.5, Number.NaN, Infinity, 2 ** 53, '1', 1n])
      expect(() => int(bad)).toThrow(TsqlValueError);
  });

  test('lsn accepts decimal strings and bigint, never numbers', () => {
    expect(lsn('36000000000000000000001')).toBe('36000000000000000000001');
    expect(lsn(36000000000000000000001n)).toBe('36000000000000000000001');
    for (const bad of [Number('36000000000000000000001'), '1e22', '-1', '12345678901234567890123456', ' 1'])
      expect(() => lsn(bad)).toThrow(TsqlValueError);
  });

  test('datetime writes the unambiguous ISO form: wall clock of the offset given, Dates in UTC', () => {
    expect(datetime('2026-03-02T03:10:00.500+01:00')).toBe('2026-03-02T03:10:00.500');
    expect(datetime('2026-03-02T03:10:00+01:00')).toBe('2026-03-02T03:10:00');
    expect(datetime('2026-03-02T03:10:00.1234567Z')).toBe('2026-03-02T03:10:00.123');
    expect(datetime(new Date('2026-03-02T03:10:00.007Z'))).toBe('2026-03-02T03:10:00.007');
    for (const bad of ['03/02/2026', "2026-03-02T03:10:00'; DROP", new Date(Number.NaN), 5])
      expect(() => datetime(bad)).toThrow(TsqlValueError);
  });

  test('comment keeps one line', () => {
    expect(comment('a\r\nb\nc\u2028d')).toBe('a b c d');
    expect(() => comment(undefined)).toThrow(TsqlValueError);
  });

  test('clauses compose the helpers', () => {
    expect(moveClause("a'b", 'F:\\x.mdf')).toBe("MOVE N'a''b' TO N'F:\\x.mdf'");
    expect(nstr(moveClause('DW_Data', 'F:\\x.mdf'))).toBe("N'MOVE N''DW_Data'' TO N''F:\\x.mdf'''");
    expect(stopAtClause('2026-03-02T03:10:00Z')).toBe("STOPAT = '2026-03-02T03:10:00'");
    expect(backupDevice(9, 'https://x/y.bak')).toBe("URL = N'https://x/y.bak'");
    expect(backupDevice(2, 'a')).toBe("DISK = N'a'");
    expect(backupDevice(null, 'a')).toBe("DISK = N'a'");
    expect(backupDevice(5, 'a')).toBe("TAPE = N'a'");
  });

  test('createTsqlHandlebars: isolated instance, no HTML escaping, strict lookups, helpers need their values', () => {
    const t = createTsqlHandlebars();
    expect(t.handlebars).not.toBe(Handlebars);
    expect(Handlebars.helpers.nstr).toBeUndefined();
    expect(t.compile<{ n: string }>('{{nstr n}} & <{{ident n}}>')({ n: 'a&<b>' })).toBe(
      "N'a&<b>' & <[a&<b>]>",
    );
    expect(() => t.compile('{{missing}}')({})).toThrow(/missing/);
    expect(() => t.compile('{{nstr}}')({})).toThrow(TsqlValueError);
    expect(() => t.compile('{{nstr missing}}')({})).toThrow(TsqlValueError);
  });
});

function hostilePlan(): RestorePlan {
  const h = scenarioHistory('s1');
  h.database_name = HOSTILE_DB;
  h.filegroups = h.filegroups!.map((fg) => (fg.name === 'A' ? { ...fg, name: HOSTILE_FG } : fg));
  for (const s of h.backupsets) {
    s.database_name = HOSTILE_DB;
    for (const f of s.files) {
      if (f.filegroup_name === 'A') {
        f.filegroup_name = HOSTILE_FG;
        f.logical_name = HOSTILE_LOGICAL;
        f.physical_name = HOSTILE_PATH;
      }
    }
    for (const m of s.media) m.physical_device_name = `Y:\\it's\\${m.physical_device_name.split('\\').pop()}`;
  }
  const r = planRestore(h, {
    database: HOSTILE_DB,
    as: HOSTILE_AS,
    move: [{ logical: HOSTILE_LOGICAL, path: "G:\\o'k ]].ndf" }],
  });
  if (!r.ok) throw new Error(r.failure.message);
  return r.plan;
}

const KEYWORDS = new Set(
  'SET NOCOUNT ON DECLARE @rc int EXEC master dbo xp_restore_database xp_restore_log @database @filename @filenumber @filegroup @with @encryptionkey IF OR IS NULL BEGIN RAISERROR RETURN END RESTORE DATABASE LOG FILEGROUP FROM DISK URL TAPE WITH FILE PARTIAL NORECOVERY RECOVERY STOPAT MOVE TO @@ERROR'.split(
    ' ',
  ),
);

describe('rendered scripts with hostile names', () => {
  for (const engine of ['litespeed', 'native'] as const) {
    test(`${engine}: every name comes back exactly, and nothing else is code`, () => {
      const script = renderRestoreScript(
        hostilePlan(),
        engine === 'litespeed'
          ? { engine, encryptionKey: new Secret("k'ey]", 'env:K'), revealSecrets: true }
          : { engine },
      );
      const tokens = tokenize(script);
      for (const t of tokens) {
        if (t.kind === 'word' && !/^\d+$/.test(t.value))
          expect(KEYWORDS.has(t.value), `unexpected word ${t.value}`).toBe(true);
        if (t.kind === 'comment') expect(t.text).not.toMatch(/[\r\n]/);
      }
      const strings = tokens.filter((t) => t.kind === 'nstring').map((t) => (t as { value: string }).value);
      const idents = tokens.filter((t) => t.kind === 'ident').map((t) => (t as { value: string }).value);
      if (engine === 'litespeed') {
        expect(strings).toContain(HOSTILE_AS);
        expect(strings).toContain(HOSTILE_FG);
        expect(strings).toContain("k'ey]");
        const move = strings.find((s) => s.startsWith('MOVE '))!;
        const inner = tokenize(move)
          .filter((t) => t.kind === 'nstring')
          .map((t) => (t as { value: string }).value);
        expect(inner).toEqual([HOSTILE_LOGICAL, "G:\\o'k ]].ndf"]);
      } else {
        expect(idents).toContain(HOSTILE_AS);
        expect(strings).toContain(HOSTILE_FG);
        expect(strings).toContain(HOSTILE_LOGICAL);
        expect(strings).toContain("G:\\o'k ]].ndf");
      }
      expect(strings.some((s) => s.startsWith("Y:\\it's\\"))).toBe(true);
    });
  }

  test('the key is masked unless revealSecrets is set', () => {
    const plan = hostilePlan();
    const key = new Secret('s3cr3t-value', 'env:K');
    const masked = renderRestoreScript(plan, { engine: 'litespeed', encryptionKey: key });
    expect(masked).not.toContain('s3cr3t-value');
    expect(masked).toContain("@encryptionkey = N'********'");
    expect(
      renderRestoreScript(plan, { engine: 'litespeed', encryptionKey: key, revealSecrets: true }),
    ).toContain("@encryptionkey = N's3cr3t-value'");
    expect(renderRestoreScript(plan, { engine: 'litespeed' })).not.toContain('@encryptionkey =');
    expect(() => renderRestoreScript(plan, { engine: 'native', encryptionKey: key })).toThrow(
      /LiteSpeed scripts only/,
    );
    expect(() => renderRestoreScript(plan, { engine: 'litespeed', revealSecrets: true })).toThrow(
      /needs an encryptionKey/,
    );
  });

  test('a recover-only step is native T-SQL in both engines', () => {
    const plan = hostilePlan();
    plan.steps.push({
      ...plan.steps.at(-1)!,
      stage: 3,
      kind: 'recover',
      backup_set_id: null,
      files: [],
      position: null,
      device_type: null,
      move: [],
      stop_at: null,
      partial: false,
      recovery: true,
      filegroups: ['B'],
      reason: 'bring B online',
    });
    for (const engine of ['litespeed', 'native'] as const) {
      const script = renderRestoreScript(plan, { engine });
      expect(script).toContain(`RESTORE DATABASE ${ident(HOSTILE_AS)} FILEGROUP = N'B' WITH RECOVERY;`);
    }
  });
});
