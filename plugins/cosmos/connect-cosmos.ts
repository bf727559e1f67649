import type { CosmosClient, RetryOptions } from '@azure/cosmos';
import type { TokenCredential } from '@azure/identity';
import type { SecretRef } from '../../src/core/job.ts';
import type { Secret } from '../../src/core/secret.ts';
import { accountNameOf, isLocalEndpoint } from './account-name.ts';
import type { CosmosAccount } from './schema.ts';
import { createCosmosHttpClient, type CosmosHttpClient } from './transport/cosmos-http-client.ts';

/** The Cosmos DB emulator's documented, public development key (the same for every emulator install). */
export const EMULATOR_KEY =
  'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

/**
 * The SDK's own retries: 429s wait the server's retry-after (fixed interval 0), up to 20 times and 90 s in all
 * per request; connection resets on reads are retried by the SDK's default policy. Callers add an outer backoff.
 */
export const SDK_RETRY_OPTIONS: RetryOptions = {
  maxRetryAttemptCount: 20,
  fixedRetryIntervalInMilliseconds: 0,
  maxWaitTimeInSeconds: 90,
};

export interface CosmosConnection {
  client: CosmosClient;
  endpoint: string;
  /** Short account name for target ids. */
  accountName: string;
  /** `key` / `entra` / `emulator`. */
  authType: CosmosAccount['auth']['type'];
  /** Secrets in use, so error texts from the server can be redacted. */
  secrets: Secret[];
  dispose(): void;
}

export interface ConnectOptions {
  resolveSecret(ref: SecretRef): Promise<Secret>;
  /** Entra credential (default DefaultAzureCredential, created on first use). */
  credential?: TokenCredential;
  retryOptions?: RetryOptions;
  /** Per-request timeout in ms (default 60 s). */
  requestTimeoutMs?: number;
}

/** Creates a client for an account as the job describes it. Resolves the key now; Entra tokens are fetched per request. */
export async function connectCosmos(
  account: CosmosAccount,
  options: ConnectOptions,
): Promise<CosmosConnection> {
  const httpClient: CosmosHttpClient = createCosmosHttpClient();
  const secrets: Secret[] = [];
  const common = {
    endpoint: account.endpoint,
    httpClient,
    userAgentSuffix: 'holdfast',
    connectionPolicy: {
      // A local emulator advertises https://host:port regions it does not serve; talk to the endpoint as given.
      enableEndpointDiscovery: !isLocalEndpoint(account.endpoint),
      requestTimeout: options.requestTimeoutMs ?? 60_000,
      retryOptions: options.retryOptions ?? SDK_RETRY_OPTIONS,
    },
  };
  // The SDK (~40 MB) loads with the first connection, not with every command.
  const { CosmosClient } = await import('@azure/cosmos');
  let client: CosmosClient;
  switch (account.auth.type) {
    case 'key': {
      const key = await options.resolveSecret(account.auth.key);
      secrets.push(key);
      client = new CosmosClient({ ...common, key: key.reveal() });
      break;
    }
    case 'emulator':
      client = new CosmosClient({ ...common, key: EMULATOR_KEY });
      break;
    case 'entra': {
      const credential = options.credential ?? new (await import('@azure/identity')).DefaultAzureCredential();
      client = new CosmosClient({ ...common, aadCredentials: credential });
      break;
    }
  }
  return {
    client,
    endpoint: account.endpoint,
    accountName: accountNameOf(account),
    authType: account.auth.type,
    secrets,
    dispose() {
      client.dispose();
      httpClient.destroy();
    },
  };
}
