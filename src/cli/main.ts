import yargs, { type Argv } from 'yargs';
import { describeError, EXIT_CODE_HELP, ExitCode, HoldfastError } from '../core/errors.ts';
import { exitCodeFor, type CliDeps, type GlobalArgs } from './app.ts';
import { processIo, type CliIo } from './io.ts';
import { validateCommand } from './commands/validate.ts';
import { schemaCommand } from './commands/schema.ts';
import { planCommand } from './commands/plan.ts';
import { runCommand } from './commands/run.ts';
import { catalogCommand } from './commands/catalog.ts';
import { discoverCommand } from './commands/discover.ts';
import { retentionCommand } from './commands/retention.ts';
import { serveCommand } from './commands/serve.ts';
import { statusCommand } from './commands/status.ts';
import { simCommand } from './commands/sim.ts';
import { demoCommand } from './commands/demo.ts';
import { restoreCommand } from './commands/restore.ts';
import { historyCommand } from './commands/history.ts';

type Register = (y: Argv<GlobalArgs>, io: CliIo, deps: CliDeps, done: (code: number, p?: Promise<unknown>) => void) => Argv<GlobalArgs>;

/** Every command, one file each under ./commands. */
export const COMMANDS: Register[] = [validateCommand, schemaCommand, planCommand, runCommand, discoverCommand, catalogCommand, serveCommand, statusCommand, retentionCommand, simCommand, demoCommand, restoreCommand, historyCommand];

/**
 * Runs the CLI and resolves with the exit code. Never calls process.exit, so tests can call it in-process.
 * Data goes to stdout, messages to stderr.
 */
export async function main(argv: readonly string[], io: CliIo = processIo(), deps: CliDeps = {}): Promise<number> {
  let code: number = ExitCode.Ok;
  let pending: Promise<unknown> | undefined;
  const done = (c: number, p?: Promise<unknown>) => {
    code = c;
    pending = p;
  };
  let parser = yargs([...argv])
    .scriptName('holdfast')
    .usage('$0 <command> [options]\n\nBackups of SQL Server (LiteSpeed) and Cosmos DB: plan, run, retain, restore.')
    .option('catalog', { type: 'string', describe: 'catalog file (default: $HOLDFAST_CATALOG or .holdfast/catalog.db)', global: true })
    .option('json', { type: 'boolean', describe: 'machine-readable output on stdout', global: true })
    .option('log-level', { type: 'string', describe: 'JSON log level on stderr (default warn)', global: true })
    .epilog(EXIT_CODE_HELP)
    .strict()
    .demandCommand(1, 'say which command: holdfast --help lists them')
    .recommendCommands()
    .exitProcess(false)
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((msg, err) => {
      if (err) throw err;
      throw new HoldfastError('CONFIG_INVALID', msg ?? 'invalid command line');
    }) as unknown as Argv<GlobalArgs>;
  for (const register of COMMANDS) parser = register(parser, io, deps, done);
  let helpShown = false;
  try {
    await parser.parseAsync([...argv], {}, (err, _parsed, output) => {
      if (output && !err) {
        helpShown = true;
        io.stdout.write(`${output}\n`);
      }
    });
    if (pending) code = Number(await pending);
    return helpShown ? ExitCode.Ok : code;
  } catch (err) {
    if (err instanceof HoldfastError && err.message === 'invalid configuration') return ExitCode.InvalidInput;
    const message = err instanceof HoldfastError ? err.message : describeError(err);
    io.stderr.write(`holdfast: ${message}\n`);
    if (err instanceof HoldfastError && err.code === 'CONFIG_INVALID') io.stderr.write('run holdfast --help for usage\n');
    return exitCodeFor(err);
  }
}
