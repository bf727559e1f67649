import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../../../test/helpers/cli.ts';
import { seedContainer, startCosmosServer, type CosmosServer } from '../../../test/harness/cosmos-server.ts';
import { startFaultProxy, type FaultProxy } from '../../../test/harness/fault-proxy.ts';
import { filesUnder, sampleDocuments } from './cosmos-test-kit.ts';

describe('a run killed mid-export (a real process, SIGKILL) and the run after it', () => {
  let cosmos: CosmosServer;
  let proxy: FaultProxy;
  let work = '';
  beforeAll(async () => {
    cosmos = await startCosmosServer();
    const client = cosmos.client();
    await seedContainer(
      client,
      'shop',
      { id: 'orders', partitionKey: { paths: ['/pk'] } },
      sampleDocuments(2000),
    );
    await seedContainer(
      client,
      'shop',
      { id: 'customers', partitionKey: { paths: ['/pk'] } },
      sampleDocuments(300, { prefix: 'cust' }),
    );
    // Slow document pages down, so there is time to kill the run between checkpoints.
    proxy = await startFaultProxy(cosmos.endpoint, {
      schedule: (r) => (r.path.includes('/colls/orders/docs') ? { type: 'delay', ms: 60 } : { type: 'pass' }),
    });
    work = mkdtempSync(path.join(tmpdir(), 'hf-cosmos-kill-'));
    writeFileSync(
      path.join(work, 'jobs.yaml'),
      `apiVersion: holdfast/v1
kind: Storage
metadata: { name: backups }
spec: { type: local, path: ./backups }
---
apiVersion: holdfast/v1
kind: CosmosBackup
metadata: { name: shop }
spec:
  account: { endpoint: ${proxy.endpoint}, name: shop-account, auth: { type: emulator } }
  include: ["shop/orders"]
  storage: backups
  pageSize: 100
  checkpoint: { documents: 400 }
`,
    );
  }, 60_000);
  afterAll(async () => {
    await proxy?.stop();
    await cosmos?.stop();
  });

  it('leaves a checkpoint and no complete-looking export; the next run resumes and finishes it', async () => {
    const child = spawn(process.execPath, [BIN, 'run', 'jobs.yaml'], {
      cwd: work,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (!filesUnder(work).some((f) => f.endsWith('.part-00001.jsonl.gz'))) {
      if (Date.now() > deadline) throw new Error('the export made no second part in time');
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    expect(await exited).toBeNull();
    expect(filesUnder(work).filter((f) => f.endsWith('.manifest.json'))).toEqual([]);
    expect(filesUnder(work).filter((f) => f.endsWith('.checkpoint.json'))).toHaveLength(1);

    const plan = await runCli(['plan', 'jobs.yaml'], { cwd: work });
    expect(plan.stdout).toMatch(
      /resuming the export started .* \(\d+ documents in [12] part\(s\) already saved\)/,
    );
    const run = await runCli(['run', 'jobs.yaml'], { cwd: work });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain('resumed from its checkpoint');
    expect(filesUnder(work).filter((f) => f.endsWith('.checkpoint.json'))).toEqual([]);
    expect(
      filesUnder(work)
        .filter((f) => f.endsWith('.jsonl.gz'))
        .filter((f) => f.includes('.part-')),
    ).toEqual([]);
    const [data] = filesUnder(work).filter((f) => f.endsWith('.jsonl.gz'));
    const ids = gunzipSync(readFileSync(path.join(work, data!)))
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids).toHaveLength(2000);
    expect(new Set(ids).size).toBe(2000);
  }, 120_000);

  it('a container deleted during a run fails its own step; the other containers of the run still export (exit 3)', async () => {
    const client = cosmos.client();
    await seedContainer(
      client,
      'shop',
      { id: 'doomed', partitionKey: { paths: ['/pk'] } },
      sampleDocuments(600, { prefix: 'doomed' }),
    );
    let reads = 0;
    proxy.setSchedule((r) => {
      if (
        r.path.includes('/colls/doomed/docs') &&
        r.headers['x-ms-documentdb-isquery'] &&
        !r.headers['x-ms-cosmos-is-query-plan-request'] &&
        ++reads === 2
      ) {
        void client.database('shop').container('doomed').delete();
        return { type: 'delay', ms: 200 };
      }
      return { type: 'pass' };
    });
    writeFileSync(
      path.join(work, 'jobs.yaml'),
      readFileSync(path.join(work, 'jobs.yaml'), 'utf8').replace(
        'include: ["shop/orders"]',
        'include: ["shop/*"]',
      ),
    );
    try {
      const run = await runCli(['run', 'jobs.yaml'], { cwd: work });
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(3);
      expect(run.stdout).toMatch(
        /FAIL shop\/shop-account\/shop\/doomed .*container shop\/doomed does not exist on Cosmos DB account/,
      );
      expect(run.stdout).toMatch(/ok {3}shop\/shop-account\/shop\/customers .*exported 300 documents/);
      expect(run.stdout).toMatch(/ok {3}shop\/shop-account\/shop\/orders .*exported 2000 documents/);
      expect(filesUnder(path.join(work, 'backups', 'shop-account', 'shop', 'doomed'))).toEqual([]);
    } finally {
      proxy.setSchedule(undefined);
    }
  }, 120_000);
});
