import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.ts';
import { jobManifest, STORAGE } from './harness.ts';

const ENTRY = path.join(import.meta.dirname, 'serve-entry.ts');

interface Served {
  child: ChildProcess;
  logs: Record<string, unknown>[];
  stderr: () => string;
  exited: Promise<number | null>;
  /** Resolves with the first log line matching. */
  waitFor(
    pred: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
}

let children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children = [];
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function serve(script: string, args: string[], cwd: string): Served {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.HOLDFAST_LOG_LEVEL;
  delete env.HOLDFAST_CATALOG;
  const child = spawn(process.execPath, [script, 'serve', ...args], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const logs: Record<string, unknown>[] = [];
  let text = '';
  let partial = '';
  const listeners: (() => void)[] = [];
  child.stderr!.on('data', (d: Buffer) => {
    text += d;
    partial += d;
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const l of lines) {
      try {
        logs.push(JSON.parse(l) as Record<string, unknown>);
      } catch {
        /* not a log line */
      }
    }
    for (const f of listeners) f();
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return {
    child,
    logs,
    exited,
    stderr: () => text,
    waitFor: (pred, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const hit = logs.find(pred);
          if (hit) resolve(hit);
        };
        listeners.push(check);
        check();
        setTimeout(
          () => reject(new Error(`no such log line in ${timeoutMs} ms; stderr:\n${text}`)),
          timeoutMs,
        ).unref();
      }),
  };
}

function workDir(jobs: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'hf-serve-'));
  dirs.push(dir);
  mkdirSync(path.join(dir, 'data'));
  writeFileSync(path.join(dir, 'data', 'a.txt'), 'hello');
  writeFileSync(path.join(dir, 'jobs.yaml'), STORAGE + jobs);
  return dir;
}

describe('holdfast serve as a process', () => {
  it('runs a job every second, answers /healthz /readyz /metrics, reloads on SIGHUP and stops cleanly on SIGTERM', async () => {
    const dir = workDir(jobManifest('tick', { schedule: { cron: '* * * * * *' }, rpo: '1h' }));
    const s = serve(
      ENTRY,
      ['jobs.yaml', '--port', '0', '--host', '127.0.0.1', '--catalog', 'state/catalog.db'],
      dir,
    );
    const listening = await s.waitFor((l) => typeof l.port === 'number');
    const base = `http://127.0.0.1:${listening.port as number}`;
    expect(listening).toMatchObject({ level: 30, app: 'holdfast' });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { catalog: 'writable' } });
    await s.waitFor((l) => typeof l.msg === 'string' && /run \S+ of tick: succeeded/.test(l.msg));
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/holdfast_runs_total\{job="tick",result="succeeded"\} [1-9]/);
    expect(metrics).toMatch(
      /holdfast_last_success_timestamp_seconds\{job="tick",target="data\/a\.txt"\} \d{10}/,
    );

    s.child.kill('SIGHUP');
    await s.waitFor((l) => l.msg === 'reloading configuration: SIGHUP');
    expect((await s.waitFor((l) => l.event === 'config-loaded' && s.logs.indexOf(l) > 3)).jobs).toBe(1);

    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(s.logs.find((l) => l.event === 'stopped')).toMatchObject({ abandoned: [], dropped: [] });
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  }, 30_000);

  it('starts as bin/holdfast.js (built-in kinds only) and refuses an invalid configuration with exit 2', async () => {
    const dir = workDir('');
    const s = serve(
      BIN,
      ['jobs.yaml', '--port', '0', '--host', '127.0.0.1', '--catalog', 'catalog.db', '--no-watch'],
      dir,
    );
    await s.waitFor((l) => typeof l.port === 'number');
    expect(s.logs.find((l) => l.event === 'config-loaded')).toMatchObject({ jobs: 0 });
    s.child.kill('SIGINT');
    expect(await s.exited).toBe(0);

    writeFileSync(path.join(dir, 'jobs.yaml'), `${STORAGE}  extra: 1\n`);
    const bad = serve(BIN, ['jobs.yaml', '--port', '0', '--catalog', 'catalog.db'], dir);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toMatch(/jobs\.yaml:\d+:\d+: .*the service did not start/s);
  }, 30_000);
});
