import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CosmosClient } from '@azure/cosmos';
import { openCatalog } from '../../../src/catalog/sqlite-catalog.ts';
import { ManualClock } from '../../../src/core/clock.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { describePluginConformance } from '../../../test/plugin/conformance.ts';
import { seedContainer, startCosmosServer, type CosmosServer } from '../../../test/harness/cosmos-server.ts';
import { EMULATOR_KEY } from '../connect-cosmos.ts';
import { cosmosPlugin } from '../cosmos-plugin.ts';
import { PageCapture, withPageCapture } from '../transport/cosmos-http-client.ts';
import { createCosmosHttpClient } from '../transport/cosmos-http-client.ts';
import { cosmosJob, tempStorage, testContext } from './cosmos-test-kit.ts';

describe('discovery (real Cosmos server)', () => {
  let cosmos: CosmosServer;
  beforeAll(async () => {
    cosmos = await startCosmosServer();
    const client = cosmos.client();
    const pk = { paths: ['/pk'] };
    for (const [db, c] of [
      ['shop', 'orders'],
      ['shop', 'customers'],
      ['shop', 'audit'],
      ['scratch-1', 'tmp'],
      ['billing', 'invoices'],
      ['billing', 'invoices-archive'],
    ] as const) {
      await seedContainer(client, db, { id: c, partitionKey: pk }, [{ id: '1', pk: 'a' }]);
    }
  });
  afterAll(async () => cosmos?.stop());

  const account = () => ({ endpoint: cosmos.endpoint, auth: { type: 'emulator' as const } });
  const acct = () => `127.0.0.1-${cosmos.port}`;

  it('applies include and exclude globs over database/container', async () => {
    const plugin = cosmosPlugin();
    try {
      const job = cosmosJob('shop', {
        account: account(),
        storage: 'backups',
        include: ['shop/*', 'billing/invoices*'],
        exclude: ['*/audit', '*/*-archive'],
      });
      const d = await plugin.discover(job, testContext({ storage: tempStorage(), manifests: [job] }));
      expect(d.targets.map((t) => t.id)).toEqual([
        `${acct()}/billing/invoices`,
        `${acct()}/shop/customers`,
        `${acct()}/shop/orders`,
      ]);
      expect(d.targets[0]!.details).toEqual({
        database: 'billing',
        container: 'invoices',
        partitionKey: ['/pk'],
      });
      expect(d.notes.find((n) => n.level === 'info')?.message).toBe(
        'left out by exclude: billing/invoices-archive, shop/audit',
      );
    } finally {
      await plugin.dispose!();
    }
  });

  it('names the containers that no CosmosBackup job for the account covers, looking at every such job', async () => {
    const plugin = cosmosPlugin();
    try {
      const shop = cosmosJob('shop', {
        account: account(),
        storage: 'backups',
        include: ['shop/*'],
        exclude: ['shop/audit'],
      });
      const billing = cosmosJob('billing', {
        account: { ...account(), endpoint: cosmos.endpoint.replace('127.0.0.1', '127.0.0.1') + '/' },
        storage: 'backups',
        include: ['billing/invoices'],
      });
      const elsewhere = cosmosJob('other-account', {
        account: { endpoint: 'https://cosno-other.documents.azure.com' },
        storage: 'backups',
        include: ['*/*'],
      });
      const d = await plugin.discover(
        shop,
        testContext({ storage: tempStorage(), manifests: [shop, billing, elsewhere] }),
      );
      const note = d.notes.find((n) => n.level === 'warning')!;
      expect(note.message).toBe(
        `3 container(s) on ${acct()} are covered by no CosmosBackup job: billing/invoices-archive, scratch-1/tmp, shop/audit`,
      );
      expect(note.details).toEqual({
        account: acct(),
        uncovered: ['billing/invoices-archive', 'scratch-1/tmp', 'shop/audit'],
      });
    } finally {
      await plugin.dispose!();
    }
  });

  it('warns when a job matches no container', async () => {
    const plugin = cosmosPlugin();
    try {
      const job = cosmosJob('none', { account: account(), storage: 'backups', include: ['nope/*'] });
      const d = await plugin.discover(job, testContext({ storage: tempStorage(), manifests: [job] }));
      expect(d.targets).toEqual([]);
      expect(d.notes[0]).toMatchObject({
        level: 'warning',
        message: `no container on ${acct()} matches include [nope/*]`,
      });
    } finally {
      await plugin.dispose!();
    }
  });

  it('the transport hands a captured page to the reader as raw documents and an empty page to the SDK', async () => {
    const http = createCosmosHttpClient();
    const client = new CosmosClient({
      endpoint: cosmos.endpoint,
      key: EMULATOR_KEY,
      httpClient: http,
      connectionPolicy: { enableEndpointDiscovery: false },
    });
    try {
      const container = client.database('shop').container('orders');
      const capture = new PageCapture();
      const page = await withPageCapture(capture, () => container.items.query('SELECT * FROM c').fetchNext());
      expect(page.resources).toEqual([]);
      expect(capture.pages).toHaveLength(1);
      expect(capture.lines().count).toBe(1);
      expect(JSON.parse(capture.lines().lines.toString())).toMatchObject({
        id: '1',
        pk: 'a',
        _rid: expect.any(String),
      });
      // Outside a capture the same transport is an ordinary one.
      expect((await container.items.query('SELECT * FROM c').fetchNext()).resources).toHaveLength(1);
      expect((await container.items.query('SELECT VALUE COUNT(1) FROM c').fetchNext()).resources).toEqual([
        1,
      ]);
    } finally {
      client.dispose();
      http.destroy();
    }
  });

  describePluginConformance(cosmosPlugin, async () => {
    const job = cosmosJob('conformance', {
      account: {
        endpoint: cosmos.endpoint,
        auth: { type: 'key', key: { secretRef: 'env:CONF_COSMOS_KEY' } },
      },
      storage: 'backups',
    });
    const env = { CONF_COSMOS_KEY: 'conformance-cosmos-key-value' };
    const ctx = testContext({
      storage: tempStorage(),
      manifests: [job],
      env,
      clock: new ManualClock('2026-03-01T00:00:00Z'),
      catalog: openCatalog(':memory:'),
    });
    return {
      job,
      ctx: { ...ctx, logger: silentLogger(), options: { dryRun: true } },
      secretValues: ['conformance-cosmos-key-value'],
    };
  });
});
