import type { AddressInfo } from 'node:net';
import { createHttpServer } from '@vercel/cosmosdb-server';
import { CosmosClient, type Container, type ContainerRequest } from '@azure/cosmos';

/** The key the test clients use; the npm server accepts any key. */
export const COSMOS_TEST_KEY =
  'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

export interface CosmosServer {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  port: number;
  /** A plain SDK client for seeding and checking (endpoint discovery off, as the server needs). */
  client(endpoint?: string): CosmosClient;
  /** Stops the server and every client made by `client()`. Safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * Starts `@vercel/cosmosdb-server` (in memory, empty) over plain HTTP on a free loopback port, in this process.
 * Its limits matter to tests (reference/cosmos.md §4): queries cost time quadratic in container size, the change
 * feed ends after one page, every response says `connection: close` (unless keepAlive), one partition key range.
 */
export async function startCosmosServer(options: { keepAlive?: boolean } = {}): Promise<CosmosServer> {
  const server = createHttpServer({ keepAlive: options.keepAlive ?? false } as Parameters<
    typeof createHttpServer
  >[0]);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://127.0.0.1:${port}`;
  const clients: CosmosClient[] = [];
  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    port,
    client(at = endpoint) {
      const client = new CosmosClient({
        endpoint: at,
        key: COSMOS_TEST_KEY,
        connectionPolicy: { enableEndpointDiscovery: false },
      });
      clients.push(client);
      return client;
    },
    stop() {
      stopped ??= (async () => {
        for (const c of clients) c.dispose();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return stopped;
    },
  };
}

/** Creates a container (and its database) and loads documents with bulk upserts, 500 at a time. */
export async function seedContainer(
  client: CosmosClient,
  database: string,
  definition: ContainerRequest,
  documents: Iterable<Record<string, unknown>>,
): Promise<Container> {
  const { database: db } = await client.databases.createIfNotExists({ id: database });
  const { container } = await db.containers.createIfNotExists(definition);
  const paths =
    typeof definition.partitionKey === 'string'
      ? [definition.partitionKey]
      : (definition.partitionKey?.paths ?? ['/id']);
  let batch: Record<string, unknown>[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const results = await container.items.executeBulkOperations(
      batch.map((d) => ({
        operationType: 'Upsert' as const,
        resourceBody: d as { id: string },
        partitionKey: partitionKeyOf(d, paths) as string,
      })),
    );
    const bad = results.filter((r) => !r.response || r.response.statusCode >= 300);
    if (bad.length > 0)
      throw new Error(
        `seeding ${database}/${definition.id}: ${bad.length} failed, first: ${JSON.stringify(bad[0]!.error ?? bad[0]!.response)}`,
      );
    batch = [];
  };
  for (const d of documents) {
    batch.push(d);
    if (batch.length >= 500) await flush();
  }
  await flush();
  return container;
}

function partitionKeyOf(doc: Record<string, unknown>, paths: string[]): unknown {
  const values = paths.map((p) =>
    p
      .split('/')
      .slice(1)
      .reduce<unknown>(
        (v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
        doc,
      ),
  );
  return paths.length === 1 ? values[0] : values;
}

/** Every document of a container (for test assertions on small containers only). */
export async function readAllDocuments(container: Container): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const page of container.items
    .readAll<Record<string, unknown>>({ maxItemCount: 1000 })
    .getAsyncIterator())
    out.push(...page.resources);
  return out;
}
