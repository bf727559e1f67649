import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobServiceClient } from '@azure/storage-blob';
import { runCli } from '../helpers/cli.ts';
import { fileCopyPlugin } from '../fixtures/file-copy-plugin.ts';
import { startAzurite } from '../harness/azurite.ts';

const deps = { plugins: [fileCopyPlugin()] };

/** Every file under dir with its size and mtime: a fingerprint of the file system. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = path.join(d, name);
      const s = statSync(full);
      if (s.isDirectory()) walk(full);
      else out[path.relative(dir, full)] = `${s.size}:${s.mtimeMs}`;
    }
  };
  walk(dir);
  return out;
}

describe('plan, run --dry-run and run through the CLI', () => {
  let azurite: Awaited<ReturnType<typeof startAzurite>>;
  let http: Server;
  let httpUrl = '';
  const methods: string[] = [];
  let work = '';

  beforeAll(async () => {
    azurite = await startAzurite();
    http = createServer((req, res) => {
      methods.push(req.method ?? '?');
      res.end('ok');
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    httpUrl = `http://127.0.0.1:${(http.address() as { port: number }).port}/probe`;
    work = mkdtempSync(path.join(tmpdir(), 'hf-cli-'));
    cpSync(path.resolve(import.meta.dirname, '../fixtures/good/data'), path.join(work, 'data'), { recursive: true });
    writeFileSync(
      path.join(work, 'jobs.yaml'),
      `apiVersion: holdfast/v1
kind: Storage
metadata: { name: local-out }
spec: { type: local, path: ./out }
---
apiVersion: holdfast/v1
kind: Storage
metadata: { name: blob-out }
spec:
  type: azure-blob
  account: ${azurite.blobEndpoint}
  container: dryrun
  auth: { type: connection-string, connectionString: { secretRef: env:HF_BLOB } }
---
apiVersion: holdfast/v1
kind: FileCopy
metadata: { name: copy-local, labels: { env: test } }
spec: { source: ./data, storage: local-out, prefix: copies, probeUrl: "${httpUrl}", token: { secretRef: env:HF_TOKEN } }
---
apiVersion: holdfast/v1
kind: FileCopy
metadata: { name: copy-blob }
spec: { source: ./data, storage: blob-out, prefix: copies, probeUrl: "${httpUrl}" }
`,
    );
  });

  afterAll(async () => {
    await azurite?.stop();
    await new Promise((r) => http?.close(r));
  });

  const env = () => ({ HF_BLOB: azurite.connectionString, HF_TOKEN: 'super-secret-token-value' });

  async function blobNames(): Promise<string[]> {
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('dryrun');
    if (!(await container.exists())) return [];
    const names: string[] = [];
    for await (const b of container.listBlobsFlat()) names.push(b.name);
    return names;
  }

  it('plan and run --dry-run write nothing anywhere: no file, no catalog, no blob, no network write', async () => {
    const before = snapshot(work);
    for (const args of [['plan', 'jobs.yaml'], ['plan', 'jobs.yaml', '--format', 'markdown'], ['run', 'jobs.yaml', '--dry-run'], ['run', 'jobs.yaml', '--dry-run', '--json']]) {
      const r = await runCli(args, { cwd: work, env: env(), deps });
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
      expect(r.stdout).toContain('copy-local/data/a.txt');
      expect(r.stdout).not.toContain('super-secret-token-value');
      expect(r.stdout).toContain('--token ********');
    }
    expect(snapshot(work)).toEqual(before);
    expect(await blobNames()).toEqual([]);
    expect(methods.length).toBeGreaterThan(0);
    expect(new Set(methods)).toEqual(new Set(['GET']));
  });

  it('run executes, records artifacts in the catalog, and catalog list shows them', async () => {
    await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('dryrun').createIfNotExists();
    const r = await runCli(['run', 'jobs.yaml'], { cwd: work, env: env(), deps });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Run .*: succeeded/);
    expect(readFileSync(path.join(work, 'out/copies/b.txt'), 'utf8')).toBe('bravo bravo\n');
    expect((await blobNames()).sort()).toEqual(['copies/a.txt', 'copies/b.txt']);
    const list = await runCli(['catalog', 'list', '--json'], { cwd: work, env: env(), deps });
    const artifacts = JSON.parse(list.stdout) as { job: string; locations: string[]; sha256: string }[];
    expect(artifacts).toHaveLength(4);
    expect(artifacts.every((a) => /^[0-9a-f]{64}$/.test(a.sha256))).toBe(true);
    const text = await runCli(['catalog', 'list'], { cwd: work, deps });
    expect(text.stdout).toContain('copy-blob  data/a.txt  full');
    const runs = await runCli(['catalog', 'list', '--runs'], { cwd: work, deps });
    expect(runs.stdout).toMatch(/succeeded\s+\S+\s+run\s+copy-local, copy-blob/);
  });

  it('selects jobs by --job and --selector, and refuses an unknown job with exit 2', async () => {
    const byLabel = await runCli(['plan', 'jobs.yaml', '--selector', 'env=test', '--json'], { cwd: work, env: env(), deps });
    expect(JSON.parse(byLabel.stdout).jobs.map((j: { name: string }) => j.name)).toEqual(['copy-local']);
    const unknown = await runCli(['plan', 'jobs.yaml', '--job', 'nope'], { cwd: work, env: env(), deps });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--job nope: no such job; jobs: copy-local, copy-blob');
  });

  it('a failing step makes the run partly failed (exit 3) and a wrong credential is a clear step error', async () => {
    const jobs = readFileSync(path.join(work, 'jobs.yaml'), 'utf8').replace('probeUrl: "' + httpUrl + '", token', `failPattern: "^b", token`);
    writeFileSync(path.join(work, 'jobs-fail.yaml'), jobs);
    const r = await runCli(['run', 'jobs-fail.yaml', '--job', 'copy-local'], { cwd: work, env: env(), deps });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/FAIL copy-local\/data\/b\.txt.*refusing to copy b\.txt/);
    const badKey = await runCli(['run', 'jobs.yaml', '--job', 'copy-blob'], { cwd: work, env: { ...env(), HF_BLOB: azurite.connectionString.replace(/AccountKey=[^;]+/, 'AccountKey=' + Buffer.from('wrong-key-wrong-key').toString('base64')) }, deps });
    expect(badKey.code).toBe(1);
    expect(badKey.stdout).toMatch(/FAIL copy-blob\/data\/a\.txt/);
    expect(badKey.stdout + badKey.stderr).not.toMatch(/at .*\.ts:\d+/); // a message, not a stack trace
  });

  it('refuses a second run of a job while one holds its lock (exit 4)', async () => {
    const lockDir = path.join(work, '.holdfast', 'locks');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(lockDir, { recursive: true });
    writeFileSync(path.join(lockDir, 'copy-local.lock'), `${process.pid}\n`);
    const r = await runCli(['run', 'jobs.yaml', '--job', 'copy-local'], { cwd: work, env: env(), deps });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('job copy-local is already running');
    writeFileSync(path.join(lockDir, 'copy-local.lock'), '999999999\n'); // stale: no such process
    const again = await runCli(['run', 'jobs.yaml', '--job', 'copy-local'], { cwd: work, env: env(), deps });
    expect(again.code).toBe(0);
  });
});
