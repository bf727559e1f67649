import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode, ExitCode, HoldfastError } from '../core/errors.ts';
import type { CliIo } from './io.ts';

/**
 * The repository root (bin/, src/, sim/, jobs/ are beside each other). The compiled CLI (scripts/build.ts) lives
 * in dist/ inside the repository and does not carry the simulators: they run from the sources, one level up.
 */
export const REPO_ROOT = path.resolve(
  import.meta.dirname,
  import.meta.filename.endsWith('.js') ? '../../..' : '../..',
);

/**
 * Runs a script of the repository (e.g. sim/sqlserver/main.ts) as a child process with this Node, passing its
 * output through and forwarding SIGINT/SIGTERM; resolves with its exit code. Commands that start the simulators
 * use this, so product code never imports sim/.
 */
export function runChildScript(script: string, args: readonly string[], io: CliIo): Promise<number> {
  if (!existsSync(path.join(REPO_ROOT, script)))
    throw new HoldfastError(
      ErrorCode.NotFound,
      `${script} is not here (${REPO_ROOT}): the simulators and the demo run from a source checkout of holdfast (git clone, npm ci), not from an installed service`,
    );
  return new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, script), ...args], {
      cwd: io.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...io.env },
    });
    child.stdout.on('data', (d: Buffer) => io.stdout.write(d.toString()));
    child.stderr.on('data', (d: Buffer) => io.stderr.write(d.toString()));
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.once('SIGINT', forward);
    process.once('SIGTERM', forward);
    child.on('close', (code) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? ExitCode.StepFailed);
    });
  });
}
