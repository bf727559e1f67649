import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Argv } from 'yargs';
import { ExitCode } from '../../core/errors.ts';
import type { CliDeps, GlobalArgs } from '../app.ts';
import type { CliIo } from '../io.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/**
 * `holdfast demo`: runs sim/demo/main.ts (the simulators, Azurite, the Cosmos server and the example jobs) as a
 * child process, so product code never imports the simulators. Needs the development dependencies (`npm ci`).
 */
export function demoCommand(y: Argv<GlobalArgs>, io: CliIo, _deps: CliDeps, done: (code: number, p?: Promise<unknown>) => void): Argv<GlobalArgs> {
  return y.command(
    'demo',
    'Start local simulators and run the example jobs in jobs/ end to end: plan, backups, catalog, restore scripts (about a minute)',
    (b) => b,
    () =>
      done(
        ExitCode.Ok,
        new Promise<number>((resolve) => {
          const child = spawn(process.execPath, [path.join(ROOT, 'sim', 'demo', 'main.ts')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...io.env } });
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
        }),
      ),
  );
}
