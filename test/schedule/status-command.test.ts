import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../src/catalog/sqlite-catalog.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { runCli } from '../helpers/cli.ts';
import { jobManifest, STORAGE } from './harness.ts';
import { scheduledFileCopyPlugin } from './scheduled-file-copy.ts';

describe('holdfast status', () => {
  let dir = '';
  const deps = { plugins: [scheduledFileCopyPlugin()], clock: new ManualClock('2025-05-02T12:00:00Z') };
  const cli = (...args: string[]) =>
    runCli(['status', 'jobs.yaml', '--catalog', 'catalog.db', ...args], { cwd: dir, deps });

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'hf-status-'));
    mkdirSync(path.join(dir, 'data'));
    writeFileSync(
      path.join(dir, 'jobs.yaml'),
      STORAGE +
        jobManifest('fresh', { schedule: { cron: '0 2 * * *', timezone: 'Europe/London' }, rpo: '26h' }) +
        jobManifest('stale', { schedule: { full: '0 1 * * 0', log: '0 * * * *' }, rpo: '26h' }) +
        jobManifest('never', { schedule: { cron: '0 3 * * *' }, rpo: '1d' }) +
        jobManifest('no-rpo', {}),
    );
    const catalog = openCatalog(path.join(dir, 'catalog.db'));
    const backup = (job: string, target: string, at: string, ok: boolean) => {
      const runId = catalog.startRun({ command: 'serve', jobs: [job], startedAt: new Date(at) });
      const stepId = `${job}/${target}`;
      const artifactIds = ok
        ? [
            catalog.addArtifact({
              runId,
              stepId,
              job,
              plugin: 'file-copy',
              target,
              kind: 'file-copy',
              type: 'full',
              storage: 'out',
              locations: ['k'],
              bytes: 1,
              createdAt: new Date(at),
              dependsOn: [],
              metadata: {},
            }),
          ]
        : [];
      catalog.recordStep(runId, {
        stepId,
        job,
        plugin: 'file-copy',
        target,
        action: 'copy-file',
        status: ok ? 'succeeded' : 'failed',
        startedAt: at,
        finishedAt: at,
        summary: ok ? 'copied' : 'refusing to copy',
        metrics: {},
        artifactIds,
        error: ok ? undefined : { code: 'SERVER_ERROR', message: 'refusing to copy' },
      });
      catalog.finishRun(runId, ok ? 'succeeded' : 'failed', new Date(at));
    };
    backup('fresh', 'data/a.txt', '2025-05-02T01:00:00Z', true);
    backup('stale', 'data/a.txt', '2025-05-01T08:00:00Z', true);
    backup('stale', 'data/b.txt', '2025-05-02T11:00:00Z', true);
    backup('stale', 'data/a.txt', '2025-05-02T11:00:00Z', false);
    backup('no-rpo', 'data/a.txt', '2025-04-01T00:00:00Z', true);
    catalog.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists last success, last failure, next run and RPO per job and target, and exits 1 on a breach', async () => {
    const r = await cli();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('RPO breached for 2 target(s)');
    expect(r.stdout).toContain('fresh  FileCopy  next 2025-05-03T01:00:00Z  rpo 26h');
    expect(r.stdout).toMatch(/stale {2}FileCopy {2}next 2025-05-02T13:00:00Z \(log\)/);
    expect(r.stdout).toMatch(
      /data\/a\.txt {2}RPO BREACHED\n {4}last success {2}2025-05-01T08:00:00Z \(1d 4h ago\)\n {4}last failure {2}2025-05-02T11:00:00Z \(1h ago\): refusing to copy/,
    );
    expect(r.stdout).toMatch(
      /never .*\n {2}\(no target recorded yet\) {2}RPO BREACHED\n {4}last success {2}never/,
    );
  });

  it('prints the same as JSON', async () => {
    const r = await cli('--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { rpoBreached: boolean; rows: Record<string, unknown>[] };
    expect(out.rpoBreached).toBe(true);
    expect(out.rows).toContainEqual({
      job: 'stale',
      kind: 'FileCopy',
      target: 'data/b.txt',
      lastSuccess: '2025-05-02T11:00:00.000Z',
      nextRun: { at: '2025-05-02T13:00:00.000Z', type: 'log' },
      rpo: '26h',
      sinceLastSuccessSeconds: 3600,
      rpoBreached: false,
    });
    const noRpo = out.rows.find((r) => r.job === 'no-rpo')!;
    expect(noRpo.rpoBreached).toBe(false);
    expect('nextRun' in noRpo).toBe(false);
  });

  it('exits 0 when the selected jobs are within their RPO', async () => {
    const r = await cli('--job', 'fresh', '--job', 'no-rpo');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('within RPO');
  });

  it('exits 2 with the place of a bad schedule', async () => {
    writeFileSync(
      path.join(dir, 'bad.yaml'),
      STORAGE.replace('name: out', 'name: out2') + jobManifest('bad', { storage: 'out2', rpo: 'tomorrow' }),
    );
    const r = await runCli(['status', 'bad.yaml', '--catalog', 'catalog.db'], { cwd: dir, deps });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:\d+:\d+: FileCopy\/bad spec\.rpo: .*tomorrow/);
  });
});
