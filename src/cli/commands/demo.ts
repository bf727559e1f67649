import type { Argv } from 'yargs';
import { ExitCode } from '../../core/errors.ts';
import type { CliDeps, GlobalArgs } from '../app.ts';
import { REPO_ROOT, runChildScript } from '../child-script.ts';
import type { CliIo } from '../io.ts';

/**
 * `holdfast demo`: runs sim/demo/main.ts (the simulators, Azurite, the Cosmos server and the example jobs) as a
 * child process, so product code never imports the simulators. Needs the development dependencies (`npm ci`).
 */
export function demoCommand(y: Argv<GlobalArgs>, io: CliIo, _deps: CliDeps, done: (code: number, p?: Promise<unknown>) => void): Argv<GlobalArgs> {
  return y.command(
    'demo',
    'Start local simulators and run the example jobs in jobs/ end to end: plan, backups, catalog, restore scripts (about a minute)',
    (b) => b,
    () => done(ExitCode.Ok, runChildScript('sim/demo/main.ts', [], { ...io, cwd: REPO_ROOT })),
  );
}
