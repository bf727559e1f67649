import type { Container, OfferDefinition } from '@azure/cosmos';
import { readCosmosFailure } from './cosmos-errors.ts';
import type { Throughput } from './export-manifest.ts';
import { retryTransient, type RetryTransientOptions } from './retry-transient.ts';

/** `SELECT VALUE COUNT(1) FROM c`, summed over pages (the SDK aggregates across partitions where it plans the query). */
export async function countDocuments(
  container: Container,
  retry: RetryTransientOptions = {},
): Promise<{ count: number; requestCharge: number }> {
  return retryTransient(async () => {
    let count = 0;
    let requestCharge = 0;
    for await (const page of container.items
      .query<number>('SELECT VALUE COUNT(1) FROM c', { maxItemCount: -1 })
      .getAsyncIterator()) {
      requestCharge += page.requestCharge;
      for (const n of page.resources) count += Number(n);
    }
    return { count, requestCharge };
  }, retry);
}

/**
 * Throughput of the container, or of its database when the database shares it. Null with the reason when it
 * cannot be read: Entra data-plane roles cannot read offers, emulators and serverless accounts have none.
 */
export async function readThroughput(
  container: Container,
  authType: string,
): Promise<{ throughput: Throughput | null; reason?: string }> {
  const fromOffer = (offer: OfferDefinition | undefined, scope: Throughput['scope']): Throughput | null => {
    const content = offer?.content;
    if (!content) return null;
    const max = content.offerAutopilotSettings?.maxThroughput;
    if (max !== undefined) return { scope, mode: 'autoscale', requestUnitsPerSecond: max };
    return { scope, mode: 'manual', requestUnitsPerSecond: content.offerThroughput };
  };
  try {
    const own = fromOffer((await container.readOffer()).resource, 'container');
    if (own) return { throughput: own };
    const shared = fromOffer((await container.database.readOffer()).resource, 'database');
    if (shared) return { throughput: shared };
    return { throughput: null, reason: 'no offer on the container or its database (a serverless account?)' };
  } catch (err) {
    const f = readCosmosFailure(err);
    if (authType === 'entra' && (f.status === 401 || f.status === 403)) {
      return {
        throughput: null,
        reason:
          'offers cannot be read with Entra ID data-plane roles (use key auth, or read throughput through ARM)',
      };
    }
    return {
      throughput: null,
      reason: `the account did not return an offer (${f.status ?? f.networkCode ?? 'error'}: ${f.message}); emulators have no offers`,
    };
  }
}

/**
 * Whether the gateway serves query plans (Azure does; the local npm emulator does not, and the SDK then fails
 * inside its query pipeline with a TypeError rather than a server error). Reads at most one document.
 */
export async function servesQueryPlans(container: Container): Promise<boolean> {
  try {
    await container.items.query('SELECT * FROM c', { maxItemCount: 1, enableQueryControl: true }).fetchNext();
    return true;
  } catch (err) {
    if (err instanceof TypeError) return false;
    throw err;
  }
}
