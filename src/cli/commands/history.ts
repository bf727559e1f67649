import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Argv } from 'yargs';
import { ErrorCode, ExitCode, HoldfastError } from '../../core/errors.ts';
import { readMsdbHistory } from '../../../plugins/litespeed/restore-run/read-msdb-history.ts';
import { parsePointInTime } from '../../../plugins/litespeed/restore-run/server-wall-time.ts';
import type { CliDeps, GlobalArgs } from '../app.ts';
import type { CliIo } from '../io.ts';
import { openSqlServer, withSqlServerOptions, type SqlServerArgs } from './restore-sql.ts';

type Done = (code: number, p?: Promise<unknown>) => void;

interface HistoryExportArgs extends SqlServerArgs {
  database: string;
  since?: string;
  out?: string;
}

/** Writes one database's msdb backup history as a history file (docs/history-file.md). */
async function historyExport(args: HistoryExportArgs, io: CliIo, deps: CliDeps): Promise<number> {
  const server = await openSqlServer(args, io, deps);
  if (!server)
    throw new HoldfastError(
      ErrorCode.ConfigInvalid,
      'history export reads msdb: give --server HOST[:PORT] or --job NAME PATH...',
    );
  try {
    let since: Date | undefined;
    if (args.since !== undefined) {
      since = parsePointInTime(args.since, server.session.target.timeZone) ?? undefined;
      if (!since)
        throw new HoldfastError(
          ErrorCode.ConfigInvalid,
          `--since "${args.since}" is not an ISO-8601 date-time`,
        );
    }
    const history = await readMsdbHistory(server.session, {
      database: args.database,
      ...(since ? { since } : {}),
    });
    const text = `${JSON.stringify(history, null, 2)}\n`;
    if (args.out) {
      const file = path.resolve(io.cwd, args.out);
      await writeFile(file, text);
      io.stderr.write(
        `wrote ${file}: ${history.backupsets.length} backup sets of ${history.database_name} from ${server.session.label}\n`,
      );
    } else io.stdout.write(text);
    return ExitCode.Ok;
  } finally {
    await server.session.close();
  }
}

/** `holdfast history export`: msdb backup history to a file the restore planner reads anywhere. */
export function historyCommand(y: Argv<GlobalArgs>, io: CliIo, deps: CliDeps, done: Done): Argv<GlobalArgs> {
  return y.command(
    'history',
    'SQL Server backup history (msdb)',
    (b) =>
      b
        .command(
          'export',
          "Write a database's backup history from msdb as a history file (the format restore plan --history reads)",
          (x) =>
            withSqlServerOptions(x)
              .option('database', {
                type: 'string',
                demandOption: true,
                describe: 'the database whose history to export',
              })
              .option('since', {
                type: 'string',
                describe: 'only backups started at or after this time (keep the base you need)',
              })
              .option('out', { type: 'string', describe: 'write to this file instead of stdout' }),
          (argv) => done(0, historyExport(argv as unknown as HistoryExportArgs, io, deps)),
        )
        .demandCommand(1, 'say what to do: holdfast history export ...') as Argv<GlobalArgs>,
  );
}
