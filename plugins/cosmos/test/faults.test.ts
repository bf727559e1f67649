import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HoldfastError } from '../../../src/core/errors.ts';
import { LocalDirectoryTarget } from '../../../src/storage/local-directory.ts';
import { seedContainer, startCosmosServer, type CosmosServer } from '../../../test/harness/cosmos-server.ts';
import {
  startFaultProxy,
  type FaultAction,
  type FaultProxy,
  type ProxiedRequest,
} from '../../../test/harness/fault-proxy.ts';
import { EMULATOR_KEY } from '../connect-cosmos.ts';
import { cosmosPlugin } from '../cosmos-plugin.ts';
import { cosmosJob, filesUnder, sampleDocuments, tempStorage, testContext } from './cosmos-test-kit.ts';

const fastRetry = { retry: { baseDelayMs: 20, maxDelayMs: 200, attempts: 8 } };

const isDocumentRead = (r: ProxiedRequest) => /\/docs\/?$/.test(r.path.split('?')[0]!);

describe('export under faults (real Cosmos server behind a fault proxy)', () => {
  let cosmos: CosmosServer;
  let proxy: FaultProxy;
  beforeAll(async () => {
    cosmos = await startCosmosServer();
    await seedContainer(
      cosmos.client(),
      'shop',
      { id: 'orders', partitionKey: { paths: ['/pk'] } },
      sampleDocuments(3000),
    );
    proxy = await startFaultProxy(cosmos.endpoint);
  });
  afterAll(async () => {
    await proxy?.stop();
    await cosmos?.stop();
  });

  const job = (extra: Record<string, unknown> = {}, endpoint = proxy.endpoint) =>
    cosmosJob('orders', {
      account: { endpoint, auth: { type: 'emulator' } },
      storage: 'backups',
      include: ['shop/*'],
      pageSize: 250,
      ...extra,
    });

  it('rides out a storm of 429s, 503s, dropped and cut connections and still exports every document exactly once', async () => {
    const storm = (r: ProxiedRequest): FaultAction => {
      const i = r.index;
      if (i % 4 === 1) return { type: 'status', status: 429, retryAfterMs: 5 };
      if (i % 9 === 2) return { type: 'status', status: 503 };
      if (isDocumentRead(r) && i % 10 === 3) return { type: 'drop' };
      if (isDocumentRead(r) && i % 15 === 7) return { type: 'cut' };
      return { type: 'pass' };
    };
    proxy.setSchedule(storm);
    const before = { ...proxy.stats.faults };
    const plugin = cosmosPlugin(fastRetry);
    const storage = tempStorage();
    const j = job();
    const ctx = testContext({ storage, manifests: [j] });
    try {
      const { steps } = await plugin.plan(j, await plugin.discover(j, ctx), ctx);
      const outcome = await plugin.execute(steps[0]!, j, ctx);
      expect(outcome.status).toBe('succeeded');
      const data = outcome.artifacts![0]!.locations[0]!;
      const ids = gunzipSync(readFileSync(path.join(storage.root, data)))
        .toString('utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { id: string }).id);
      expect(ids).toHaveLength(3000);
      expect(new Set(ids).size).toBe(3000);
      const injected = (k: string) => (proxy.stats.faults[k] ?? 0) - (before[k] ?? 0);
      expect(injected('429')).toBeGreaterThan(3);
      expect(injected('503')).toBeGreaterThan(0);
      expect(injected('drop') + injected('cut')).toBeGreaterThan(0);
    } finally {
      proxy.setSchedule(undefined);
      await plugin.dispose!();
    }
  }, 120_000);

  it('paces reads under maxRequestUnitsPerSecond (the server charges 1 RU per request)', async () => {
    const plugin = cosmosPlugin(fastRetry);
    const storage = tempStorage();
    const j = job({ maxRequestUnitsPerSecond: 4, pageSize: 250, include: ['shop/orders'] });
    const ctx = testContext({ storage, manifests: [j] });
    try {
      const { steps } = await plugin.plan(j, await plugin.discover(j, ctx), ctx);
      const started = performance.now();
      const outcome = await plugin.execute(steps[0]!, j, ctx);
      const seconds = (performance.now() - started) / 1000;
      // 12 pages at 1 RU each, 4 RU/s with a 4 RU head start: the last page waits for 7 RU, 1.75 s.
      expect(seconds).toBeGreaterThan(1.6);
      expect(outcome.metrics?.documents).toBe(3000);
      const manifest = JSON.parse(
        readFileSync(path.join(storage.root, outcome.artifacts![0]!.locations[1]!), 'utf8'),
      ) as { requestUnitBudget: unknown };
      expect(manifest.requestUnitBudget).toEqual({ perSecond: 4, source: 'maxRequestUnitsPerSecond' });
    } finally {
      await plugin.dispose!();
    }
  });

  it('reports a wrong key as refused credentials, naming the account and never the key', async () => {
    const guard = await startFaultProxy(cosmos.endpoint, { requireKey: EMULATOR_KEY });
    const plugin = cosmosPlugin(fastRetry);
    try {
      const wrongKey = Buffer.from('definitely-not-the-account-key-0123456789').toString('base64');
      const good = cosmosJob('k', {
        account: { endpoint: guard.endpoint, auth: { type: 'key', key: { secretRef: 'env:GOOD_KEY' } } },
        storage: 'backups',
      });
      const bad = cosmosJob('k2', {
        account: { endpoint: guard.endpoint, auth: { type: 'key', key: { secretRef: 'env:BAD_KEY' } } },
        storage: 'backups',
      });
      const ctx = testContext({
        storage: tempStorage(),
        manifests: [good, bad],
        env: { GOOD_KEY: EMULATOR_KEY, BAD_KEY: wrongKey },
      });
      expect((await plugin.discover(good, ctx)).targets.length).toBeGreaterThan(0);
      const err = (await plugin.discover(bad, ctx).catch((e: unknown) => e)) as HoldfastError;
      expect(err).toBeInstanceOf(HoldfastError);
      expect(err.message).toMatch(
        new RegExp(
          `Cosmos DB account ${guard.endpoint} refused the credentials while listing databases and containers \\(401 Unauthorized\\)`,
        ),
      );
      expect(err.message).not.toContain(wrongKey);
      expect(err.retryable).toBe(false);
    } finally {
      await plugin.dispose!();
      await guard.stop();
    }
  });

  it('reports an unreachable account clearly', async () => {
    const gone = await startFaultProxy(cosmos.endpoint);
    const endpoint = gone.endpoint;
    await gone.stop();
    const plugin = cosmosPlugin({ retry: { attempts: 1 } });
    try {
      const j = job({}, endpoint);
      const err = (await plugin
        .discover(j, testContext({ storage: tempStorage(), manifests: [j] }))
        .catch((e: unknown) => e)) as HoldfastError;
      expect(err.message).toMatch(
        new RegExp(
          `cannot reach Cosmos DB account ${endpoint} while listing databases and containers: .*ECONNREFUSED`,
        ),
      );
    } finally {
      await plugin.dispose!();
    }
  });

  it('fails with a clear error when the container is deleted mid-export, and leaves nothing behind', async () => {
    const client = cosmos.client();
    await seedContainer(
      client,
      'shop',
      { id: 'doomed', partitionKey: { paths: ['/pk'] } },
      sampleDocuments(1200, { prefix: 'doomed' }),
    );
    let reads = 0;
    proxy.setSchedule((r) => {
      if (
        r.path.includes('/colls/doomed/docs') &&
        r.method === 'POST' &&
        !r.headers['x-ms-cosmos-is-query-plan-request'] &&
        JSON.stringify(r.headers).includes('isquery') &&
        ++reads === 3
      ) {
        return { type: 'delay', ms: 300 };
      }
      return { type: 'pass' };
    });
    const plugin = cosmosPlugin(fastRetry);
    const storage = tempStorage();
    const j = job({ include: ['shop/doomed'], checkpoint: { documents: 250 } });
    const ctx = testContext({ storage, manifests: [j] });
    try {
      const { steps } = await plugin.plan(j, await plugin.discover(j, ctx), ctx);
      const running = plugin.execute(steps[0]!, j, ctx).catch((e: unknown) => e);
      while (reads < 3) await new Promise((r) => setTimeout(r, 5));
      await client.database('shop').container('doomed').delete();
      const err = (await running) as HoldfastError;
      expect(err).toBeInstanceOf(HoldfastError);
      expect(err.code).toBe('NOT_FOUND');
      expect(err.message).toMatch(
        /container shop\/doomed does not exist on Cosmos DB account .* \(deleted while reading shop\/doomed\?\)/,
      );
      expect(filesUnder(storage.root)).toEqual([]);
    } finally {
      proxy.setSchedule(undefined);
      await plugin.dispose!();
    }
  });

  it('fails with the storage error when the target refuses writes, and the export leaves nothing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hf-refuse-'));
    const blocker = path.join(dir, 'not-a-directory');
    writeFileSync(blocker, 'a file where the storage root should be');
    const storage = new LocalDirectoryTarget('backups', blocker);
    const plugin = cosmosPlugin(fastRetry);
    const j = job({ include: ['shop/orders'] });
    const ctx = testContext({ storage, manifests: [j] });
    try {
      const { steps } = await plugin.plan(j, await plugin.discover(j, ctx), ctx);
      const err = (await plugin.execute(steps[0]!, j, ctx).catch((e: unknown) => e)) as HoldfastError;
      expect(err).toBeInstanceOf(HoldfastError);
      expect(err.code).toBe('STORAGE_FAILED');
      expect(readdirSync(dir)).toEqual(['not-a-directory']);
    } finally {
      await plugin.dispose!();
    }
  });
});
