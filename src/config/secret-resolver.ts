import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, HoldfastError } from '../core/errors.ts';
import type { SecretRef } from '../core/job.ts';
import { Secret } from '../core/secret.ts';

/**
 * Secret references, never values, live in job files:
 * - `env:NAME` — an environment variable;
 * - `file:PATH` — a file's content without a trailing newline (relative to the job file's directory);
 * - `@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/name[/version])` or
 *   `@Microsoft.KeyVault(VaultName=kv;SecretName=name[;SecretVersion=v])` — Azure Key Vault, read with
 *   DefaultAzureCredential (the form App Service and Functions already use).
 */
export type ParsedSecretRef =
  | { scheme: 'env'; name: string }
  | { scheme: 'file'; path: string }
  | { scheme: 'keyvault'; vaultUrl: string; name: string; version?: string };

export const SECRET_REF_FORMS =
  'env:NAME, file:PATH, @Microsoft.KeyVault(SecretUri=https://<vault>.vault.azure.net/secrets/<name>[/<version>]) or @Microsoft.KeyVault(VaultName=<vault>;SecretName=<name>[;SecretVersion=<version>])';

/** Parses a reference; returns a problem description instead of throwing. */
export function parseSecretRef(ref: string): ParsedSecretRef | { problem: string } {
  if (ref.startsWith('env:')) {
    const name = ref.slice(4);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return { problem: `"${name}" is not an environment variable name` };
    return { scheme: 'env', name };
  }
  if (ref.startsWith('file:')) {
    const p = ref.slice(5);
    if (p.length === 0) return { problem: 'file: needs a path' };
    return { scheme: 'file', path: p };
  }
  const kv = /^@Microsoft\.KeyVault\((.*)\)$/.exec(ref);
  if (kv) {
    const fields = new Map<string, string>();
    for (const part of kv[1]!.split(';')) {
      const eq = part.indexOf('=');
      if (eq <= 0) return { problem: `Key Vault reference part "${part}" is not Name=Value` };
      fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
    }
    const uri = fields.get('secreturi');
    if (uri) {
      let url: URL;
      try {
        url = new URL(uri);
      } catch {
        return { problem: `SecretUri "${uri}" is not a URL` };
      }
      const m = /^\/secrets\/([^/]+)(?:\/([^/]+))?\/?$/.exec(url.pathname);
      if (url.protocol !== 'https:' || !m) {
        return { problem: `SecretUri must look like https://<vault>.vault.azure.net/secrets/<name>[/<version>]` };
      }
      return { scheme: 'keyvault', vaultUrl: `${url.protocol}//${url.host}`, name: m[1]!, version: m[2] };
    }
    const vault = fields.get('vaultname');
    const name = fields.get('secretname');
    if (vault && name) {
      return { scheme: 'keyvault', vaultUrl: `https://${vault}.vault.azure.net`, name, version: fields.get('secretversion') };
    }
    return { problem: 'a Key Vault reference needs SecretUri=..., or VaultName=...;SecretName=...' };
  }
  return { problem: `unknown secret reference form` };
}

export interface SecretResolverOptions {
  env?: NodeJS.ProcessEnv;
  /** Directory that relative `file:` paths are resolved against. */
  baseDir?: string;
  /** Reads a Key Vault secret; default uses @azure/keyvault-secrets with DefaultAzureCredential. */
  readKeyVault?: (vaultUrl: string, name: string, version?: string) => Promise<string>;
}

export type SecretResolver = (ref: SecretRef, baseDir?: string) => Promise<Secret>;

/** Creates a resolver with a per-process cache. Errors name the reference, never a value. */
export function createSecretResolver(options: SecretResolverOptions = {}): SecretResolver {
  const env = options.env ?? process.env;
  const cache = new Map<string, Promise<Secret>>();
  const readKeyVault = options.readKeyVault ?? readFromKeyVault;

  async function resolve(ref: string, baseDir: string): Promise<Secret> {
    const parsed = parseSecretRef(ref);
    if ('problem' in parsed) {
      throw new HoldfastError(ErrorCode.SecretUnresolved, `secret reference "${ref}": ${parsed.problem}; allowed: ${SECRET_REF_FORMS}`);
    }
    switch (parsed.scheme) {
      case 'env': {
        const value = env[parsed.name];
        if (value === undefined || value === '') {
          throw new HoldfastError(ErrorCode.SecretUnresolved, `secret "${ref}": environment variable ${parsed.name} is not set`);
        }
        return new Secret(value, ref);
      }
      case 'file': {
        const file = path.resolve(baseDir, parsed.path);
        try {
          const text = await readFile(file, 'utf8');
          return new Secret(text.replace(/\r?\n$/, ''), ref);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          throw new HoldfastError(ErrorCode.SecretUnresolved, `secret "${ref}": cannot read ${file} (${code ?? 'error'})`, { cause: err });
        }
      }
      case 'keyvault': {
        try {
          return new Secret(await readKeyVault(parsed.vaultUrl, parsed.name, parsed.version), ref);
        } catch (err) {
          throw new HoldfastError(ErrorCode.SecretUnresolved, `secret "${ref}": Key Vault ${parsed.vaultUrl} did not return ${parsed.name}: ${(err as Error).message}`, {
            cause: err,
            retryable: true,
          });
        }
      }
    }
  }

  return (ref, baseDir) => {
    const dir = baseDir ?? options.baseDir ?? process.cwd();
    const key = `${dir}\u0000${ref.secretRef}`;
    let hit = cache.get(key);
    if (!hit) {
      hit = resolve(ref.secretRef, dir);
      hit.catch(() => cache.delete(key));
      cache.set(key, hit);
    }
    return hit;
  };
}

async function readFromKeyVault(vaultUrl: string, name: string, version?: string): Promise<string> {
  const [{ SecretClient }, { DefaultAzureCredential }] = await Promise.all([
    import('@azure/keyvault-secrets'),
    import('@azure/identity'),
  ]);
  const client = new SecretClient(vaultUrl, new DefaultAzureCredential());
  const secret = await client.getSecret(name, version ? { version } : {});
  if (secret.value === undefined) throw new Error('the secret has no value');
  return secret.value;
}

/** Walks any value and yields every `{ secretRef }` object with its path. */
export function* findSecretRefs(value: unknown, at: (string | number)[] = []): Generator<{ path: (string | number)[]; ref: SecretRef }> {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* findSecretRefs(value[i], [...at, i]);
  } else if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if (typeof obj.secretRef === 'string' && Object.keys(obj).length === 1) {
      yield { path: at, ref: obj as unknown as SecretRef };
      return;
    }
    for (const [k, v] of Object.entries(obj)) yield* findSecretRefs(v, [...at, k]);
  }
}
