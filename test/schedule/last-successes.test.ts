import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/catalog/contract.ts';
import { openCatalog } from '../../src/catalog/sqlite-catalog.ts';
import { readLastSuccesses } from '../../src/schedule/last-successes.ts';

function record(catalog: Catalog, job: string, target: string, at: string): string {
  const runId = catalog.startRun({ command: 'serve', jobs: [job], startedAt: new Date(at) });
  return catalog.addArtifact({
    runId,
    stepId: `${job}/${target}`,
    job,
    plugin: 'file-copy',
    target,
    kind: 'k',
    type: 'full',
    storage: 's',
    locations: ['x'],
    bytes: 1,
    createdAt: new Date(at),
    dependsOn: [],
    metadata: {},
  });
}

function fill(catalog: Catalog): void {
  record(catalog, 'a', 'db1', '2025-01-01T00:00:00Z');
  record(catalog, 'a', 'db1', '2025-01-03T00:00:00Z');
  record(catalog, 'a', 'db2', '2025-01-02T00:00:00Z');
  const removed = record(catalog, 'a', 'db2', '2025-01-04T00:00:00Z');
  catalog.markRemoved(removed, new Date('2025-01-05T00:00:00Z'), 'test');
  record(catalog, 'b', 'c1', '2025-01-02T12:00:00Z');
  record(catalog, 'gone', 'c1', '2025-01-02T12:00:00Z');
}

const plain = (m: Map<string, Map<string, Date>>) =>
  Object.fromEntries(
    [...m].map(([job, t]) => [job, Object.fromEntries([...t].map(([k, v]) => [k, v.toISOString()]))]),
  );

describe('last successes from the catalog', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hf-last-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const expected = {
    a: { db1: '2025-01-03T00:00:00.000Z', db2: '2025-01-02T00:00:00.000Z' },
    b: { c1: '2025-01-02T12:00:00.000Z' },
  };

  it('reads a catalog file with one aggregate query: newest present artifact per job and target', () => {
    const catalog = openCatalog(path.join(dir, 'catalog.db'));
    fill(catalog);
    let calls = 0;
    const counting = {
      location: catalog.location,
      listArtifacts: (...args: Parameters<Catalog['listArtifacts']>) => (
        calls++,
        catalog.listArtifacts(...args)
      ),
    };
    expect(plain(readLastSuccesses(counting, ['a', 'b']))).toEqual(expected);
    expect(calls).toBe(0);
    catalog.close();
  });

  it('reads any other catalog through the contract, with the same answer', () => {
    const catalog = openCatalog(':memory:');
    fill(catalog);
    expect(plain(readLastSuccesses(catalog, ['a', 'b']))).toEqual(expected);
    catalog.close();
  });
});
