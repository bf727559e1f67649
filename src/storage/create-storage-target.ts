import path from 'node:path';
import type { SecretRef } from '../core/job.ts';
import type { Secret } from '../core/secret.ts';
import type { AzureBlobTargetOptions } from './azure-blob.ts';
import type { AzureBlobClientOptions } from './azure-blob-client.ts';
import type { StorageTarget } from './contract.ts';
import { LocalDirectoryTarget } from './local-directory.ts';
import type { StorageSpec } from './schema.ts';

export interface CreateStorageTargetOptions {
  /** Resolves a secret reference from the spec; called only for the secrets this spec's auth needs. */
  resolveSecret: (ref: SecretRef) => Promise<Secret>;
  /** Directory of the job file the Storage manifest came from: a relative local path resolves against it. */
  baseDir: string;
  /** Client options for Azure Blob (retry policy, a token credential) and block tuning; defaults suit production. */
  azure?: AzureBlobClientOptions & Omit<AzureBlobTargetOptions, 'prefix'>;
}

/**
 * Creates the storage target a validated Storage manifest's spec describes. Resolves its secrets now.
 * The Azure SDK is loaded only when an Azure Blob target is created (it costs about 35 MB of memory).
 */
export async function createStorageTarget(
  name: string,
  spec: StorageSpec,
  options: CreateStorageTargetOptions,
): Promise<StorageTarget> {
  switch (spec.type) {
    case 'local':
      return new LocalDirectoryTarget(name, path.resolve(options.baseDir, spec.path));
    case 'azure-blob': {
      const [{ AzureBlobTarget }, { createAzureBlobClient }] = await Promise.all([
        import('./azure-blob.ts'),
        import('./azure-blob-client.ts'),
      ]);
      const { pipeline, tokenCredential, ...tuning } = options.azure ?? {};
      const client = await createAzureBlobClient(name, spec, options.resolveSecret, {
        pipeline,
        tokenCredential,
      });
      return new AzureBlobTarget(name, client, { ...tuning, prefix: spec.prefix });
    }
  }
}
