import path from 'node:path';
import type { Argv } from 'yargs';
import { openCatalog } from '../../catalog/sqlite-catalog.ts';
import { systemClock } from '../../core/clock.ts';
import { ErrorCode, ExitCode, HoldfastError } from '../../core/errors.ts';
import { createLogger } from '../../core/logger.ts';
import { formatProblem, type ConfigProblem } from '../../config/problems.ts';
import { createRegistry } from '../../plugin/builtin-plugins.ts';
import { checkCron } from '../../schedule/cron-times.ts';
import { parseDuration } from '../../schedule/duration.ts';
import type { Service } from '../../schedule/service.ts';
import { catalogPath, type CliDeps, type GlobalArgs } from '../app.ts';
import type { CliIo } from '../io.ts';

interface ServeArgs extends GlobalArgs {
  paths: string[];
  port: number;
  host: string;
  maxRuns: number;
  maxRunsPerServer: number;
  maxRunsPerAccount: number;
  stepConcurrency: number;
  shutdownTimeout: string;
  missedAfter: string;
  watch: boolean;
  summaryCron: string;
  summaryTimezone: string;
}

export function serveCommand(
  y: Argv<GlobalArgs>,
  io: CliIo,
  deps: CliDeps,
  done: (code: number, p?: Promise<unknown>) => void,
): Argv<GlobalArgs> {
  return y.command(
    'serve <paths..>',
    'Run the scheduler service: jobs on their cron schedules, /healthz /readyz /metrics over HTTP, JSON logs on stderr',
    (b) =>
      b
        .positional('paths', {
          type: 'string',
          array: true,
          demandOption: true,
          describe: 'job files or directories (watched; SIGHUP reloads)',
        })
        .option('port', {
          type: 'number',
          default: 8080,
          describe: 'HTTP port for /healthz, /readyz, /metrics (0: any free port)',
        })
        .option('host', { type: 'string', default: '0.0.0.0', describe: 'address to listen on' })
        .option('max-runs', { type: 'number', default: 4, describe: 'runs at once over all jobs' })
        .option('max-runs-per-server', {
          type: 'number',
          default: 1,
          describe: 'runs at once against one SQL Server (spec.server.host)',
        })
        .option('max-runs-per-account', {
          type: 'number',
          default: 2,
          describe: 'runs at once against one Cosmos DB account (spec.account.endpoint)',
        })
        .option('step-concurrency', { type: 'number', default: 4, describe: 'steps at once within one run' })
        .option('shutdown-timeout', {
          type: 'string',
          default: '5m',
          describe: 'on SIGTERM/SIGINT, how long running steps may finish before they are cancelled',
        })
        .option('missed-after', {
          type: 'string',
          default: '1m',
          describe: 'a fire time handled later than this (pause, clock jump) counts as missed',
        })
        .option('summary-cron', {
          type: 'string',
          default: '0 8 * * *',
          describe:
            'when the daily summary notification goes out (jobs with notify on: [summary]); off: never',
        })
        .option('summary-timezone', {
          type: 'string',
          default: 'UTC',
          describe: 'time zone of --summary-cron',
        })
        .option('watch', {
          type: 'boolean',
          default: true,
          describe: 'reload when job files change (--no-watch: only on SIGHUP)',
        }),
    (argv) => done(0, serve(argv as unknown as ServeArgs, io, deps)),
  );
}

async function serve(args: ServeArgs, io: CliIo, deps: CliDeps): Promise<number> {
  const logger = createLogger({
    level: args.logLevel || io.env.HOLDFAST_LOG_LEVEL || 'info',
    destination: { write: (s: string) => io.stderr.write(s) },
  });
  const deadlineMs = duration('--shutdown-timeout', args.shutdownTimeout);
  const missedAfterMs = duration('--missed-after', args.missedAfter);
  for (const [flag, value] of [
    ['--max-runs', args.maxRuns],
    ['--max-runs-per-server', args.maxRunsPerServer],
    ['--max-runs-per-account', args.maxRunsPerAccount],
    ['--step-concurrency', args.stepConcurrency],
  ] as const) {
    if (!Number.isInteger(value) || value < 1)
      throw new HoldfastError(
        ErrorCode.ConfigInvalid,
        `${flag} ${value}: expected a whole number of at least 1`,
      );
  }
  const summarySchedule =
    args.summaryCron === 'off' ? false : { cron: args.summaryCron, timezone: args.summaryTimezone };
  const summaryProblem = summarySchedule && checkCron(summarySchedule);
  if (summaryProblem)
    throw new HoldfastError(ErrorCode.ConfigInvalid, `--summary-cron/--summary-timezone: ${summaryProblem}`);
  const registry = createRegistry(deps.plugins);
  const catalogFile = catalogPath(args, io);
  const catalog = openCatalog(catalogFile);

  // Signals are taken from the start: one that arrives while starting up stops the service once it is up.
  let service: Service | undefined;
  let stopSignal: NodeJS.Signals | undefined;
  const onStop = (signal: NodeJS.Signals) => {
    if (!stopSignal) {
      stopSignal = signal;
      void service?.stop(signal, { deadlineMs, abortGraceMs: 10_000 });
    } else {
      logger.warn({ signal }, `${signal} again: cancelling running steps now`);
      service?.scheduler.hurry();
    }
  };
  const onHup = () => void service?.reload('SIGHUP');
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);
  process.on('SIGHUP', onHup);
  try {
    try {
      // The service (HTTP server, prom-client metrics, scheduler) loads only for `serve`.
      const { Service } = await import('../../schedule/service.ts');
      service = await Service.start({
        paths: args.paths.map((p) => path.resolve(io.cwd, p)),
        env: io.env,
        clock: deps.clock ?? systemClock,
        logger,
        registry,
        catalog,
        lockDir: path.join(path.dirname(catalogFile), 'locks'),
        limits: {
          global: args.maxRuns,
          perKind: { sqlserver: args.maxRunsPerServer, cosmos: args.maxRunsPerAccount },
        },
        http: { port: args.port, host: args.host },
        watch: args.watch,
        missedAfterMs,
        stepConcurrency: args.stepConcurrency,
        summary: summarySchedule,
      });
    } catch (err) {
      const problems =
        err instanceof HoldfastError ? (err.details?.problems as ConfigProblem[] | undefined) : undefined;
      if (!problems) throw err;
      for (const p of problems)
        io.stderr.write(`${formatProblem({ ...p, file: path.relative(io.cwd, p.file) || p.file })}\n`);
      io.stderr.write(`${problems.length} problem(s); the service did not start.\n`);
      return ExitCode.InvalidInput;
    }
    if (stopSignal) void service.stop(stopSignal, { deadlineMs, abortGraceMs: 10_000 });
    const summary = await service.stopped;
    if (summary.abandoned.length > 0 && io.stdout === process.stdout) {
      // Steps that ignore cancellation may hold sockets open; do not outlive the grace period because of them.
      setTimeout(() => process.exit(ExitCode.StepFailed), 2000).unref();
    }
    return summary.abandoned.length > 0 ? ExitCode.StepFailed : ExitCode.Ok;
  } finally {
    process.off('SIGTERM', onStop);
    process.off('SIGINT', onStop);
    process.off('SIGHUP', onHup);
    catalog.close();
    await registry.dispose();
  }
}

function duration(flag: string, text: string): number {
  try {
    return parseDuration(text);
  } catch (err) {
    throw new HoldfastError(ErrorCode.ConfigInvalid, `${flag} ${text}: ${(err as Error).message}`);
  }
}
