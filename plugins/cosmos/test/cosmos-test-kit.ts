import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openCatalog } from '../../../src/catalog/sqlite-catalog.ts';
import type { Catalog } from '../../../src/catalog/contract.ts';
import { createSecretResolver } from '../../../src/config/secret-resolver.ts';
import { ManualClock, type Clock } from '../../../src/core/clock.ts';
import type { Job, Manifest } from '../../../src/core/job.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import type { ExecuteContext, ProgressUpdate } from '../../../src/plugin/contract.ts';
import type { StorageTarget } from '../../../src/storage/contract.ts';
import { LocalDirectoryTarget } from '../../../src/storage/local-directory.ts';
import { cosmosBackupSpecSchema, type CosmosBackupSpec, type CosmosBackupSpecInput } from '../schema.ts';

/** A validated CosmosBackup job, as the loader would hand it to the plugin. */
export function cosmosJob(
  name: string,
  spec: CosmosBackupSpecInput,
  baseDir = tmpdir(),
): Job<CosmosBackupSpec> {
  return {
    apiVersion: 'holdfast/v1',
    kind: 'CosmosBackup',
    metadata: { name, labels: {} },
    spec: cosmosBackupSpecSchema.parse(spec),
    source: { file: path.join(baseDir, 'jobs.yaml'), line: 1, column: 1 },
    baseDir,
  };
}

export function tempStorage(name = 'backups'): LocalDirectoryTarget {
  return new LocalDirectoryTarget(name, mkdtempSync(path.join(tmpdir(), 'hf-cosmos-store-')));
}

export interface TestContext extends ExecuteContext {
  updates: ProgressUpdate[];
  catalog: Catalog;
}

/** An execute context over real services: a storage target, an in-memory catalog, a manual clock. */
export function testContext(options: {
  storage: StorageTarget;
  manifests?: readonly Manifest[];
  clock?: Clock;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  catalog?: Catalog;
}): TestContext {
  const resolve = createSecretResolver({ env: options.env ?? {} });
  const updates: ProgressUpdate[] = [];
  return {
    clock: options.clock ?? new ManualClock('2026-03-01T02:00:00Z'),
    logger: silentLogger(),
    resolveSecret: (ref) => resolve(ref),
    storage: (name) => {
      if (name !== options.storage.name) throw new Error(`no storage named ${name} in this test`);
      return options.storage;
    },
    catalog: options.catalog ?? openCatalog(':memory:'),
    manifests: options.manifests ?? [],
    options: { dryRun: false },
    signal: options.signal ?? new AbortController().signal,
    runId: 'test-run',
    progress: (u) => updates.push(u),
    updates,
  };
}

/** Deterministic sample documents: unicode ids, nested arrays, user fields starting with `_`. */
export function sampleDocuments(
  count: number,
  options: { partitions?: number; prefix?: string } = {},
): Record<string, unknown>[] {
  const partitions = options.partitions ?? 7;
  const prefix = options.prefix ?? 'doc';
  return Array.from({ length: count }, (_, i) => ({
    id: i % 50 === 0 ? `${prefix}-${i}-ünïcødé-注文-🚀` : `${prefix}-${i}`,
    pk: `customer-${i % partitions}`,
    n: i,
    total: Math.round(i * 13.37 * 100) / 100,
    lines: [
      { sku: `SKU-${i % 97}`, qty: (i % 5) + 1, tags: ['a', ['nested', i % 3]] },
      { sku: 'FREE', qty: 1, tags: [] },
    ],
    _type: 'order',
    _partitionKey: `user-field-${i}`,
    note: i % 10 === 0 ? 'line one\nline two "quoted" \\ backslash \u2028 sep' : null,
  }));
}

/** Files under `root` (relative, sorted), without hidden temp files and storage sidecars. */
export function filesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(dir, e.name));
      else if (!e.name.startsWith('.') && !e.name.endsWith('.meta.json'))
        out.push(path.relative(root, path.join(dir, e.name)));
    }
  };
  walk(root);
  return out.sort();
}

/** The same storage target, calling `onPut(key)` after each committed put (checkpoints are written with put). */
export function observePuts(target: StorageTarget, onPut: (key: string) => void): StorageTarget {
  return new Proxy(target, {
    get(t, prop) {
      if (prop === 'put') {
        return async (key: string, data: Buffer | string, options?: object) => {
          const stored = await t.put(key, data, options);
          onPut(key);
          return stored;
        };
      }
      const value: unknown = Reflect.get(t, prop);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  });
}
