import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Argv, Options } from 'yargs';
import { createSecretResolver } from '../../config/secret-resolver.ts';
import { ErrorCode, ExitCode, HoldfastError } from '../../core/errors.ts';
import type { Job } from '../../core/job.ts';
import type { LiteSpeedBackupSpec } from '../../../plugins/litespeed/index.ts';
import {
  renderRestoreFailure,
  renderRestorePlan,
  renderRestoreScript,
  restoreFailureExitCode,
} from '../../../plugins/litespeed/restore/index.ts';
import { checkRestoreTarget } from '../../../plugins/litespeed/restore-run/check-restore-target.ts';
import { historyWithCatalogFiles } from '../../../plugins/litespeed/restore-run/device-paths-from-catalog.ts';
import { executeRestore } from '../../../plugins/litespeed/restore-run/execute-restore.ts';
import {
  filegroupsOfFiles,
  loadHistory,
  type HistorySource,
} from '../../../plugins/litespeed/restore-run/history-source.ts';
import { planServerRestore } from '../../../plugins/litespeed/restore-run/plan-server-restore.ts';
import {
  renderRunEvent,
  renderRunResult,
} from '../../../plugins/litespeed/restore-run/render-restore-run.ts';
import { restoreEncryptionKey } from '../../../plugins/litespeed/restore-run/restore-encryption-key.ts';
import {
  restoreRequestFromFlags,
  type RestoreSelectionFlags,
} from '../../../plugins/litespeed/restore-run/restore-request-flags.ts';
import { openServerSession } from '../../../plugins/litespeed/restore-run/resolve-server-target.ts';
import { catalogPath, loadValidConfig, type CliDeps, type GlobalArgs } from '../app.ts';
import type { CliIo } from '../io.ts';

type Done = (code: number, p?: Promise<unknown>) => void;
type Format = 'text' | 'markdown' | 'json';

/** Where a SQL Server comes from: `--server HOST[:PORT] ...` or `--job NAME PATH...`. */
export interface SqlServerArgs extends GlobalArgs {
  server?: string;
  user?: string;
  passwordRef?: string;
  encrypt?: boolean;
  trustServerCertificate?: boolean;
  serverTimeZone?: string;
  job?: string[];
}

interface RestoreSqlArgs extends SqlServerArgs, RestoreSelectionFlags {
  history?: string;
  format: Format;
  native?: boolean;
  revealSecrets?: boolean;
  encryptionKeyRef?: string;
  out?: string;
  dryRun?: boolean;
  replace?: boolean;
}

const invalid = (message: string) => new HoldfastError(ErrorCode.ConfigInvalid, message);

const SERVER_OPTIONS: Record<string, Options> = {
  server: { type: 'string', describe: 'SQL Server: HOST, HOST:PORT or HOST\\INSTANCE' },
  user: { type: 'string', describe: 'SQL login (without it: Microsoft Entra ID)' },
  'password-ref': {
    type: 'string',
    describe: 'secret reference of the password: env:NAME, file:PATH, Key Vault',
  },
  'trust-server-certificate': {
    type: 'boolean',
    describe: "accept the server's certificate without a trusted chain",
  },
  encrypt: { type: 'boolean', describe: 'TLS to the server (default true; --no-encrypt to turn off)' },
  'server-time-zone': {
    type: 'string',
    describe: "IANA zone of the server's clock (default UTC or the job's)",
  },
  job: { type: 'string', array: true, describe: 'NAME PATH...: the server of this LiteSpeedBackup job' },
};

const RESTORE_OPTIONS: Record<string, Options> = {
  history: { type: 'string', describe: 'a backup history file (docs/history-file.md) instead of msdb' },
  database: { type: 'string', demandOption: true, describe: 'the database whose backups to restore' },
  'stop-at': { type: 'string', describe: "point in time, ISO-8601 (no offset: the server's local time)" },
  filegroups: { type: 'string', array: true, describe: 'only these filegroups (A,B) plus what is required' },
  'first-stage': { type: 'string', array: true, describe: 'FULL: read-write filegroups online first (A,B)' },
  as: { type: 'string', describe: 'restore under this database name' },
  'move-data-to': { type: 'string', describe: 'directory on the server for every file' },
  move: { type: 'string', array: true, describe: 'LOGICAL=PATH for one file (repeatable)' },
  'recovery-fork': { type: 'string', describe: 'plan on this recovery fork (GUID) instead of the latest' },
  'unsafe-allow-damaged': { type: 'boolean', describe: 'use backup sets flagged is_damaged' },
  'unsafe-allow-incomplete-metadata': {
    type: 'boolean',
    describe: 'use tail-log backups with incomplete metadata',
  },
  format: {
    choices: ['text', 'markdown', 'json'],
    default: 'text',
    describe: 'output of plans and failures',
  },
};

const KEY_OPTIONS: Record<string, Options> = {
  native: { type: 'boolean', describe: 'native RESTORE statements instead of LiteSpeed calls' },
  'encryption-key-ref': {
    type: 'string',
    describe: "secret reference of the LiteSpeed key (default: the job's)",
  },
};

export function withSqlServerOptions<T>(b: Argv<T>): Argv<T> {
  return b.options(SERVER_OPTIONS) as unknown as Argv<T>;
}

/** The LiteSpeedBackup job named by `--job NAME PATH...`, loaded and validated like every job file. */
export async function loadLiteSpeedJob(
  job: string[],
  io: CliIo,
  deps: CliDeps,
): Promise<Job<LiteSpeedBackupSpec>> {
  const [name, ...paths] = job;
  if (!name || paths.length === 0)
    throw invalid('--job NAME PATH...: give the job name, then its job files or directories');
  const { config, registry } = await loadValidConfig(paths, io, deps);
  try {
    const jobs = config.manifests.filter((m) => m.kind === 'LiteSpeedBackup');
    const found = jobs.find((m) => m.metadata.name === name);
    if (!found)
      throw invalid(
        `--job ${name}: no LiteSpeedBackup job of that name; LiteSpeedBackup jobs: ${jobs.map((j) => j.metadata.name).join(', ') || 'none'}`,
      );
    return found as Job<LiteSpeedBackupSpec>;
  } finally {
    await registry.dispose();
  }
}

/** The server named by --server or --job (null when neither is given), with its session. */
export async function openSqlServer(args: SqlServerArgs, io: CliIo, deps: CliDeps) {
  if (args.server !== undefined && args.job !== undefined) throw invalid('give --server or --job, not both');
  const job = args.job !== undefined ? await loadLiteSpeedJob(args.job, io, deps) : null;
  const session = await openServerSession(
    { ...args, job: job ? { spec: job.spec.server, baseDir: job.baseDir } : null },
    createSecretResolver({ env: io.env }),
    io.cwd,
  );
  return session ? { session, job } : null;
}

/** Loads the history, plans, and prints a failure (returning its exit code) when no chain reaches the request. */
async function planFrom(args: RestoreSqlArgs, io: CliIo, deps: CliDeps, needServer: boolean) {
  const server = await openSqlServer(args, io, deps);
  try {
    if (!args.history && !server)
      throw invalid(
        'say where the backup history is: --history FILE, --server HOST[:PORT] or --job NAME PATH...',
      );
    if (args.history && server && !needServer)
      throw invalid('--history and --server/--job both name a history source; give one');
    if (needServer && !server)
      throw invalid('restore run needs the server to restore on: --server HOST[:PORT] or --job NAME PATH...');
    const source: HistorySource = args.history
      ? { kind: 'file', file: path.resolve(io.cwd, args.history) }
      : { kind: 'server', session: server!.session };
    const { request, options } = restoreRequestFromFlags(args, server?.session.target.timeZone ?? 'UTC');
    const catalogFile = catalogPath({ ...args, catalog: args.catalog || undefined }, io);
    const { history, replaced } = historyWithCatalogFiles(
      await loadHistory(source, request.database),
      catalogFile,
    );
    if (replaced.length > 0) {
      io.stderr.write(
        `catalog ${catalogFile}: file paths for backup sets ${replaced.join(', ')} (msdb names virtual devices)\n`,
      );
    }
    const result = planServerRestore(history, request, options);
    const format: Format = args.json ? 'json' : args.format;
    if (!result.ok) {
      (format === 'json' ? io.stdout : io.stderr).write(renderRestoreFailure(result.failure, format));
      await server?.session.close();
      return { ok: false, exit: restoreFailureExitCode(result.failure) } as const;
    }
    return { ok: true, plan: result.plan, history, server, format } as const;
  } catch (err) {
    await server?.session.close();
    throw err;
  }
}

/** The encryption key of a script or run (masked stand-in unless it must be revealed). */
function keyFor(args: RestoreSqlArgs, io: CliIo, job: Job<LiteSpeedBackupSpec> | null, reveal: boolean) {
  const key = job?.spec.encryption?.key;
  return restoreEncryptionKey({
    native: Boolean(args.native),
    ...(args.encryptionKeyRef ? { flagRef: args.encryptionKeyRef } : {}),
    ...(key && job ? { jobRef: { ref: key.secretRef, baseDir: job.baseDir } } : {}),
    reveal,
    revealAsked: Boolean(args.revealSecrets),
    cwd: io.cwd,
    resolveSecret: createSecretResolver({ env: io.env }),
  });
}

async function restorePlan(args: RestoreSqlArgs, io: CliIo, deps: CliDeps): Promise<number> {
  const planned = await planFrom(args, io, deps, false);
  if (!planned.ok) return planned.exit;
  await planned.server?.session.close();
  io.stdout.write(renderRestorePlan(planned.plan, planned.format));
  return ExitCode.Ok;
}

async function restoreScript(args: RestoreSqlArgs, io: CliIo, deps: CliDeps): Promise<number> {
  const planned = await planFrom(args, io, deps, false);
  if (!planned.ok) return planned.exit;
  await planned.server?.session.close();
  const key = await keyFor(args, io, planned.server?.job ?? null, Boolean(args.revealSecrets));
  const script = renderRestoreScript(planned.plan, {
    engine: args.native ? 'native' : 'litespeed',
    ...(key ? { encryptionKey: key } : {}),
    revealSecrets: Boolean(args.revealSecrets && key),
  });
  if (args.out) {
    const file = path.resolve(io.cwd, args.out);
    await writeFile(file, script, { mode: args.revealSecrets ? 0o600 : 0o644 });
    io.stderr.write(`wrote ${file}${args.revealSecrets ? ' (holds the encryption key)' : ''}\n`);
  } else io.stdout.write(script);
  return ExitCode.Ok;
}

async function restoreRun(args: RestoreSqlArgs, io: CliIo, deps: CliDeps): Promise<number> {
  const planned = await planFrom(args, io, deps, true);
  if (!planned.ok) return planned.exit;
  const { session, job } = planned.server!;
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const target = await checkRestoreTarget(session, planned.plan.target.database, Boolean(args.replace));
    if (args.dryRun) {
      io.stdout.write(renderRestorePlan(planned.plan, planned.format));
      io.stderr.write(`${target.note}\ndry run: nothing was executed\n`);
      return ExitCode.Ok;
    }
    const key = await keyFor(args, io, job, true);
    if (planned.format !== 'json') io.stdout.write(renderRestorePlan(planned.plan, planned.format));
    io.stderr.write(`${target.note}\n`);
    const result = await executeRestore({
      session,
      plan: planned.plan,
      engine: args.native ? 'native' : 'litespeed',
      ...(key ? { encryptionKey: key } : {}),
      replace: Boolean(args.replace),
      filegroupOf: filegroupsOfFiles(planned.history),
      onEvent: (e) => io.stderr.write(renderRunEvent(e)),
      signal: controller.signal,
    });
    io.stdout.write(
      planned.format === 'json'
        ? `${JSON.stringify({ plan: planned.plan, result }, null, 2)}\n`
        : renderRunResult(result, session.label),
    );
    return result.ok ? ExitCode.Ok : ExitCode.StepFailed;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await session.close();
  }
}

function register(
  y: Argv<GlobalArgs>,
  name: string,
  describe: string,
  extra: Record<string, Options>,
  handler: (a: RestoreSqlArgs) => Promise<number>,
  done: Done,
): Argv<GlobalArgs> {
  return y.command(
    name,
    describe,
    (b) => b.options({ ...SERVER_OPTIONS, ...RESTORE_OPTIONS, ...extra }),
    (argv) => done(0, handler(argv as unknown as RestoreSqlArgs)),
  );
}

/** `holdfast restore plan|script|run`: SQL Server restores planned from msdb history (live or a file). */
export function restoreSqlCommands(
  y: Argv<GlobalArgs>,
  io: CliIo,
  deps: CliDeps,
  done: Done,
): Argv<GlobalArgs> {
  const plan = register(
    y,
    'plan',
    'SQL Server: the restore chain for a database (latest or --stop-at), step by step with reasons; reads only',
    {},
    (a) => restorePlan(a, io, deps),
    done,
  );
  const script = register(
    plan,
    'script',
    'SQL Server: the restore as a DBA script (LiteSpeed, or --native); keys masked unless --reveal-secrets',
    {
      ...KEY_OPTIONS,
      'reveal-secrets': { type: 'boolean', describe: 'put the real encryption key in the script' },
      out: { type: 'string', describe: 'write the script to this file instead of stdout' },
    },
    (a) => restoreScript(a, io, deps),
    done,
  );
  return register(
    script,
    'run',
    'SQL Server: execute the restore step by step on --server/--job and report the database state',
    {
      ...KEY_OPTIONS,
      'dry-run': {
        type: 'boolean',
        default: false,
        describe: 'print the plan and the checks; execute nothing',
      },
      replace: {
        type: 'boolean',
        default: false,
        describe: 'overwrite an existing database of that name (REPLACE)',
      },
    },
    (a) => restoreRun(a, io, deps),
    done,
  );
}
