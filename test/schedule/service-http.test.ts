import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/catalog/contract.ts';
import { openCatalog } from '../../src/catalog/sqlite-catalog.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { createRegistry } from '../../src/plugin/builtin-plugins.ts';
import { Service } from '../../src/schedule/service.ts';
import { jobManifest, STORAGE } from './harness.ts';
import { scheduledFileCopyPlugin } from './scheduled-file-copy.ts';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

/** An artifact recorded by an earlier process: what the metrics must show again after a restart. */
function recordBackup(catalog: Catalog, job: string, target: string, at: string): void {
  const runId = catalog.startRun({ command: 'serve', jobs: [job], startedAt: new Date(at) });
  catalog.recordStep(runId, {
    stepId: `${job}/${target}`,
    job,
    plugin: 'file-copy',
    target,
    action: 'copy-file',
    status: 'succeeded',
    summary: 'copied',
    metrics: {},
    artifactIds: [],
  });
  catalog.addArtifact({
    runId,
    stepId: `${job}/${target}`,
    job,
    plugin: 'file-copy',
    target,
    kind: 'file-copy',
    type: 'full',
    storage: 'out',
    locations: ['k'],
    bytes: 5,
    createdAt: new Date(at),
    dependsOn: [],
    metadata: {},
  });
  catalog.finishRun(runId, 'succeeded', new Date(at));
}

async function start(options: { seed?: (c: Catalog) => void } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'hf-http-'));
  mkdirSync(path.join(dir, 'data'));
  mkdirSync(path.join(dir, 'state'));
  writeFileSync(path.join(dir, 'data', 'a.txt'), 'hello');
  writeFileSync(
    path.join(dir, 'jobs.yaml'),
    STORAGE + jobManifest('docs', { schedule: { cron: '0 * * * *' }, rpo: '26h' }),
  );
  const catalog = openCatalog(path.join(dir, 'state', 'catalog.db'));
  options.seed?.(catalog);
  const registry = createRegistry([scheduledFileCopyPlugin()]);
  const clock = new ManualClock('2025-05-01T09:30:00Z');
  const service = await Service.start({
    paths: [path.join(dir, 'jobs.yaml')],
    env: {},
    clock,
    logger: silentLogger(),
    registry,
    catalog,
    lockDir: path.join(dir, 'state', 'locks'),
    limits: { global: 2, perKind: {} },
    http: { port: 0, host: '127.0.0.1' },
    watch: false,
    autoTick: false,
  });
  cleanup.push(async () => {
    await service.stop('test', { deadlineMs: 1000 });
    catalog.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const get = async (p: string) => {
    const res = await fetch(`http://127.0.0.1:${service.port}${p}`);
    return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
  };
  return { dir, catalog, clock, service, get };
}

describe('HTTP endpoints', () => {
  it('answers /healthz and /readyz, and 404 for anything else', async () => {
    const { get, service } = await start();
    expect(await get('/healthz')).toMatchObject({
      status: 200,
      body: expect.stringContaining('"status":"ok"'),
    });
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({
      status: 'ready',
      checks: { config: '1 job(s)', catalog: 'writable' },
    });
    expect((await get('/nope')).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${service.port}/healthz`, { method: 'POST' })).status).toBe(405);
  });

  it('is not ready when the catalog cannot be written, and says so', async () => {
    const { get, dir } = await start();
    rmSync(path.join(dir, 'state'), { recursive: true, force: true });
    const ready = await get('/readyz');
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body).checks.catalog).toMatch(/catalog .*catalog\.db is missing/);
  });

  it('is not ready while stopping', async () => {
    const { service } = await start();
    await service.stop('test', { deadlineMs: 0 });
    expect(service.ready()).toMatchObject({ ready: false, checks: { service: 'stopping' } });
  });

  it('serves Prometheus metrics: last success from the catalog after a restart, runs, step durations and bytes', async () => {
    const { get, service, clock } = await start({
      seed: (c) => recordBackup(c, 'docs', 'data/old.txt', '2025-04-30T02:00:00Z'),
    });
    await service.metrics.idle(); // the catalog is read in the background after start
    let metrics = await get('/metrics');
    expect(metrics.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(metrics.body).toContain(
      'holdfast_last_success_timestamp_seconds{job="docs",target="data/old.txt"} 1745978400',
    );
    expect(metrics.body).toContain('holdfast_rpo_seconds{job="docs"} 93600');
    expect(metrics.body).toContain('holdfast_next_run_timestamp_seconds{job="docs",type=""} 1746093600');
    expect(metrics.body).toContain('holdfast_process_resident_memory_bytes');

    clock.set('2025-05-01T10:00:00Z');
    service.scheduler.tick();
    await service.scheduler.whenIdle();
    metrics = await get('/metrics');
    expect(metrics.body).toContain('holdfast_runs_total{job="docs",result="succeeded"} 1');
    expect(metrics.body).toMatch(
      /holdfast_step_duration_seconds_count\{job="docs",plugin="file-copy",action="copy-file",status="succeeded"\} 1/,
    );
    expect(metrics.body).toContain('holdfast_backup_bytes_total{job="docs",plugin="file-copy"} 5');
    expect(metrics.body).toContain(
      'holdfast_last_success_timestamp_seconds{job="docs",target="data/a.txt"} 1746093600',
    );
    expect(metrics.body).toContain('holdfast_runs_active{state="running"} 0');
  });
});
