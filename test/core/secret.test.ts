import { inspect } from 'node:util';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import Handlebars from 'handlebars';
import { Secret, redact } from '../../src/core/secret.ts';
import { createSecretResolver, parseSecretRef } from '../../src/config/secret-resolver.ts';
import { HoldfastError, ErrorCode } from '../../src/core/errors.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

describe('Secret', () => {
  const s = new Secret('p@ssw0rd-value', 'env:DB_PASSWORD');

  it('never shows its value when printed, serialised, inspected, interpolated or templated', () => {
    expect(String(s)).toBe('********');
    expect(`${s}`).toBe('********');
    expect(JSON.stringify({ password: s })).toBe('{"password":"********"}');
    expect(inspect({ s })).not.toContain('p@ssw0rd');
    expect(Handlebars.compile('{{x}}', { noEscape: true })({ x: s })).toBe('********');
    expect(new HoldfastError(ErrorCode.ServerError, `login with ${s} failed`).message).not.toContain('p@ssw0rd');
    expect(s.reveal()).toBe('p@ssw0rd-value');
  });

  it('is masked in pino logs too', () => {
    let out = '';
    const log = pino({}, new Writable({ write: (c, _e, cb) => ((out += c), cb()) }));
    log.info({ s, nested: { password: s } }, 'connecting');
    expect(out).toContain('********');
    expect(out).not.toContain('p@ssw0rd');
  });

  it('redacts secret values echoed back in server messages', () => {
    expect(redact("Login failed: password 'p@ssw0rd-value' is wrong", [s])).toBe("Login failed: password '********' is wrong");
  });
});

describe('secret references', () => {
  it('parses env:, file: and both Key Vault forms', () => {
    expect(parseSecretRef('env:DW_KEY')).toEqual({ scheme: 'env', name: 'DW_KEY' });
    expect(parseSecretRef('file:./key.txt')).toEqual({ scheme: 'file', path: './key.txt' });
    expect(parseSecretRef('@Microsoft.KeyVault(SecretUri=https://kv-ops.vault.azure.net/secrets/dba-hook/)')).toEqual({
      scheme: 'keyvault', vaultUrl: 'https://kv-ops.vault.azure.net', name: 'dba-hook', version: undefined,
    });
    expect(parseSecretRef('@Microsoft.KeyVault(VaultName=kv-ops;SecretName=dw-key;SecretVersion=abc)')).toEqual({
      scheme: 'keyvault', vaultUrl: 'https://kv-ops.vault.azure.net', name: 'dw-key', version: 'abc',
    });
    expect(parseSecretRef('vault:x')).toHaveProperty('problem');
    expect(parseSecretRef('@Microsoft.KeyVault(SecretUri=http://kv/secrets/x)')).toHaveProperty('problem');
  });

  it('resolves env and file secrets, and names the reference (never a value) when one is missing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hf-secret-'));
    writeFileSync(path.join(dir, 'key.txt'), 'from-file\n');
    const resolve = createSecretResolver({ env: { A: 'from-env' }, baseDir: dir });
    expect((await resolve({ secretRef: 'env:A' })).reveal()).toBe('from-env');
    expect((await resolve({ secretRef: 'file:key.txt' })).reveal()).toBe('from-file');
    await expect(resolve({ secretRef: 'env:B' })).rejects.toThrow(/env:B.*B is not set/);
    await expect(resolve({ secretRef: 'file:nope.txt' })).rejects.toThrow(/cannot read .*nope\.txt \(ENOENT\)/);
  });

  it('reads Key Vault references through the injected reader and wraps its failures', async () => {
    const resolve = createSecretResolver({
      readKeyVault: async (vault, name) => {
        if (name === 'gone') throw new Error('SecretNotFound');
        return `${vault}|${name}`;
      },
    });
    expect((await resolve({ secretRef: '@Microsoft.KeyVault(VaultName=kv1;SecretName=s1)' })).reveal()).toBe('https://kv1.vault.azure.net|s1');
    await expect(resolve({ secretRef: '@Microsoft.KeyVault(VaultName=kv1;SecretName=gone)' })).rejects.toThrow(/Key Vault https:\/\/kv1\.vault\.azure\.net did not return gone: SecretNotFound/);
  });
});
