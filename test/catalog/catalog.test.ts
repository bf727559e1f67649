import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatabaseSync } from 'node:sqlite';
import { MIGRATIONS } from '../../src/catalog/migrations.ts';
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
    const runId = c.startRun({
      command: 'run',
      jobs: ['dw-partial'],
      startedAt: new Date('2026-03-01T01:00:00Z'),
    });
    const base = c.addArtifact(artifact(runId));
    const diff = c.addArtifact(
      artifact(runId, { type: 'Q', dependsOn: [base], createdAt: new Date('2026-03-02T01:00:00Z') }),
    );
    c.recordStep(runId, {
      stepId: 's1',
      job: 'dw-partial',
      plugin: 'litespeed',
      target: 'sql01/DW',
      action: 'backup-partial',
      status: 'succeeded',
      summary: 'ok',
      metrics: { bytes: 1 },
      artifactIds: [base],
      startedAt: '2026-03-01T01:00:00.000Z',
      finishedAt: '2026-03-01T01:01:00.000Z',
    });
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
    expect(c.getArtifact(diff)).toMatchObject({
      state: 'removed',
      removalReason: 'retention: older than 14 days',
    });
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

  it('lists the runs of one job newest first, also runs of several jobs, through the run_jobs index', () => {
    const c = openCatalog(':memory:');
    const at = (h: number) => new Date(Date.UTC(2026, 2, 1, h));
    const a1 = c.startRun({ command: 'serve', jobs: ['a'], startedAt: at(1) });
    const ab = c.startRun({ command: 'run', jobs: ['a', 'b'], startedAt: at(2) });
    const b1 = c.startRun({ command: 'serve', jobs: ['b'], startedAt: at(3) });
    const a2 = c.startRun({ command: 'serve', jobs: ['a'], startedAt: at(4) });
    expect(c.listRuns({ job: 'a' }).map((r) => r.id)).toEqual([a2, ab, a1]);
    expect(c.listRuns({ job: 'a', limit: 2 }).map((r) => r.id)).toEqual([a2, ab]);
    expect(c.listRuns({ job: 'b' }).map((r) => r.id)).toEqual([b1, ab]);
    expect(c.listRuns({ job: 'b' })[1]!.jobs).toEqual(['a', 'b']);
    expect(c.listRuns({ job: 'c' })).toEqual([]);
    expect(c.listRuns().map((r) => r.id)).toEqual([a2, b1, ab, a1]);
    c.close();
  });

  it('migrates a schema 1 catalog: earlier runs are found by job; read-only opens of an old file still answer', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hf-cat-'));
    const file = path.join(dir, 'catalog.db');
    // A catalog as holdfast with schema 1 wrote it.
    const old = new DatabaseSync(file);
    old.exec(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    old.exec(MIGRATIONS[0]!.sql);
    old.exec("INSERT INTO schema_migrations VALUES (1, 'runs, steps, artifacts', '2026-01-01T00:00:00Z')");
    const insert = old.prepare(
      'INSERT INTO runs (id, command, jobs, status, started_at) VALUES (?, ?, ?, ?, ?)',
    );
    insert.run('r1', 'run', '["a","b"]', 'succeeded', '2026-03-01T01:00:00.000Z');
    insert.run('r2', 'serve', '["a"]', 'succeeded', '2026-03-02T01:00:00.000Z');
    old.close();

    const ro = openCatalog(file, { readOnly: true }); // not migrated: answers from the JSON lists
    expect(ro.listRuns({ job: 'a' }).map((r) => r.id)).toEqual(['r2', 'r1']);
    ro.close();

    const c = openCatalog(file);
    const r3 = c.startRun({ command: 'serve', jobs: ['b'], startedAt: new Date('2026-03-03T01:00:00Z') });
    expect(c.listRuns({ job: 'a' }).map((r) => r.id)).toEqual(['r2', 'r1']);
    expect(c.listRuns({ job: 'b' }).map((r) => r.id)).toEqual([r3, 'r1']);
    c.close();
  });

  it('is not corrupted by two processes writing at once', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hf-cat-'));
    const file = path.join(dir, 'catalog.db');
    openCatalog(file).close();
    const writer = path.resolve(import.meta.dirname, 'write-many.ts');
    const runOne = (tag: string) =>
      new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, [writer, file, tag, '150'], {
          stdio: ['ignore', 'inherit', 'inherit'],
        });
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
    for (const a of all.filter((x) => x.type === 'Q'))
      expect(c.getArtifact(a.dependsOn[0]!)?.job).toBe(a.job);
    expect(c.listRuns()).toHaveLength(2);
    c.close();
  });
});
