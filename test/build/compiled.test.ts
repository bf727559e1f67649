import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../../scripts/build.ts';
import { BIN, importsOf, ROOT, spawnCli } from '../helpers/cli.ts';

/**
 * The compiled tree that services run (scripts/build.ts → `npm run build`) behaves like the sources: it is built
 * into a temp dir here (packages resolve through a node_modules link, as beside dist/), and the same commands
 * give the same output from both.
 */
const out = mkdtempSync(path.join(tmpdir(), 'holdfast-build-'));
const COMPILED_BIN = path.join(out, 'bin', 'holdfast.js');
const ENV = {
  DW_SQL_HOST: '127.0.0.1',
  DW_SQL_PORT: '1',
  DW_SQL_PASSWORD: 'x',
  DW_BACKUP_KEY: 'y',
  NO_COLOR: '1',
};

const holdfast = (bin: string, args: string[]) => spawnCli(args, { bin, env: ENV });

const withoutTimes = (s: string) => s.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>');

beforeAll(() => {
  build(out);
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(out, 'node_modules'), 'dir');
}, 120_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the compiled build', () => {
  it('is JavaScript only: validating the example jobs loads no TypeScript file', async () => {
    const { run, urls } = await importsOf(['validate', 'jobs'], { bin: COMPILED_BIN, env: ENV });
    expect(run.code).toBe(0);
    expect(urls.some((u) => u.endsWith('/plugins/cosmos/schema.js'))).toBe(true);
    expect(urls.filter((u) => u.endsWith('.ts'))).toEqual([]);
    expect((await holdfast(COMPILED_BIN, ['--version'])).stdout).toBe(
      `${JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version}\n`,
    );
  });

  it.each([
    ['validate', ['validate', 'jobs']],
    [
      'plan whose server refuses the connection (mssql loads on demand)',
      ['plan', 'jobs/dw-partial.yaml', 'jobs/storage.yaml', '--format', 'json'],
    ],
    [
      'restore script from a history file (templates)',
      [
        'restore',
        'script',
        '--history',
        'plugins/litespeed/restore/golden/s1/history.json',
        '--database',
        'DW',
        '--as',
        'DW_Copy',
        '--move-data-to',
        'F:\\restore',
      ],
    ],
    ['schema', ['schema']],
  ])(
    '%s: same exit code and output as the sources',
    async (_name, args) => {
      const run = async (bin: string) => {
        const r = await holdfast(bin, args);
        return { ...r, stdout: withoutTimes(r.stdout), stderr: withoutTimes(r.stderr) };
      };
      const [compiled, sources] = await Promise.all([run(COMPILED_BIN), run(BIN)]);
      expect(compiled.stderr).toBe(sources.stderr);
      expect(compiled.stdout).toBe(sources.stdout);
      expect(compiled.code).toBe(sources.code);
      expect(compiled.stdout.length + compiled.stderr.length).toBeGreaterThan(0);
    },
    60_000,
  );

  it('demo outside a source checkout says what it needs instead of failing obscurely', async () => {
    const r = await holdfast(COMPILED_BIN, ['sim', 'sqlserver', '--help']);
    expect(r.code).toBe(0); // help needs nothing
    const demo = await holdfast(COMPILED_BIN, ['demo']);
    expect(demo.code).not.toBe(0);
    expect(demo.stderr).toContain('sim/demo/main.ts is not here');
    expect(demo.stderr).toContain('source checkout');
  });
});
