import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/catalog/contract.ts';
import { openCatalog } from '../../src/catalog/sqlite-catalog.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { ErrorCode, HoldfastError } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { StorageTarget } from '../../src/storage/contract.ts';
import { LocalDirectoryTarget } from '../../src/storage/local-directory.ts';
import { applyRetention, removalSequence } from '../../src/retention/apply-retention.ts';
import { removalOrder } from '../../src/retention/remove-artifact.ts';
import { retentionPolicySchema } from '../../src/retention/schema.ts';
import type { JobRetentionPlan } from '../../src/retention/plan-job-retention.ts';
import { planJobRetention } from '../../src/retention/plan-job-retention.ts';
import { retentionTestPlugin } from './retention-test-plugin.ts';

const DAY = 86_400_000;
const plugin = retentionTestPlugin();

/** Cosmos-like exports in a real local directory: a data object and a manifest per export, recorded in the catalog. */
async function exportsIn(
  storage: StorageTarget,
  catalog: Catalog,
  clock: ManualClock,
  days: number,
): Promise<string[]> {
  const ids: string[] = [];
  const runId = catalog.startRun({ command: 'run', jobs: ['orders'], startedAt: clock.now() });
  for (let d = 0; d < days; d++) {
    const base = `shop/orders/day${String(d).padStart(2, '0')}`;
    const data = await storage.put(`${base}/data.jsonl.gz`, `documents of day ${d}`);
    const manifest = await storage.put(`${base}/manifest.json`, JSON.stringify({ complete: true }));
    ids.push(
      catalog.addArtifact({
        runId,
        stepId: `orders/${d}`,
        job: 'orders',
        plugin: 'copy-retained',
        target: 'acct/shop/orders',
        kind: 'cosmos-export',
        type: 'export',
        storage: 'backups',
        locations: [data.key, manifest.key],
        bytes: data.bytes + manifest.bytes,
        createdAt: clock.now(),
        dependsOn: [],
        metadata: { manifestKey: manifest.key },
      }),
    );
    clock.advance(DAY);
  }
  return ids;
}

const job = {
  apiVersion: 'holdfast/v1' as const,
  kind: 'RetainedCopy',
  metadata: { name: 'orders', labels: {} },
  spec: { retention: { keepLast: 2 } },
  source: { file: 'x.yaml', line: 1, column: 1 },
  baseDir: '/',
};

function planFor(catalog: Catalog, clock: ManualClock): JobRetentionPlan {
  return planJobRetention({ job, plugin, catalog, now: clock.now(), storageNames: new Set(['backups']) })!;
}

/** A real local target that refuses to delete one key, as a storage account with a lease on a blob would. */
function refusingToDelete(target: StorageTarget, refuse: (key: string) => boolean): StorageTarget {
  return new Proxy(target, {
    get(t, prop, receiver) {
      if (prop === 'delete') {
        return async (key: string) => {
          if (refuse(key))
            throw new HoldfastError(ErrorCode.StorageFailed, `storage backups: delete ${key} refused`, {
              retryable: true,
            });
          return t.delete(key);
        };
      }
      const v = Reflect.get(t, prop, receiver);
      return typeof v === 'function' ? v.bind(t) : v;
    },
  });
}

describe('applying retention', () => {
  let catalog: Catalog;
  let clock: ManualClock;
  let storage: LocalDirectoryTarget;

  beforeEach(() => {
    catalog = openCatalog(':memory:');
    clock = new ManualClock('2026-03-01T02:00:00Z');
    storage = new LocalDirectoryTarget('backups', mkdtempSync(path.join(tmpdir(), 'hf-retention-')));
  });

  it('removes what the plan removes, manifest first, and records it in the catalog', async () => {
    const ids = await exportsIn(storage, catalog, clock, 5);
    const plan = planFor(catalog, clock);
    expect(plan.decisions.map((d) => d.decision)).toEqual(['remove', 'remove', 'remove', 'keep', 'keep']);
    expect(removalOrder(plan.decisions[0]!.artifact)).toEqual([
      'shop/orders/day00/manifest.json',
      'shop/orders/day00/data.jsonl.gz',
    ]);

    const report = await applyRetention({
      plan,
      catalog,
      routes: { storage: () => storage },
      clock,
      logger: silentLogger(),
    });
    expect(report).toMatchObject({ status: 'succeeded', kept: 2, notAttempted: 0 });
    expect(report.removed.map((r) => r.artifactId)).toEqual([ids[2], ids[1], ids[0]]);
    for (const id of ids.slice(0, 3)) {
      const a = catalog.getArtifact(id)!;
      expect(a.state).toBe('removed');
      expect(a.removalReason).toMatch(/^retention: keepLast 2/);
      for (const key of a.locations) expect(await storage.stat(key)).toBeUndefined();
    }
    for (const id of ids.slice(3))
      expect(await storage.stat(catalog.getArtifact(id)!.locations[0]!)).toBeDefined();
    expect(existsSync(path.join(storage.root, 'shop/orders/day00'))).toBe(false);
  });

  it('an interrupted cleanup leaves the export half-removed but not complete-looking, and the next run finishes it', async () => {
    const ids = await exportsIn(storage, catalog, clock, 5);
    const failing = refusingToDelete(storage, (key) => key === 'shop/orders/day01/data.jsonl.gz');
    const first = await applyRetention({
      plan: planFor(catalog, clock),
      catalog,
      routes: { storage: () => failing },
      clock,
      logger: silentLogger(),
    });
    expect(first.status).toBe('failed');
    expect(first.removed.map((r) => r.artifactId)).toEqual([ids[2]]);
    expect(first.failure).toMatchObject({ artifactId: ids[1], code: 'STORAGE_FAILED' });
    expect(first.notAttempted).toBe(1);

    // Catalog and storage agree: day01 is `removing`, its manifest is gone (so it does not look complete), its data
    // is still there; day00 was not touched; nothing present depends on anything removed.
    expect(catalog.getArtifact(ids[1]!)!.state).toBe('removing');
    expect(await storage.stat('shop/orders/day01/manifest.json')).toBeUndefined();
    expect(await storage.stat('shop/orders/day01/data.jsonl.gz')).toBeDefined();
    expect(catalog.getArtifact(ids[0]!)!.state).toBe('present');
    expect(await storage.stat('shop/orders/day00/manifest.json')).toBeDefined();

    // The next run (a new backup later) plans the interrupted removal first and finishes it.
    clock.advance(DAY);
    const plan = planFor(catalog, clock);
    expect(plan.decisions.find((d) => d.artifact.id === ids[1])!.reasons[0]).toMatch(/interrupted/);
    expect(removalSequence(plan.decisions)[0]!.artifact.id).toBe(ids[1]);
    const second = await applyRetention({
      plan,
      catalog,
      routes: { storage: () => storage },
      clock,
      logger: silentLogger(),
    });
    expect(second.status).toBe('succeeded');
    expect(second.removed.map((r) => r.artifactId)).toEqual([ids[1], ids[0]]);
    expect(catalog.listArtifacts({ job: 'orders' }).map((a) => a.id)).toEqual(ids.slice(3));
    expect(await storage.stat('shop/orders/day01/data.jsonl.gz')).toBeUndefined();
  });

  it('removes dependents before what they depend on, and stops at the first failure', async () => {
    const runId = catalog.startRun({ command: 'run', jobs: ['orders'], startedAt: clock.now() });
    const add = (type: string, dependsOn: string[]) => {
      const key = `chain/${type}-${clock.now().getTime()}`;
      clock.advance(DAY);
      return catalog.addArtifact({
        runId,
        stepId: type,
        job: 'orders',
        plugin: 'copy-retained',
        target: 't',
        kind: 'k',
        type,
        storage: 'server',
        locations: [key],
        bytes: 1,
        createdAt: new Date(clock.now().getTime() - DAY),
        dependsOn,
        metadata: {},
      });
    };
    const full = add('D', []);
    const diff = add('I', [full]);
    const log = add('L', [diff]);
    const full2 = add('D', []);
    const plan = planJobRetention({
      job: { ...job, spec: { retention: { keepLast: 1 } } },
      plugin,
      catalog,
      now: clock.now(),
      storageNames: new Set(),
    })!;
    expect(removalSequence(plan.decisions).map((d) => d.artifact.id)).toEqual([log, diff, full]);

    const seen: string[] = [];
    const report = await applyRetention({
      plan,
      catalog,
      clock,
      logger: silentLogger(),
      routes: {
        storage: () => undefined,
        removeViaPlugin: async (a) => {
          seen.push(a.id);
          if (a.id === diff) throw new Error('the server refused: file in use');
        },
      },
    });
    expect(seen).toEqual([log, diff]);
    expect(report).toMatchObject({ status: 'failed', notAttempted: 1 });
    expect(report.failure!.message).toMatch(/file in use/);
    expect(catalog.getArtifact(full)!.state).toBe('present');
    expect(catalog.getArtifact(full2)!.state).toBe('present');
  });

  it('refuses to remove what has no way to be removed, and says so in the plan', async () => {
    const runId = catalog.startRun({ command: 'run', jobs: ['orders'], startedAt: clock.now() });
    for (let i = 0; i < 3; i++) {
      catalog.addArtifact({
        runId,
        stepId: String(i),
        job: 'orders',
        plugin: 'p',
        target: 't',
        kind: 'k',
        type: 'export',
        storage: 'server',
        locations: [`f${i}`],
        bytes: 1,
        createdAt: new Date(clock.now().getTime() + i * DAY),
        dependsOn: [],
        metadata: {},
      });
    }
    const noHook = { ...plugin, remove: undefined };
    const plan = planJobRetention({
      job,
      plugin: noHook,
      catalog,
      now: clock.now(),
      storageNames: new Set(['backups']),
    })!;
    expect(plan.problems[0]).toMatch(/no remove hook, so 1 artifact\(s\) stored at server/);
    const report = await applyRetention({
      plan,
      catalog,
      routes: { storage: () => undefined },
      clock,
      logger: silentLogger(),
    });
    expect(report.failure).toMatchObject({ code: 'CAPABILITY_MISSING' });
    expect(catalog.listArtifacts({ states: ['removing', 'removed'] })).toHaveLength(0);
  });

  it('an empty policy in a job is an error, not keep-nothing', () => {
    expect(() =>
      planJobRetention({
        job: { ...job, spec: { retention: {} } },
        plugin,
        catalog,
        now: clock.now(),
        storageNames: new Set(),
      }),
    ).toThrow(/empty retention policy/);
    expect(retentionPolicySchema.safeParse({ keepLast: 1 }).success).toBe(true);
  });
});
