import picomatch from 'picomatch';
import type { CosmosClient } from '@azure/cosmos';
import type { Manifest } from '../../src/core/job.ts';
import type { PlanNote } from '../../src/core/plan.ts';
import type { DiscoveredTarget, Discovery } from '../../src/plugin/contract.ts';
import { endpointKey } from './account-name.ts';
import type { CosmosBackupSpec } from './schema.ts';

/** One container of an account, with the facts a plan shows. */
export interface ContainerListing {
  database: string;
  container: string;
  partitionKey: string[];
  defaultTtl?: number;
}

/** Lists every container of every database, page by page (readAll with async iterators, never fetchAll). */
export async function listContainers(client: CosmosClient): Promise<ContainerListing[]> {
  const out: ContainerListing[] = [];
  for await (const dbPage of client.databases.readAll().getAsyncIterator()) {
    for (const db of dbPage.resources) {
      for await (const page of client.database(db.id).containers.readAll().getAsyncIterator()) {
        for (const c of page.resources) {
          out.push({
            database: db.id,
            container: c.id,
            partitionKey: c.partitionKey?.paths ?? [],
            defaultTtl: c.defaultTtl,
          });
        }
      }
    }
  }
  return out.sort((a, b) => compare(a.database, b.database) || compare(a.container, b.container));
}

/** Whether `database/container` is covered by a job's include and not removed by its exclude. */
export function containerMatcher(
  spec: Pick<CosmosBackupSpec, 'include' | 'exclude'>,
): (name: string) => boolean {
  const options = { dot: true };
  const include = picomatch(spec.include, options);
  const exclude = spec.exclude.length > 0 ? picomatch(spec.exclude, options) : () => false;
  return (name) => include(name) && !exclude(name);
}

/**
 * Applies the job's globs to the account's containers, and reports the containers that exist on the account
 * but that no CosmosBackup job for the same endpoint covers (the container nobody said was there).
 */
export function selectContainers(
  job: Manifest<CosmosBackupSpec>,
  accountName: string,
  listing: readonly ContainerListing[],
  manifests: readonly Manifest[],
): Discovery {
  const spec = job.spec;
  const covers = containerMatcher(spec);
  const includeOnly = containerMatcher({ include: spec.include, exclude: [] });
  const targets: DiscoveredTarget[] = [];
  const excluded: string[] = [];
  for (const c of listing) {
    const name = `${c.database}/${c.container}`;
    if (covers(name)) {
      targets.push({
        id: `${accountName}/${name}`,
        details: {
          database: c.database,
          container: c.container,
          partitionKey: c.partitionKey,
          ...(c.defaultTtl !== undefined ? { defaultTtl: c.defaultTtl } : {}),
        },
      });
    } else if (includeOnly(name)) {
      excluded.push(name);
    }
  }
  const notes: PlanNote[] = [];
  if (targets.length === 0) {
    notes.push({
      level: 'warning',
      message: `no container on ${accountName} matches include [${spec.include.join(', ')}]${spec.exclude.length ? ` minus exclude [${spec.exclude.join(', ')}]` : ''}`,
      details: { account: accountName },
    });
  }
  if (excluded.length > 0) {
    notes.push({
      level: 'info',
      message: `left out by exclude: ${excluded.join(', ')}`,
      details: { excluded },
    });
  }
  const uncovered = uncoveredContainers(job, listing, manifests);
  if (uncovered.length > 0) {
    notes.push({
      level: 'warning',
      message: `${uncovered.length} container(s) on ${accountName} are covered by no CosmosBackup job: ${uncovered.join(', ')}`,
      details: { account: accountName, uncovered },
    });
  }
  return { targets, notes };
}

function uncoveredContainers(
  job: Manifest<CosmosBackupSpec>,
  listing: readonly ContainerListing[],
  manifests: readonly Manifest[],
): string[] {
  const key = endpointKey(job.spec.account.endpoint);
  const sameAccount = manifests.filter(
    (m) => m.kind === job.kind && sameEndpoint(m, key),
  ) as Manifest<CosmosBackupSpec>[];
  if (!sameAccount.some((m) => m.metadata.name === job.metadata.name)) sameAccount.push(job);
  const matchers = sameAccount.map((m) => containerMatcher(m.spec));
  return listing
    .map((c) => `${c.database}/${c.container}`)
    .filter((name) => !matchers.some((covers) => covers(name)));
}

function sameEndpoint(m: Manifest, key: string): boolean {
  const endpoint = (m.spec as Partial<CosmosBackupSpec> | undefined)?.account?.endpoint;
  if (typeof endpoint !== 'string') return false;
  try {
    return endpointKey(endpoint) === key;
  } catch {
    return false;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
