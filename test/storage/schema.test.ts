import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import {
  checkAccountUrl,
  checkContainerName,
  checkPrefix,
  storageSpecSchema,
} from '../../src/storage/schema.ts';

function issues(spec: unknown): string[] {
  const r = storageSpecSchema.safeParse(spec);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

const blob = { type: 'azure-blob', account: 'https://stbackups.blob.core.windows.net', container: 'backups' };

describe('storage spec schema', () => {
  it('accepts a local directory and defaults Azure Blob auth to Entra', () => {
    expect(storageSpecSchema.parse({ type: 'local', path: './out' })).toEqual({
      type: 'local',
      path: './out',
    });
    expect(storageSpecSchema.parse(blob)).toEqual({ ...blob, auth: { type: 'entra' } });
  });

  it('accepts each auth form with secret references', () => {
    const forms = [
      { type: 'connection-string', connectionString: { secretRef: 'env:CS' } },
      { type: 'sas', token: { secretRef: 'file:./sas.txt' } },
      {
        type: 'shared-key',
        accountName: 'stbackups',
        key: { secretRef: '@Microsoft.KeyVault(VaultName=kv;SecretName=key)' },
      },
      { type: 'entra' },
    ];
    for (const auth of forms) expect(issues({ ...blob, prefix: 'sql/prod/', auth })).toEqual([]);
  });

  it('rejects unknown keys everywhere, and a secret written in place of a reference', () => {
    expect(issues({ type: 'local', path: '/x', colour: 'blue' })).toEqual([': Unrecognized key: "colour"']);
    expect(issues({ ...blob, auth: { type: 'entra', tenant: 'x' } })).toEqual([
      'auth: Unrecognized key: "tenant"',
    ]);
    expect(
      issues({ ...blob, auth: { type: 'shared-key', accountName: 'stbackups', key: 'hunter2' } }),
    ).toEqual(['auth.key: Invalid input: expected object, received string']);
    expect(issues({ ...blob, auth: { type: 'sas', token: { secretRef: 'env:X', value: 'y' } } })).toEqual([
      'auth.token: Unrecognized key: "value"',
    ]);
  });

  it('names the storage types allowed for an unknown type', () => {
    const r = storageSpecSchema.safeParse({ type: 'floppy' });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]).toMatchObject({
      code: 'invalid_union',
      path: ['type'],
      options: ['local', 'azure-blob'],
    });
  });

  it('checks account URLs', () => {
    expect(checkAccountUrl('https://stbackups.blob.core.windows.net')).toBeUndefined();
    expect(checkAccountUrl('https://stbackups.blob.core.windows.net/')).toBeUndefined();
    expect(checkAccountUrl('https://stbackups.blob.core.usgovcloudapi.net')).toBeUndefined();
    expect(checkAccountUrl('http://127.0.0.1:10000/devstoreaccount1')).toBeUndefined();
    expect(checkAccountUrl('http://localhost:10000/devstoreaccount1/')).toBeUndefined();
    expect(checkAccountUrl('stbackups')).toMatch(/not a URL/);
    expect(checkAccountUrl('http://stbackups.blob.core.windows.net')).toMatch(/only for a loopback emulator/);
    expect(checkAccountUrl('http://127.0.0.1:10000')).toMatch(/name the account in the path/);
    expect(checkAccountUrl('https://st.blob.core.windows.net/backups?sv=2024&sig=abc')).toMatch(
      /SAS token in auth\.token/,
    );
    expect(checkAccountUrl('https://st.blob.core.windows.net/backups/sub')).toMatch(
      /without a container or blob path/,
    );
    expect(checkAccountUrl('ftp://st.blob.core.windows.net')).toMatch(/expected https/);
    expect(checkAccountUrl('https://user:pw@st.blob.core.windows.net')).toMatch(/user name or password/);
  });

  it('checks container names by Azure rules', () => {
    for (const ok of ['abc', 'backups', 'sql-prod-01', 'a'.repeat(63), '0day'])
      expect(checkContainerName(ok), ok).toBeUndefined();
    expect(checkContainerName('ab')).toMatch(/3 to 63/);
    expect(checkContainerName('a'.repeat(64))).toMatch(/3 to 63/);
    expect(checkContainerName('Backups')).toMatch(/lower-case/);
    expect(checkContainerName('back_ups')).toMatch(/lower-case/);
    expect(checkContainerName('-backups')).toMatch(/start with a letter or digit/);
    expect(checkContainerName('backups-')).toMatch(/end with a hyphen/);
    expect(checkContainerName('back--ups')).toMatch(/two hyphens/);
    expect(issues({ ...blob, container: 'Bad_Name' })).toEqual([
      'container: may contain only lower-case letters, digits and hyphens',
    ]);
  });

  it('checks prefixes', () => {
    expect(checkPrefix('sql/prod')).toBeUndefined();
    expect(checkPrefix('sql/prod/')).toBeUndefined();
    expect(checkPrefix('/sql')).toMatch(/start with \//);
    expect(checkPrefix('a//b')).toMatch(/empty segment/);
    expect(checkPrefix('a/../b')).toMatch(/"\.\." segment/);
    expect(checkPrefix('a\\b')).toMatch(/backslash/);
    expect(checkPrefix('/')).toMatch(/empty/);
    expect(issues({ ...blob, prefix: '../up' })).toEqual(['prefix: has a ".." segment']);
  });

  it('refuses Entra on a plain-http emulator URL', () => {
    expect(issues({ ...blob, account: 'http://127.0.0.1:10000/devstoreaccount1' })).toEqual([
      'auth.type: Entra authentication needs an https account URL; use connection-string or shared-key with an emulator',
    ]);
  });

  it('publishes descriptions and closed objects in its JSON Schema', () => {
    const json = z.toJSONSchema(storageSpecSchema, {
      target: 'draft-7',
      io: 'input',
      unrepresentable: 'any',
    }) as {
      description: string;
      oneOf: {
        additionalProperties: boolean;
        description: string;
        properties: Record<string, { description?: string }>;
      }[];
    };
    expect(json.description).toMatch(/local directory or an Azure Blob container/);
    expect(json.oneOf).toHaveLength(2);
    for (const option of json.oneOf) {
      expect(option.additionalProperties).toBe(false);
      expect(option.description.length).toBeGreaterThan(10);
    }
    const blobProps = json.oneOf[1]!.properties;
    for (const key of ['account', 'container', 'prefix', 'auth'])
      expect(blobProps[key]?.description, key).toBeTruthy();
  });
});
