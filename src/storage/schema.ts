import { z } from 'zod';
import { secretRefSchema } from '../core/secret-ref-schema.ts';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Problem with an account URL, or undefined when it is usable. */
export function checkAccountUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL (expected https://<account>.blob.core.windows.net)';
  }
  if (url.search !== '' || url.hash !== '')
    return 'must not carry a query or fragment (put a SAS token in auth.token as a secretRef)';
  if (url.username !== '' || url.password !== '') return 'must not carry a user name or password';
  if (url.protocol === 'http:') {
    if (!LOOPBACK_HOSTS.has(url.hostname))
      return 'uses http:, which is allowed only for a loopback emulator (Azurite); use https:';
    if (!/^\/[a-z0-9]{3,24}\/?$/.test(url.pathname))
      return 'for an emulator must name the account in the path (http://127.0.0.1:10000/devstoreaccount1)';
    return undefined;
  }
  if (url.protocol !== 'https:') return `uses ${url.protocol}, expected https:`;
  if (url.pathname !== '/' && !/^\/[a-z0-9]{3,24}\/?$/.test(url.pathname))
    return 'must be the account endpoint, without a container or blob path';
  return undefined;
}

/** Problem with a container name under Azure's rules, or undefined when valid. */
export function checkContainerName(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'must be 3 to 63 characters long';
  if (!/^[a-z0-9-]+$/.test(name)) return 'may contain only lower-case letters, digits and hyphens';
  if (!/^[a-z0-9]/.test(name)) return 'must start with a letter or digit';
  if (name.endsWith('-')) return 'must not end with a hyphen';
  if (name.includes('--')) return 'must not contain two hyphens in a row';
  return undefined;
}

/** Problem with a blob name prefix, or undefined when valid. A trailing `/` is allowed and ignored. */
export function checkPrefix(prefix: string): string | undefined {
  const trimmed = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  if (trimmed === '') return 'is empty (leave prefix out instead)';
  if (trimmed.startsWith('/')) return 'must not start with /';
  if (trimmed.includes('\\')) return 'must not contain a backslash';
  if (trimmed.length > 512) return 'is longer than 512 characters';
  for (const segment of trimmed.split('/')) {
    if (segment === '') return 'has an empty segment (//)';
    if (segment === '.' || segment === '..') return `has a "${segment}" segment`;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(trimmed)) return 'contains a control character';
  return undefined;
}

function refineWith(check: (value: string) => string | undefined) {
  return (value: string, ctx: z.core.$RefinementCtx<string>) => {
    const problem = check(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value });
  };
}

export const localStorageSpecSchema = z
  .strictObject({
    type: z.literal('local').describe('A directory on this machine (or a mounted share).'),
    path: z
      .string()
      .min(1)
      .describe(
        "Directory the artifacts are written under: absolute, or relative to the job file's directory. " +
          'Created on first write if its parent exists (a missing parent is an error, so an unmounted share is not silently replaced by a local folder).',
      ),
  })
  .describe(
    'Local directory: objects are files, written to a hidden temp file, fsynced and renamed into place.',
  );

export const azureBlobAuthSchema = z
  .discriminatedUnion('type', [
    z
      .strictObject({
        type: z
          .literal('entra')
          .describe('DefaultAzureCredential: managed identity, workload identity, environment, Azure CLI.'),
      })
      .describe('Microsoft Entra ID (the default). Needs an https account URL.'),
    z
      .strictObject({
        type: z.literal('connection-string'),
        connectionString: secretRefSchema.describe(
          "The storage account's connection string, as a secret reference.",
        ),
      })
      .describe("Connection string. Its blob endpoint must be the spec's account."),
    z
      .strictObject({
        type: z.literal('sas'),
        token: secretRefSchema.describe(
          'A SAS token (with or without the leading ?), as a secret reference. Needs read, add, create, write, delete and list permissions.',
        ),
      })
      .describe('Shared access signature.'),
    z
      .strictObject({
        type: z.literal('shared-key'),
        accountName: z
          .string()
          .regex(/^[a-z0-9]{3,24}$/, 'must be 3 to 24 lower-case letters and digits')
          .describe('Storage account name.'),
        key: secretRefSchema.describe('The account key, as a secret reference.'),
      })
      .describe('Storage account shared key.'),
  ])
  .describe('How holdfast authenticates to the storage account.');

export const azureBlobStorageSpecSchema = z
  .strictObject({
    type: z.literal('azure-blob').describe('An Azure Blob Storage container.'),
    account: z
      .string()
      .superRefine(refineWith(checkAccountUrl))
      .describe(
        'Blob endpoint of the account: https://<account>.blob.core.windows.net, or http://127.0.0.1:<port>/devstoreaccount1 for Azurite.',
      ),
    container: z
      .string()
      .superRefine(refineWith(checkContainerName))
      .describe(
        'Container name (3-63 characters: lower-case letters, digits, single hyphens). It must exist.',
      ),
    prefix: z
      .string()
      .superRefine(refineWith(checkPrefix))
      .optional()
      .describe('Virtual directory inside the container that every key is placed under (e.g. "sql/prod").'),
    auth: azureBlobAuthSchema.default({ type: 'entra' }),
  })
  .superRefine((spec, ctx) => {
    if (spec.auth.type === 'entra' && spec.account.startsWith('http:')) {
      ctx.addIssue({
        code: 'custom',
        path: ['auth', 'type'],
        message:
          'Entra authentication needs an https account URL; use connection-string or shared-key with an emulator',
        input: spec.auth.type,
      });
    }
  })
  .describe(
    'Azure Blob Storage: objects are block blobs, committed with one block list after their blocks are staged.',
  );

export const storageSpecSchema = z
  .discriminatedUnion('type', [localStorageSpecSchema, azureBlobStorageSpecSchema])
  .describe('Where backup artifacts are written: a local directory or an Azure Blob container.');

export type LocalStorageSpec = z.output<typeof localStorageSpecSchema>;
export type AzureBlobAuth = z.output<typeof azureBlobAuthSchema>;
export type AzureBlobStorageSpec = z.output<typeof azureBlobStorageSpecSchema>;
export type StorageSpec = z.output<typeof storageSpecSchema>;
/** A spec as written in a job file (auth may be left out). */
export type StorageSpecInput = z.input<typeof storageSpecSchema>;
