import path from 'node:path';
import type { Argv } from 'yargs';
import { ExitCode } from '../../core/errors.ts';
import type { CliDeps, GlobalArgs } from '../app.ts';
import { runChildScript } from '../child-script.ts';
import type { CliIo } from '../io.ts';

/**
 * `holdfast sim sqlserver`: runs the SQL Server simulator in the foreground. The simulator is a separate
 * program (sim/sqlserver/main.ts) started as a child process: product code never imports sim/.
 */
export function simCommand(y: Argv<GlobalArgs>, io: CliIo, _deps: CliDeps, done: (code: number, p?: Promise<unknown>) => void): Argv<GlobalArgs> {
  return y.command('sim', 'Run a simulator for development and trials (not for production)', (b) =>
    b
      .command(
        'sqlserver',
        'SQL Server simulator speaking TDS with TLS: msdb history, filegroups, LiteSpeed procedures, restore rules',
        (c) =>
          c
            .option('port', { type: 'number', default: 14330, describe: 'TCP port (0: a free one)' })
            .option('host', { type: 'string', default: '127.0.0.1', describe: 'listen address' })
            .option('data-dir', { type: 'string', default: '.holdfast/sim-sqlserver', describe: 'where backup files are written' })
            .option('user', { type: 'string', describe: 'SQL login (default sa)' })
            .option('password', { type: 'string', describe: 'its password (default from the scenario)' })
            .option('scenario', { type: 'string', default: 'default', describe: 'bundled scenario name or a scenario YAML file' }),
        (argv) => {
          const args = ['--port', String(argv.port), '--host', argv.host, '--data-dir', path.resolve(io.cwd, argv['data-dir']), '--scenario', argv.scenario];
          if (argv.user) args.push('--user', argv.user);
          if (argv.password) args.push('--password', argv.password);
          done(ExitCode.Ok, runChildScript('sim/sqlserver/main.ts', args, io));
        },
      )
      .demandCommand(1, 'say which simulator: holdfast sim sqlserver'),
  );
}
