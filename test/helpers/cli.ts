import { spawn } from 'node:child_process';
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
export async function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; deps?: CliDeps } = {}): Promise<CliRun> {
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

/** Runs bin/holdfast.js as a real process with Node 24, as a user would. */
export function spawnCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
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
