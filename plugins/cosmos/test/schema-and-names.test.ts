import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { accountNameOf, checkEndpoint } from '../account-name.ts';
import { checkFileNamePattern, DEFAULT_FILE_NAME, exportKeys, renderFileName } from '../file-name.ts';
import { cosmosBackupSpecSchema } from '../schema.ts';

const base = { account: { endpoint: 'https://cosno-orders.documents.azure.com' }, storage: 'backups' };

describe('CosmosBackup spec', () => {
  it('fills defaults: Entra auth, every container, gzip, the default file name', () => {
    const spec = cosmosBackupSpecSchema.parse(base);
    expect(spec).toMatchObject({
      account: { auth: { type: 'entra' } },
      include: ['*/*'],
      exclude: [],
      compression: 'gzip',
      fileName: DEFAULT_FILE_NAME,
      reader: 'auto',
      notify: [],
      checkpoint: { seconds: 300 },
    });
  });

  it('accepts a full job', () => {
    const spec = cosmosBackupSpecSchema.parse({
      ...base,
      schedule: { cron: '0 2 * * *', timezone: 'Europe/London' },
      account: {
        endpoint: 'https://cosno-orders.documents.azure.com',
        auth: { type: 'key', key: { secretRef: 'env:COSMOS_KEY' } },
      },
      include: ['shop/*', '*/orders'],
      exclude: ['scratch*/*'],
      compression: 'zstd',
      compressionLevel: 9,
      maxRequestUnitsPerSecond: 4000,
      throughputShare: 0.3,
      retention: { keepDays: 14 },
      notify: [{ channel: 'dba-team', on: ['failure', 'missed'] }],
      rpo: '26h',
    });
    expect(spec.schedule).toEqual({ cron: '0 2 * * *', timezone: 'Europe/London', catchUp: false });
  });

  it.each([
    [{ ...base, extra: 1 }, 'extra'],
    [{ ...base, account: { endpoint: 'http://cosno.documents.azure.com' } }, 'account.endpoint'],
    [{ ...base, account: { endpoint: 'https://cosno.documents.azure.com/dbs/x' } }, 'account.endpoint'],
    [
      { ...base, account: { endpoint: 'https://cosno.documents.azure.com', auth: { type: 'emulator' } } },
      'account.auth.type',
    ],
    [{ ...base, account: { endpoint: 'http://127.0.0.1:8081' } }, 'account.auth.type'],
    [
      {
        ...base,
        account: { endpoint: 'https://a.documents.azure.com', auth: { type: 'key', key: 'plain-text-key' } },
      },
      'account.auth.key',
    ],
    [{ ...base, include: ['orders'] }, 'include[0]'],
    [{ ...base, include: [] }, 'include'],
    [{ ...base, fileName: '{Account}/{Container}' }, 'fileName'],
    [{ ...base, fileName: '{Database}/{Container}/{Date}' }, 'fileName'],
    [{ ...base, compression: 'brotli' }, 'compression'],
    [{ ...base, compressionLevel: 12 }, 'compressionLevel'],
    [{ ...base, throughputShare: 1.5 }, 'throughputShare'],
    [{ ...base, schedule: { cron: 'every night' } }, 'schedule.cron'],
    [{ ...base, schedule: { cron: '0 2 * * *', timezone: 'Mars/Olympus' } }, 'schedule.timezone'],
    [{ ...base, retention: {} }, 'retention'],
    [{ ...base, rpo: 'soon' }, 'rpo'],
  ])('rejects %j at %s', (input, at) => {
    const result = cosmosBackupSpecSchema.safeParse(input);
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) =>
      i.path
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
        .join('')
        .replace(/^\./, ''),
    );
    expect(paths.some((p) => p === at || (at === 'extra' && p === ''))).toBe(true);
  });

  it('publishes as JSON Schema with descriptions', () => {
    const json = JSON.stringify(
      z.toJSONSchema(cosmosBackupSpecSchema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }),
    );
    expect(json).toContain('"additionalProperties":false');
    expect(json).toContain('Request-unit budget');
  });
});

describe('account names and file names', () => {
  it('derives the account name from the endpoint', () => {
    expect(accountNameOf({ endpoint: 'https://cosno-orders.documents.azure.com:443/' })).toBe('cosno-orders');
    expect(accountNameOf({ endpoint: 'http://127.0.0.1:8081' })).toBe('127.0.0.1-8081');
    expect(accountNameOf({ endpoint: 'http://localhost:8081' })).toBe('localhost-8081');
    expect(accountNameOf({ endpoint: 'http://[::1]:8081' })).toBe('--1-8081');
    expect(accountNameOf({ endpoint: 'https://x.documents.azure.com', name: 'orders' })).toBe('orders');
    expect(checkEndpoint('https://user:pw@x.documents.azure.com')).toMatch(/user name/);
    expect(checkEndpoint('ftp://x')).toMatch(/expected https/);
  });

  it('renders tokens in the schedule time zone (UTC otherwise)', () => {
    const at = new Date('2026-07-01T23:30:05Z');
    const values = { account: 'cosno', database: 'shop', container: 'orders', at };
    expect(renderFileName(DEFAULT_FILE_NAME, values)).toBe('cosno/shop/orders/orders_20260701_233005');
    expect(renderFileName(DEFAULT_FILE_NAME, { ...values, timezone: 'Europe/London' })).toBe(
      'cosno/shop/orders/orders_20260702_003005',
    );
    expect(exportKeys('a/b', 'zstd')).toMatchObject({ data: 'a/b.jsonl.zst', manifest: 'a/b.manifest.json' });
    expect(exportKeys('a/b', 'gzip').part(3)).toBe('a/b.part-00003.jsonl.gz');
    expect(checkFileNamePattern('{Database}/{Container}}')).toMatch(/unmatched/);
    expect(checkFileNamePattern('/{Database}/{Container}')).toMatch(/relative/);
    expect(checkFileNamePattern('{Database}/../{Container}')).toMatch(/\.\./);
  });
});
