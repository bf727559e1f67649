import type { Argv } from 'yargs';
import { ErrorCode, ExitCode, HoldfastError } from '../../core/errors.ts';
import type { Job } from '../../core/job.ts';
import {
  executeCosmosRestore,
  planCosmosRestore,
  renderRestorePlan,
  renderRestoreSummary,
  type CosmosAuth,
  type CosmosBackupSpec,
  type CosmosRestoreRequest,
  type CosmosRestoreServices,
} from '../../../plugins/cosmos/index.ts';
import { loadValidConfig, makeServices, type CliDeps, type GlobalArgs } from '../app.ts';
import type { CliIo } from '../io.ts';
import { restoreSqlCommands } from './restore-sql.ts';

type Done = (code: number, p?: Promise<unknown>) => void;

/** `holdfast restore <engine> ...`: a thin group; each subcommand has its own builder below. */
export function restoreCommand(y: Argv<GlobalArgs>, io: CliIo, deps: CliDeps, done: Done): Argv<GlobalArgs> {
  return y.command('restore', 'Restore from backups and exports (plan with --dry-run first)', (b) =>
    restoreSqlCommands(
      restoreCosmosCommand(b as Argv<GlobalArgs>, io, deps, done),
      io,
      deps,
      done,
    ).demandCommand(1, 'say what to restore: holdfast restore cosmos|plan|script|run ...'),
  );
}

interface RestoreCosmosArgs extends GlobalArgs {
  paths: string[];
  job: string;
  database: string;
  container: string;
  from: string;
  toDatabase: string;
  toContainer: string;
  toAccount?: string;
  toAuth?: CosmosAuth['type'];
  toKey?: string;
  intoExisting: boolean;
  skipTtl: boolean;
  throughput?: number;
  deadLetter?: string;
  dryRun: boolean;
}

function restoreCosmosCommand(y: Argv<GlobalArgs>, io: CliIo, deps: CliDeps, done: Done): Argv<GlobalArgs> {
  return y.command(
    'cosmos <paths..>',
    "Restore a Cosmos DB container from a CosmosBackup job's export into a new (or, with --into-existing, an existing) container",
    (b) =>
      b
        .positional('paths', {
          type: 'string',
          array: true,
          demandOption: true,
          describe: 'job files or directories',
        })
        .option('job', {
          type: 'string',
          demandOption: true,
          describe: 'the CosmosBackup job that made the export',
        })
        .option('database', { type: 'string', demandOption: true, describe: 'source database, as exported' })
        .option('container', {
          type: 'string',
          demandOption: true,
          describe: 'source container, as exported',
        })
        .option('from', {
          type: 'string',
          default: 'latest',
          describe: 'latest, a catalog artifact id (or prefix), or a manifest key',
        })
        .option('to-database', {
          type: 'string',
          demandOption: true,
          describe: 'target database (created when missing)',
        })
        .option('to-container', {
          type: 'string',
          demandOption: true,
          describe: 'target container (created from the manifest when missing)',
        })
        .option('to-account', {
          type: 'string',
          describe: "target account endpoint (default: the job's account)",
        })
        .option('to-auth', {
          choices: ['entra', 'key', 'emulator'] as const,
          describe: "how to sign in to the target (default: the job's auth)",
        })
        .option('to-key', {
          type: 'string',
          describe:
            'secret reference of the target account key (env:NAME, file:PATH, Key Vault); implies --to-auth key',
        })
        .option('into-existing', {
          type: 'boolean',
          default: false,
          describe: 'load into an existing container that already holds documents (upserts)',
        })
        .option('skip-ttl', {
          type: 'boolean',
          default: false,
          describe: "leave defaultTtl off after loading (default: apply the export's)",
        })
        .option('throughput', {
          type: 'number',
          describe: 'provisioned RU/s for a container the restore creates',
        })
        .option('dead-letter', {
          type: 'string',
          describe: 'file for documents that cannot be stored (JSON Lines with the error)',
        })
        .option('dry-run', {
          type: 'boolean',
          default: false,
          describe: 'show what the restore would do; writes nothing',
        }),
    (argv) => done(0, runRestoreCosmos(argv as unknown as RestoreCosmosArgs, io, deps)),
  );
}

async function runRestoreCosmos(args: RestoreCosmosArgs, io: CliIo, deps: CliDeps): Promise<number> {
  const { config, registry } = await loadValidConfig(args.paths, io, deps);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const services = makeServices(args, io, deps, config, true, controller.signal);
  try {
    const jobs = config.manifests.filter((m) => m.kind === 'CosmosBackup');
    const job = jobs.find((m) => m.metadata.name === args.job) as Job<CosmosBackupSpec> | undefined;
    if (!job) {
      throw new HoldfastError(
        ErrorCode.ConfigInvalid,
        `--job ${args.job}: no CosmosBackup job of that name; CosmosBackup jobs: ${jobs.map((j) => j.metadata.name).join(', ') || 'none'}`,
      );
    }
    const request: CosmosRestoreRequest = {
      database: args.database,
      container: args.container,
      from: args.from,
      toDatabase: args.toDatabase,
      toContainer: args.toContainer,
      toAccount: args.toAccount,
      toAuth: targetAuth(args),
      intoExisting: args.intoExisting,
      skipTtl: args.skipTtl,
      throughput: args.throughput,
      deadLetterPath: args.deadLetter,
    };
    const restoreServices: CosmosRestoreServices = {
      job,
      storage: services.storage(job.spec.storage),
      catalog: services.catalog,
      // The job's secrets resolve next to its file; a --to-key reference next to where the command runs.
      resolveSecret: (ref) =>
        services.resolveSecret(ref, ref.secretRef === args.toKey ? io.cwd : job.baseDir),
      clock: services.clock,
      signal: controller.signal,
      cwd: io.cwd,
      progress: io.stderr.isTTY ? (u) => io.stderr.write(`  ${u.message ?? ''}\n`) : undefined,
    };
    const plan = await planCosmosRestore(request, restoreServices);
    if (args.dryRun) {
      io.stdout.write(args.json ? `${JSON.stringify({ plan }, null, 2)}\n` : renderRestorePlan(plan));
      if (!args.json) io.stderr.write('dry run: nothing was written\n');
      return ExitCode.Ok;
    }
    if (!args.json) io.stdout.write(renderRestorePlan(plan));
    const summary = await executeCosmosRestore(plan, request, restoreServices);
    io.stdout.write(args.json ? `${JSON.stringify(summary, null, 2)}\n` : renderRestoreSummary(summary));
    return summary.status === 'succeeded' ? ExitCode.Ok : ExitCode.PartlyFailed;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    services.catalog.close();
    await registry.dispose();
  }
}

function targetAuth(args: RestoreCosmosArgs): CosmosAuth | undefined {
  if (args.toKey) return { type: 'key', key: { secretRef: args.toKey } };
  if (args.toAuth === 'key')
    throw new HoldfastError(ErrorCode.ConfigInvalid, '--to-auth key needs --to-key <secret reference>');
  return args.toAuth ? { type: args.toAuth } : undefined;
}
