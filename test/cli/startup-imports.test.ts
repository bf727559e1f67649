import { describe, expect, it } from 'vitest';
import { importsOf } from '../helpers/cli.ts';

/**
 * Packages that load only when something needs them: the SDKs (~40 MB each) with the first connection or message,
 * Handlebars with the first render, prom-client with `serve`.
 */
const HEAVY = [
  '@azure/cosmos',
  '@azure/storage-blob',
  '@azure/identity',
  '@azure/keyvault-secrets',
  'mssql',
  'tedious',
  'nodemailer',
  'handlebars',
  'prom-client',
];

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
  it('validating the example jobs loads no database, Azure or mail SDK, no template engine, no metrics', async () => {
    const { run, urls } = await importsOf(['validate', 'jobs'], {
      env: { DW_SQL_HOST: '127.0.0.1', DW_SQL_PORT: '14330', DW_SQL_PASSWORD: 'x', DW_BACKUP_KEY: 'y' },
    });
    expect(run.code).toBe(0);
    expect(urls.some((u) => u.endsWith('/plugins/cosmos/schema.ts'))).toBe(true); // the recorder saw the plugins load
    const loaded = packagesAmong(urls);
    expect(loaded.has('yaml')).toBe(true);
    expect(HEAVY.filter((p) => loaded.has(p))).toEqual([]);
  });

  it('--help loads none of them either', async () => {
    const loaded = packagesAmong((await importsOf(['--help'])).urls);
    expect(loaded.has('yargs')).toBe(true);
    expect(HEAVY.filter((p) => loaded.has(p))).toEqual([]);
  });
});
