import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../helpers/cli.ts';

const RECORDER = path.join(ROOT, 'test', 'fixtures', 'record-imports.mjs');
const dir = mkdtempSync(path.join(tmpdir(), 'holdfast-imports-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The SDKs that weigh ~40 MB each and load only when a connection or a message needs them. */
const HEAVY = [
  '@azure/cosmos',
  '@azure/storage-blob',
  '@azure/identity',
  '@azure/keyvault-secrets',
  'mssql',
  'tedious',
  'nodemailer',
];

async function importsOf(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const out = path.join(dir, `imports-${args[0]}.txt`);
  await promisify(execFile)(process.execPath, ['--import', RECORDER, BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, HOLDFAST_IMPORTS_OUT: out, NO_COLOR: '1' },
  });
  return readFileSync(out, 'utf8').split('\n');
}

function packagesAmong(urls: string[]): Set<string> {
  const names = new Set<string>();
  for (const url of urls) {
    if (url.endsWith('/package.json')) continue; // reading a version is not loading the package
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (m) names.add(m[1]!);
  }
  return names;
}

describe('what a command loads at start', () => {
  it('validating the example jobs loads no database, Azure or mail SDK', async () => {
    const urls = await importsOf(['validate', 'jobs'], {
      DW_SQL_HOST: '127.0.0.1',
      DW_SQL_PORT: '14330',
      DW_SQL_PASSWORD: 'x',
      DW_BACKUP_KEY: 'y',
    });
    expect(urls.some((u) => u.endsWith('/plugins/cosmos/schema.ts'))).toBe(true); // the recorder saw the plugins load
    const loaded = packagesAmong(urls);
    expect(loaded.has('yaml')).toBe(true);
    expect(HEAVY.filter((p) => loaded.has(p))).toEqual([]);
  });

  it('--help loads none of them either', async () => {
    const loaded = packagesAmong(await importsOf(['--help']));
    expect(loaded.has('yargs')).toBe(true);
    expect(HEAVY.filter((p) => loaded.has(p))).toEqual([]);
  });
});
