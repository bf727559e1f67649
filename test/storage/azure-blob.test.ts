import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  BlobServiceClient,
  ContainerSASPermissions,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecretRef } from '../../src/core/job.ts';
import { Secret } from '../../src/core/secret.ts';
import {
  createStorageTarget,
  type CreateStorageTargetOptions,
} from '../../src/storage/create-storage-target.ts';
import type { StorageTarget } from '../../src/storage/contract.ts';
import { storageSpecSchema, type StorageSpecInput } from '../../src/storage/schema.ts';
import { startAzurite, type Azurite } from '../harness/azurite.ts';
import { expectHoldfastError, listKeys, readAll, sha256, storageConformance } from './conformance.ts';

let azurite: Azurite;
let service: BlobServiceClient;

beforeAll(async () => {
  azurite = await startAzurite();
  service = BlobServiceClient.fromConnectionString(azurite.connectionString);
});
afterAll(async () => {
  await azurite?.stop();
});

const FAST_RETRIES = { retryOptions: { maxTries: 2, retryDelayInMs: 20, maxRetryDelayInMs: 100 } };
/** Small blocks so the conformance writes span many blocks and the in-flight budget is exercised. */
const SMALL_BLOCKS = { blockSize: 1024 * 1024, maxInFlightBytes: 4 * 1024 * 1024 };

/** Resolves `{ secretRef: "test:NAME" }` from a map, as the real resolver would from env: or file:. */
function secrets(values: Record<string, string>): CreateStorageTargetOptions['resolveSecret'] {
  return async (ref: SecretRef) => {
    const name = ref.secretRef.replace(/^test:/, '');
    if (!(name in values)) throw new Error(`no test secret ${name}`);
    return new Secret(values[name]!, ref.secretRef);
  };
}

async function newContainer(): Promise<string> {
  const name = `c${randomBytes(8).toString('hex')}`;
  await service.createContainer(name);
  return name;
}

async function blobTarget(
  spec: Record<string, unknown>,
  values: Record<string, string>,
  extra: Partial<NonNullable<CreateStorageTargetOptions['azure']>> = {},
): Promise<StorageTarget> {
  const parsed = storageSpecSchema.parse(spec as StorageSpecInput);
  return createStorageTarget('blob-test', parsed, {
    baseDir: '/',
    resolveSecret: secrets(values),
    azure: { pipeline: FAST_RETRIES, ...SMALL_BLOCKS, ...extra },
  });
}

function containerSas(container: string): string {
  const credential = new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey);
  return generateBlobSASQueryParameters(
    {
      containerName: container,
      permissions: ContainerSASPermissions.parse('racwdl'),
      expiresOn: new Date(Date.now() + 3_600_000),
    },
    credential,
  ).toString();
}

storageConformance('azure blob (connection string, prefix)', async () => {
  const container = await newContainer();
  const target = await blobTarget(
    {
      type: 'azure-blob',
      account: azurite.blobEndpoint,
      container,
      prefix: 'holdfast/prod/',
      auth: { type: 'connection-string', connectionString: { secretRef: 'test:CS' } },
    },
    { CS: azurite.connectionString },
  );
  return { target, dispose: async () => void (await service.deleteContainer(container)) };
});

storageConformance('azure blob (shared key)', async () => {
  const container = await newContainer();
  const target = await blobTarget(
    {
      type: 'azure-blob',
      account: azurite.blobEndpoint,
      container,
      auth: { type: 'shared-key', accountName: azurite.accountName, key: { secretRef: 'test:KEY' } },
    },
    { KEY: azurite.accountKey },
  );
  return { target, dispose: async () => void (await service.deleteContainer(container)) };
});

storageConformance('azure blob (SAS)', async () => {
  const container = await newContainer();
  const target = await blobTarget(
    {
      type: 'azure-blob',
      account: azurite.blobEndpoint,
      container,
      auth: { type: 'sas', token: { secretRef: 'test:SAS' } },
    },
    { SAS: `?${containerSas(container)}` },
  );
  return { target, dispose: async () => void (await service.deleteContainer(container)) };
});

describe('azure blob specifics', () => {
  const sharedKey = (container: string, key = azurite.accountKey, extra = {}) =>
    blobTarget(
      {
        type: 'azure-blob',
        account: azurite.blobEndpoint,
        container,
        auth: { type: 'shared-key', accountName: azurite.accountName, key: { secretRef: 'test:KEY' } },
      },
      { KEY: key },
      extra,
    );

  it('says the credential was refused for a wrong key, without a stack trace or the key', async () => {
    const container = await newContainer();
    const wrongKey = Buffer.from('definitely-not-the-azurite-account-key').toString('base64');
    const target = await sharedKey(container, wrongKey);
    const err = await expectHoldfastError(
      target.check(),
      'STORAGE_FAILED',
      new RegExp(
        `^storage blob-test: the credential was refused for container ${container} in http://127\\.0\\.0\\.1:\\d+/devstoreaccount1 \\(403 AuthorizationFailure: .*\\)$`,
      ),
    );
    expect(err.retryable).toBe(false);
    expect(err.message).not.toContain('\n');
    const printed = JSON.stringify(err.toJSON()) + inspect(err, { depth: 5 });
    expect(printed).not.toContain(wrongKey);
    await expectHoldfastError(target.put('k', 'v'), 'STORAGE_FAILED', /credential was refused/);
    await expectHoldfastError(listKeys(target, ''), 'STORAGE_FAILED', /credential was refused/);
    await expectHoldfastError(target.stat('k'), 'STORAGE_FAILED', /credential was refused/);
  });

  it('redacts a refused SAS from everything it prints, and never puts it in locate()', async () => {
    const container = await newContainer();
    const other = await newContainer();
    const sas = containerSas(other); // valid signature, wrong container
    const target = await blobTarget(
      {
        type: 'azure-blob',
        account: azurite.blobEndpoint,
        container,
        auth: { type: 'sas', token: { secretRef: 'test:SAS' } },
      },
      { SAS: sas },
    );
    const err = await expectHoldfastError(
      target.put('k', 'v'),
      'STORAGE_FAILED',
      /the credential was refused for container/,
    );
    const sig = new URLSearchParams(sas).get('sig')!;
    const printed = JSON.stringify(err.toJSON()) + inspect(err, { depth: 5 }) + String(err.stack);
    expect(printed).not.toContain(sig);
    expect(printed).not.toContain(encodeURIComponent(sig));
    expect(target.locate('a b/c.bak')).toBe(`${azurite.blobEndpoint}/${container}/a%20b/c.bak`);
  });

  it('says the account is unreachable when nothing listens, and marks it retryable', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const port = (server.address() as { port: number }).port;
        server.close(() => resolve(port));
      });
    });
    const account = `http://127.0.0.1:${closedPort}/devstoreaccount1`;
    const target = await blobTarget(
      {
        type: 'azure-blob',
        account,
        container: 'backups',
        auth: { type: 'shared-key', accountName: 'devstoreaccount1', key: { secretRef: 'test:KEY' } },
      },
      { KEY: azurite.accountKey },
    );
    const started = Date.now();
    const err = await expectHoldfastError(
      target.check(),
      'STORAGE_FAILED',
      new RegExp(
        `^storage blob-test: account http://127\\.0\\.0\\.1:${closedPort}/devstoreaccount1 unreachable \\(ECONNREFUSED\\) while trying to list \\(check\\)$`,
      ),
    );
    expect(err.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
    await expectHoldfastError(
      target.put('x', 'y'),
      'STORAGE_FAILED',
      /unreachable \(ECONNREFUSED\) while trying to write x$/,
    );
  });

  it('says the container does not exist', async () => {
    const target = await sharedKey('no-such-container');
    const where = `container no-such-container in ${azurite.blobEndpoint} does not exist`;
    await expectHoldfastError(target.check(), 'STORAGE_FAILED', new RegExp(where));
    await expectHoldfastError(target.put('k', 'v'), 'STORAGE_FAILED', new RegExp(where));
    await expectHoldfastError(listKeys(target, ''), 'STORAGE_FAILED', new RegExp(where));
    await expectHoldfastError(target.stat('k'), 'STORAGE_FAILED', new RegExp(where));
  });

  it('leaves only uncommitted blocks after an abort: invisible to list, stat and read', async () => {
    const container = await newContainer();
    const target = await sharedKey(container);
    const write = await target.openWrite('aborted/big.bin');
    await pipeline(Readable.from([randomBytes(3 * 1024 * 1024 + 5)]), write.stream);
    await write.abort();
    const raw = service.getContainerClient(container).getBlockBlobClient('aborted/big.bin');
    const blocks = await raw.getBlockList('uncommitted');
    expect(blocks.uncommittedBlocks?.length).toBe(4);
    expect(await target.stat('aborted/big.bin')).toBeUndefined();
    expect(await listKeys(target, '')).toEqual([]);
    await expectHoldfastError(target.read('aborted/big.bin'), 'NOT_FOUND');
  });

  it('lets the first of two writers of one key win whole: the second commit fails, nothing is mixed', async () => {
    const container = await newContainer();
    const target = await sharedKey(container);
    const first = randomBytes(3 * 1024 * 1024 + 100);
    const second = randomBytes(2 * 1024 * 1024 + 7);
    const a = await target.openWrite('same.bin');
    const b = await target.openWrite('same.bin');
    await Promise.all([
      pipeline(Readable.from([first]), a.stream),
      pipeline(Readable.from([second]), b.stream),
    ]);
    await a.commit();
    expect(sha256(await readAll(await target.read('same.bin')))).toBe(sha256(first));
    // Azure discards a blob's uncommitted blocks when a block list is committed, so the later writer's blocks are gone.
    await expectHoldfastError(
      b.commit(),
      'STORAGE_FAILED',
      /cannot commit same\.bin: another write of this key committed first .*\(400 InvalidBlockList\)/,
    );
    await b.abort();
    expect(sha256(await readAll(await target.read('same.bin')))).toBe(sha256(first));
    const committed = await service
      .getContainerClient(container)
      .getBlockBlobClient('same.bin')
      .getBlockList('committed');
    expect(committed.committedBlocks?.map((blk) => blk.size)).toEqual([
      1024 * 1024,
      1024 * 1024,
      1024 * 1024,
      100,
    ]);
    // a fresh write after that replaces it as usual
    await target.put('same.bin', second);
    expect(sha256(await readAll(await target.read('same.bin')))).toBe(sha256(second));
  });

  it('uses 8 MiB blocks by default and keeps sha256 in the blob metadata', async () => {
    const container = await newContainer();
    const target = await createStorageTarget(
      'defaults',
      storageSpecSchema.parse({
        type: 'azure-blob',
        account: azurite.blobEndpoint,
        container,
        auth: { type: 'connection-string', connectionString: { secretRef: 'test:CS' } },
      }),
      { baseDir: '/', resolveSecret: secrets({ CS: azurite.connectionString }) },
    );
    const data = randomBytes(20 * 1024 * 1024);
    const write = await target.openWrite('default/blocks.bin', { contentType: 'application/x-litespeed' });
    await pipeline(Readable.from([data.subarray(0, 5_000_000), data.subarray(5_000_000)]), write.stream);
    await write.commit();
    const raw = service.getContainerClient(container).getBlockBlobClient('default/blocks.bin');
    const list = await raw.getBlockList('committed');
    expect(list.committedBlocks?.map((blk) => blk.size)).toEqual([
      8 * 1024 * 1024,
      8 * 1024 * 1024,
      4 * 1024 * 1024,
    ]);
    const props = await raw.getProperties();
    expect(props.metadata).toEqual({ holdfast_sha256: sha256(data) });
    expect(props.contentType).toBe('application/x-litespeed');
  });

  it('places keys under the prefix and strips it when listing', async () => {
    const container = await newContainer();
    const target = await blobTarget(
      {
        type: 'azure-blob',
        account: azurite.blobEndpoint,
        container,
        prefix: 'sql/prod',
        auth: { type: 'shared-key', accountName: azurite.accountName, key: { secretRef: 'test:KEY' } },
      },
      { KEY: azurite.accountKey },
    );
    await target.put('db1/full.bak', 'x');
    await service.getContainerClient(container).getBlockBlobClient('outside/prefix.bin').upload('y', 1);
    const raw: string[] = [];
    for await (const item of service.getContainerClient(container).listBlobsFlat()) raw.push(item.name);
    expect(raw).toEqual(['outside/prefix.bin', 'sql/prod/db1/full.bak']);
    expect(await listKeys(target, '')).toEqual(['db1/full.bak']);
    expect(target.locate('db1/full.bak')).toBe(`${azurite.blobEndpoint}/${container}/sql/prod/db1/full.bak`);
    await target.check();
    const after: string[] = [];
    for await (const item of service
      .getContainerClient(container)
      .listBlobsFlat({ includeUncommitedBlobs: false }))
      after.push(item.name);
    expect(after).toEqual(raw);
  });

  it('refuses a connection string that points at another account than the spec', async () => {
    const elsewhere = azurite.connectionString.replace(
      /BlobEndpoint=[^;]+/,
      'BlobEndpoint=http://127.0.0.1:1/devstoreaccount1',
    );
    const err = await expectHoldfastError(
      blobTarget(
        {
          type: 'azure-blob',
          account: azurite.blobEndpoint,
          container: 'x-y',
          auth: { type: 'connection-string', connectionString: { secretRef: 'test:CS' } },
        },
        { CS: elsewhere },
      ),
      'STORAGE_FAILED',
      /the connection string from test:CS points at http:\/\/127\.0\.0\.1:1\/devstoreaccount1, but the spec's account is http/,
    );
    expect(err.message).not.toContain(azurite.accountKey);
    await expectHoldfastError(
      blobTarget(
        {
          type: 'azure-blob',
          account: azurite.blobEndpoint,
          container: 'x-y',
          auth: { type: 'sas', token: { secretRef: 'test:SAS' } },
        },
        { SAS: 'sv=2020-01-01&sp=r' },
      ),
      'STORAGE_FAILED',
      /SAS token from test:SAS has no sig= parameter/,
    );
  });

  it('builds an Entra target without touching the network, and locates blobs on the real endpoint', async () => {
    const target = await createStorageTarget(
      'entra',
      storageSpecSchema.parse({
        type: 'azure-blob',
        account: 'https://stbackups.blob.core.windows.net/',
        container: 'backups',
        prefix: 'cosmos',
      }),
      { baseDir: '/', resolveSecret: () => Promise.reject(new Error('Entra needs no secret')) },
    );
    expect(target.type).toBe('azure-blob');
    expect(target.locate('orders/shop_2026.jsonl.gz')).toBe(
      'https://stbackups.blob.core.windows.net/backups/cosmos/orders/shop_2026.jsonl.gz',
    );
  });
});
