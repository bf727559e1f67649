import type { TokenCredential } from '@azure/identity';
import {
  BlobServiceClient,
  StorageSharedKeyCredential,
  type ContainerClient,
  type StoragePipelineOptions,
} from '@azure/storage-blob';
import { ErrorCode, HoldfastError } from '../core/errors.ts';
import type { SecretRef } from '../core/job.ts';
import { redact, type Secret } from '../core/secret.ts';
import type { AzureBlobStorageSpec } from './schema.ts';

export interface AzureBlobClientOptions {
  /** SDK pipeline options (retry policy, proxy, keep-alive). */
  pipeline?: StoragePipelineOptions;
  /** Credential for `auth: { type: entra }`; DefaultAzureCredential when not given. */
  tokenCredential?: TokenCredential;
}

export interface AzureBlobClient {
  container: ContainerClient;
  /** The account endpoint without a trailing slash, as people should see it (no SAS, no key). */
  accountUrl: string;
  /** Secrets that went into the client: redacted from any error text that comes back. */
  secrets: Secret[];
}

/**
 * Builds the container client for a spec. Secrets are resolved here and revealed only to construct the
 * credential; the SAS is the only one that travels in the client's URL, and no URL is shown to anyone.
 */
export async function createAzureBlobClient(
  target: string,
  spec: AzureBlobStorageSpec,
  resolveSecret: (ref: SecretRef) => Promise<Secret>,
  options: AzureBlobClientOptions = {},
): Promise<AzureBlobClient> {
  const accountUrl = spec.account.replace(/\/+$/, '');
  const auth = spec.auth ?? { type: 'entra' };
  const pipeline = options.pipeline ?? {};
  switch (auth.type) {
    case 'entra': {
      const credential =
        options.tokenCredential ?? new (await import('@azure/identity')).DefaultAzureCredential();
      return {
        container: new BlobServiceClient(accountUrl, credential, pipeline).getContainerClient(spec.container),
        accountUrl,
        secrets: [],
      };
    }
    case 'shared-key': {
      const key = await resolveSecret(auth.key);
      let credential: StorageSharedKeyCredential;
      try {
        credential = new StorageSharedKeyCredential(auth.accountName, key.reveal());
      } catch {
        throw configError(target, `the shared key from ${key.ref} is not valid base64`);
      }
      return {
        container: new BlobServiceClient(accountUrl, credential, pipeline).getContainerClient(spec.container),
        accountUrl,
        secrets: [key],
      };
    }
    case 'sas': {
      const token = await resolveSecret(auth.token);
      const sas = token.reveal().replace(/^\?/, '');
      if (!/(^|&)sig=/.test(sas))
        throw configError(target, `the SAS token from ${token.ref} has no sig= parameter`);
      return {
        container: new BlobServiceClient(`${accountUrl}?${sas}`, undefined, pipeline).getContainerClient(
          spec.container,
        ),
        accountUrl,
        secrets: [token],
      };
    }
    case 'connection-string': {
      const cs = await resolveSecret(auth.connectionString);
      let service: BlobServiceClient;
      try {
        service = BlobServiceClient.fromConnectionString(cs.reveal(), pipeline);
      } catch (err) {
        throw configError(
          target,
          `the connection string from ${cs.ref} is not valid: ${err instanceof Error ? redact(err.message.split('\n')[0] ?? '', [cs]) : 'unreadable'}`,
        );
      }
      const endpoint = stripQuery(service.url);
      if (endpoint !== accountUrl) {
        throw configError(
          target,
          `the connection string from ${cs.ref} points at ${endpoint}, but the spec's account is ${accountUrl}`,
        );
      }
      return { container: service.getContainerClient(spec.container), accountUrl, secrets: [cs] };
    }
  }
}

function stripQuery(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`.replace(/\/+$/, '');
}

function configError(target: string, message: string): HoldfastError {
  return new HoldfastError(ErrorCode.StorageFailed, `storage ${target}: ${message}`, { target });
}
