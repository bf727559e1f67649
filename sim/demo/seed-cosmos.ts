import type { CosmosClient, JSONObject, OperationInput } from '@azure/cosmos';

/** Sample data: an orders container with nested and `_`-prefixed user fields, customers, and one nobody backs up. */
export async function seedCosmos(client: CosmosClient): Promise<{ database: string; container: string; documents: number }[]> {
  const plan = [
    { database: 'shop', container: 'orders', partitionKey: '/customerId', count: 400 },
    { database: 'shop', container: 'customers', partitionKey: '/id', count: 120 },
    { database: 'audit', container: 'events', partitionKey: '/day', count: 60 },
    { database: 'scratch-tmp', container: 'sessions', partitionKey: '/id', count: 20 },
  ];
  for (const p of plan) {
    const { database } = await client.databases.createIfNotExists({ id: p.database });
    const { container } = await database.containers.createIfNotExists({ id: p.container, partitionKey: { paths: [p.partitionKey] } });
    for (let start = 0; start < p.count; start += 100) {
      const ops: OperationInput[] = [];
      for (let i = start; i < Math.min(p.count, start + 100); i++) {
        const doc: JSONObject =
          p.container === 'orders'
            ? { id: `order-${i}`, customerId: `c-${i % 120}`, total: Math.round(i * 7.31 * 100) / 100, lines: [{ sku: `sku-${i % 17}`, qty: 1 + (i % 3) }], _source: 'webshop', note: i % 50 === 0 ? 'café ☕ – ünïcode' : null }
            : p.container === 'customers'
              ? { id: `c-${i}`, name: `Customer ${i}`, tier: ['gold', 'silver', 'bronze'][i % 3] ?? 'bronze' }
              : p.container === 'events'
                ? { id: `e-${i}`, day: `2026-02-${String(1 + (i % 28)).padStart(2, '0')}`, kind: 'login' }
                : { id: `s-${i}`, expires: 3600 };
        const key = doc[p.partitionKey.slice(1)] as string;
        ops.push({ operationType: 'Upsert' as const, resourceBody: doc, partitionKey: key });
      }
      const results = await container.items.executeBulkOperations(ops);
      const failed = results.filter((r) => r.error || (r.response && r.response.statusCode >= 400));
      if (failed.length > 0) {
        const first = failed[0]!;
        throw new Error(`seeding ${p.database}/${p.container}: ${failed.length} document(s) not written (first: ${first.error?.message ?? first.response?.statusCode})`);
      }
    }
  }
  return plan.map((p) => ({ database: p.database, container: p.container, documents: p.count }));
}
