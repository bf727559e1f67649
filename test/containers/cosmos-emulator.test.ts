import { rmSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { CosmosClient } from '@azure/cosmos';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountNameOf } from '../../plugins/cosmos/account-name.ts';
import { EMULATOR_KEY } from '../../plugins/cosmos/connect-cosmos.ts';
import { cosmosPlugin } from '../../plugins/cosmos/cosmos-plugin.ts';
import {
  cosmosJob,
  sampleDocuments,
  tempStorage,
  testContext,
} from '../../plugins/cosmos/test/cosmos-test-kit.ts';
import { findDockerEngine, reportSkipped } from './docker-engine.ts';

/**
 * The Cosmos plugin against the official Linux emulator (vNext) in a container: plan and execute an export of
 * a seeded container, then read the JSON Lines back. Discovery is given rather than listed: the vNext emulator
 * does not serve the database and collection feeds yet (see docs/deployment.md). Needs a Docker engine.
 */
const IMAGE = 'mcr.microsoft.com/cosmosdb/linux/azure-cosmos-emulator:vnext-preview';
const docker = await findDockerEngine();
const SUITE = 'CosmosBackup against the Cosmos DB emulator (vNext) in a container';
reportSkipped(SUITE, docker);

describe.skipIf(!docker.available)(SUITE, () => {
  let container: StartedTestContainer;
  let endpoint = '';
  let storage: ReturnType<typeof tempStorage>;
  const documents = sampleDocuments(300);

  beforeAll(async () => {
    storage = tempStorage();
    container = await new GenericContainer(IMAGE)
      .withEnvironment({ ENABLE_TELEMETRY: 'false', PROTOCOL: 'http', ENABLE_EXPLORER: 'false' })
      .withExposedPorts(8081)
      .withWaitStrategy(Wait.forHttp('/', 8081).forStatusCodeMatching(() => true))
      .withStartupTimeout(240_000)
      .start();
    const host = container.getHost() === 'localhost' ? '127.0.0.1' : container.getHost();
    endpoint = `http://${host}:${container.getMappedPort(8081)}`;
    const client = new CosmosClient({
      endpoint,
      key: EMULATOR_KEY,
      connectionPolicy: { enableEndpointDiscovery: false },
    });
    const { database } = await client.databases.createIfNotExists({ id: 'shop' });
    const { container: orders } = await database.containers.createIfNotExists({
      id: 'orders',
      partitionKey: { paths: ['/pk'] },
    });
    for (const doc of documents) await orders.items.upsert(doc);
    client.dispose();
  }, 300_000);

  afterAll(async () => {
    await container?.stop();
    if (storage) rmSync(storage.root, { recursive: true, force: true });
  });

  it('exports a container to JSON Lines with a manifest, every document once', async () => {
    const auth = /^http:\/\/(127\.0\.0\.1|localhost)/.test(endpoint)
      ? { type: 'emulator' as const }
      : { type: 'key' as const, key: { secretRef: 'env:HF_COSMOS_KEY' } };
    const job = cosmosJob('orders-nightly', {
      account: { endpoint, auth },
      storage: storage.name,
      include: ['shop/orders'],
    });
    const plugin = cosmosPlugin();
    const ctx = testContext({ storage, env: { HF_COSMOS_KEY: EMULATOR_KEY } });
    try {
      const account = accountNameOf(job.spec.account);
      const discovery = {
        targets: [
          {
            id: `${account}/shop/orders`,
            details: { database: 'shop', container: 'orders', partitionKey: ['/pk'] },
          },
        ],
        notes: [],
      };
      const { steps } = await plugin.plan(job, discovery, ctx);
      expect(steps).toHaveLength(1);
      const outcome = await plugin.execute(steps[0]!, job, ctx);
      expect(outcome.status, outcome.summary).toBe('succeeded');
      expect(outcome.metrics?.documents).toBe(documents.length);
      const [dataKey] = outcome.artifacts![0]!.locations;
      const chunks: Buffer[] = [];
      for await (const chunk of await storage.read(dataKey!)) chunks.push(chunk as Buffer);
      const lines = gunzipSync(Buffer.concat(chunks)).toString('utf8').trim().split('\n');
      const ids = lines.map((l) => (JSON.parse(l) as { id: string }).id).sort();
      expect(ids).toEqual(documents.map((d) => d.id as string).sort());
    } finally {
      await plugin.dispose?.();
    }
  }, 300_000);
});
