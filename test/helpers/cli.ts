import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main.ts';
import type { CliDeps } from '../../src/cli/app.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(ROOT, 'bin', 'holdfast.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process (fast; plugins and a clock may be injected). */
export async function runCli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; deps?: CliDeps } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(
    args,
    {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      cwd: options.cwd ?? process.cwd(),
    },
    options.deps ?? {},
  );
  return { code, stdout, stderr };
}

/**
 * Runs bin/holdfast.js (or another entry, e.g. a compiled build's) as a real process with Node 24, as a user
 * would; `nodeArgs` go to Node before the entry.
 */
export function spawnCli(
  args: string[],
  options: {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    timeoutMs?: number;
    bin?: string;
    nodeArgs?: string[];
  } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.bin ?? BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/**
 * Every module URL a CLI process resolves (ESM and require), recorded by test/fixtures/record-imports.mjs:
 * what a command loads, to prove what it does not.
 */
export async function importsOf(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; bin?: string } = {},
): Promise<{ run: CliRun; urls: string[] }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'holdfast-imports-'));
  try {
    const out = path.join(dir, 'imports.txt');
    const run = await spawnCli(args, {
      ...options,
      nodeArgs: ['--import', path.join(ROOT, 'test', 'fixtures', 'record-imports.mjs')],
      env: { ...options.env, HOLDFAST_IMPORTS_OUT: out },
    });
    return { run, urls: (await readFile(out, 'utf8')).split('\n') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
