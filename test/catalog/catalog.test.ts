import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCatalog } from '../../src/catalog/sqlite-catalog.ts';
import type { ArtifactInput } from '../../src/catalog/contract.ts';

function artifact(runId: string, over: Partial<ArtifactInput> = {}): ArtifactInput {
  return {
    runId,
    stepId: 's1',
    job: 'dw-partial',
    plugin: 'litespeed',
    target: 'sql01/DW',
    kind: 'litespeed-backup',
    type: 'P',
    storage: 'server',
    locations: ['Y:\\SQL_BACKUPS\\DW_P_1.bak'],
    bytes: 1234,
    sha256: 'ab'.repeat(32),
    createdAt: new Date('2026-03-01T01:00:00Z'),
    dependsOn: [],
    metadata: { first_lsn: '34000000012300001' },
    ...over,
  };
}

describe('catalog (node:sqlite)', () => {
  it('records runs, steps and artifacts with their dependencies, and removal states', () => {
    const c = openCatalog(':memory:');
    const runId = c.startRun({ command: 'run', jobs: ['dw-partial'], startedAt: new Date('2026-03-01T01:00:00Z') });
    const base = c.addArtifact(artifact(runId));
    const diff = c.addArtifact(artifact(runId, { type: 'Q', dependsOn: [base], createdAt: new Date('2026-03-02T01:00:00Z') }));
    c.recordStep(runId, { stepId: 's1', job: 'dw-partial', plugin: 'litespeed', target: 'sql01/DW', action: 'backup-partial', status: 'succeeded', summary: 'ok', metrics: { bytes: 1 }, artifactIds: [base], startedAt: '2026-03-01T01:00:00.000Z', finishedAt: '2026-03-01T01:01:00.000Z' });
    c.finishRun(runId, 'succeeded', new Date('2026-03-01T01:02:00Z'));

    expect(c.listArtifacts({ job: 'dw-partial' }).map((a) => a.type)).toEqual(['P', 'Q']);
    expect(c.getArtifact(diff)?.dependsOn).toEqual([base]);
    expect(c.getArtifact(base)?.metadata).toEqual({ first_lsn: '34000000012300001' });
    expect(c.listRuns()[0]).toMatchObject({ id: runId, status: 'succeeded', jobs: ['dw-partial'] });
    expect(c.listRuns({ job: 'other' })).toEqual([]);
    expect(c.lastStep({ job: 'dw-partial', status: 'succeeded' })?.stepId).toBe('s1');

    c.markRemoving(diff, new Date(), 'retention: older than 14 days');
    expect(c.listArtifacts().map((a) => a.id)).toEqual([base]);
    expect(c.listArtifacts({ states: ['removing'] }).map((a) => a.id)).toEqual([diff]);
    c.markRemoved(diff, new Date(), 'retention: older than 14 days');
    expect(c.getArtifact(diff)).toMatchObject({ state: 'removed', removalReason: 'retention: older than 14 days' });
    c.close();
  });

  it('opened read-only on a missing file, creates nothing and refuses writes', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hf-cat-'));
    const file = path.join(dir, 'sub', 'catalog.db');
    const c = openCatalog(file, { readOnly: true });
    expect(c.listArtifacts()).toEqual([]);
    expect(() => c.startRun({ command: 'x', jobs: [], startedAt: new Date() })).toThrow(/read-only/);
    c.close();
    expect(existsSync(path.join(dir, 'sub'))).toBe(false);
  });

  it('migrates a new file once and reopens it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hf-cat-'));
    const file = path.join(dir, 'catalog.db');
    const a = openCatalog(file);
    const run = a.startRun({ command: 'run', jobs: ['j'], startedAt: new Date() });
    a.addArtifact(artifact(run));
    a.close();
    const b = openCatalog(file);
    expect(b.listArtifacts()).toHaveLength(1);
    b.close();
    const ro = openCatalog(file, { readOnly: true });
    expect(ro.listArtifacts()).toHaveLength(1);
    ro.close();
  });

  it('is not corrupted by two processes writing at once', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hf-cat-'));
    const file = path.join(dir, 'catalog.db');
    openCatalog(file).close();
    const writer = path.resolve(import.meta.dirname, 'write-many.ts');
    const runOne = (tag: string) =>
      new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, [writer, file, tag, '150'], { stdio: ['ignore', 'inherit', 'inherit'] });
        child.on('error', reject);
        child.on('close', (code) => resolve(code ?? -1));
      });
    const codes = await Promise.all([runOne('a'), runOne('b')]);
    expect(codes).toEqual([0, 0]);
    const c = openCatalog(file);
    const all = c.listArtifacts();
    expect(all).toHaveLength(300);
    expect(new Set(all.map((a) => a.job))).toEqual(new Set(['job-a', 'job-b']));
    // every differential still points at its own base
    for (const a of all.filter((x) => x.type === 'Q')) expect(c.getArtifact(a.dependsOn[0]!)?.job).toBe(a.job);
    expect(c.listRuns()).toHaveLength(2);
    c.close();
  });
});
