import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Argv } from 'yargs';
import { createSecretResolver } from '../../config/secret-resolver.ts';
import { ErrorCode, ExitCode, HoldfastError } from '../../core/errors.ts';
import type { Job } from '../../core/job.ts';
import { MASK, Secret } from '../../core/secret.ts';
import type { LiteSpeedBackupSpec } from '../../../plugins/litespeed/index.ts';
import { renderRestoreFailure, renderRestorePlan, renderRestoreScript, restoreFailureExitCode } from '../../../plugins/litespeed/restore/index.ts';
import { checkRestoreTarget } from '../../../plugins/litespeed/restore-run/check-restore-target.ts';
import { executeRestore } from '../../../plugins/litespeed/restore-run/execute-restore.ts';
import { filegroupsOfFiles, loadHistory, type HistorySource } from '../../../plugins/litespeed/restore-run/history-source.ts';
import { planServerRestore } from '../../../plugins/litespeed/restore-run/plan-server-restore.ts';
import { renderRunEvent, renderRunResult } from '../../../plugins/litespeed/restore-run/render-restore-run.ts';
import { serverTargetFromFlags, serverTargetFromSpec } from '../../../plugins/litespeed/restore-run/resolve-server-target.ts';
import { restoreRequestFromFlags, type RestoreSelectionFlags } from '../../../plugins/litespeed/restore-run/restore-request-flags.ts';
import { SqlServerSession } from '../../../plugins/litespeed/restore-run/sql-server-session.ts';
import { loadValidConfig, type CliDeps, type GlobalArgs } from '../app.ts';
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

export function withSqlServerOptions<T>(b: Argv<T>) {
  return b
    .option('server', { type: 'string', describe: 'SQL Server: HOST, HOST:PORT or HOST\\INSTANCE' })
    .option('user', { type: 'string', describe: 'SQL login (without it: Microsoft Entra ID)' })
    .option('password-ref', { type: 'string', describe: 'secret reference of the password: env:NAME, file:PATH or a Key Vault reference (never the password)' })
    .option('trust-server-certificate', { type: 'boolean', describe: "accept the server's certificate without a trusted chain" })
    .option('encrypt', { type: 'boolean', describe: 'TLS to the server (default true; --no-encrypt to turn off)' })
    .option('server-time-zone', { type: 'string', describe: "IANA zone of the server's clock (default UTC, or the job's spec.server.timeZone)" })
    .option('job', { type: 'string', array: true, describe: 'NAME PATH...: take the server from this LiteSpeedBackup job in these job files' });
}

/** The LiteSpeedBackup job named by `--job NAME PATH...`, loaded and validated like every job file. */
export async function loadLiteSpeedJob(job: string[], io: CliIo, deps: CliDeps): Promise<Job<LiteSpeedBackupSpec>> {
  const [name, ...paths] = job;
  if (!name || paths.length === 0) throw invalid('--job NAME PATH...: give the job name, then its job files or directories');
  const { config, registry } = await loadValidConfig(paths, io, deps);
  try {
    const jobs = config.manifests.filter((m) => m.kind === 'LiteSpeedBackup');
    const found = jobs.find((m) => m.metadata.name === name);
    if (!found) throw invalid(`--job ${name}: no LiteSpeedBackup job of that name; LiteSpeedBackup jobs: ${jobs.map((j) => j.metadata.name).join(', ') || 'none'}`);
    return found as Job<LiteSpeedBackupSpec>;
  } finally {
    await registry.dispose();
  }
}

/** The server named by --server or --job (null when neither is given), with its session. */
export async function openSqlServer(args: SqlServerArgs, io: CliIo, deps: CliDeps): Promise<{ session: SqlServerSession; job: Job<LiteSpeedBackupSpec> | null } | null> {
  if (args.server !== undefined && args.job !== undefined) throw invalid('give --server or --job, not both');
  const resolveSecret = createSecretResolver({ env: io.env });
  if (args.job !== undefined) {
    if (args.user !== undefined || args.passwordRef !== undefined) throw invalid('--user and --password-ref come from the job with --job; leave them out');
    const job = await loadLiteSpeedJob(args.job, io, deps);
    const target = await serverTargetFromSpec(job.spec.server, resolveSecret, job.baseDir, args.serverTimeZone ? { timeZone: args.serverTimeZone } : {});
    return { session: new SqlServerSession(target), job };
  }
  if (args.server === undefined) return null;
  const target = await serverTargetFromFlags(
    {
      server: args.server,
      ...(args.user !== undefined ? { user: args.user } : {}),
      ...(args.passwordRef !== undefined ? { passwordRef: args.passwordRef } : {}),
      ...(args.encrypt !== undefined ? { encrypt: args.encrypt } : {}),
      ...(args.trustServerCertificate !== undefined ? { trustServerCertificate: args.trustServerCertificate } : {}),
      ...(args.serverTimeZone !== undefined ? { timeZone: args.serverTimeZone } : {}),
    },
    resolveSecret,
    io.cwd,
  );
  return { session: new SqlServerSession(target), job: null };
}

function withRestoreOptions<T>(b: Argv<T>) {
  return withSqlServerOptions(b)
    .option('history', { type: 'string', describe: 'a backup history file (docs/history-file.md) instead of msdb' })
    .option('database', { type: 'string', demandOption: true, describe: 'the database whose backups to restore' })
    .option('stop-at', { type: 'string', describe: "point in time, ISO-8601 (no offset: the server's local time)" })
    .option('filegroups', { type: 'string', array: true, describe: 'only these filegroups (A,B) plus what is required' })
    .option('first-stage', { type: 'string', array: true, describe: 'FULL recovery: read-write filegroups to bring online with PRIMARY first (A,B)' })
    .option('as', { type: 'string', describe: 'restore under this database name' })
    .option('move-data-to', { type: 'string', describe: 'directory on the server for every file' })
    .option('move', { type: 'string', array: true, describe: 'LOGICAL=PATH for one file (repeatable; wins over --move-data-to)' })
    .option('recovery-fork', { type: 'string', describe: 'plan on this recovery fork (GUID) instead of the latest' })
    .option('unsafe-allow-damaged', { type: 'boolean', describe: 'use backup sets flagged is_damaged' })
    .option('unsafe-allow-incomplete-metadata', { type: 'boolean', describe: 'use tail-log backups with incomplete metadata' })
    .option('format', { choices: ['text', 'markdown', 'json'] as const, default: 'text' as const, describe: 'output format of plans and failures' });
}

/** Loads the history, plans, and prints a failure (returning its exit code) when no chain reaches the request. */
async function planFrom(args: RestoreSqlArgs, io: CliIo, deps: CliDeps, needServer: boolean) {
  const server = await openSqlServer(args, io, deps);
  try {
    if (!args.history && !server) throw invalid('say where the backup history is: --history FILE, --server HOST[:PORT] or --job NAME PATH...');
    if (args.history && server && !needServer) throw invalid('--history and --server/--job both name a history source; give one');
    if (needServer && !server) throw invalid('restore run needs the server to restore on: --server HOST[:PORT] or --job NAME PATH...');
    const source: HistorySource = args.history ? { kind: 'file', file: path.resolve(io.cwd, args.history) } : { kind: 'server', session: server!.session };
    const { request, options } = restoreRequestFromFlags(args, server?.session.target.timeZone ?? 'UTC');
    const history = await loadHistory(source, request.database);
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

/** The key reference: --encryption-key-ref, else the job's spec.encryption.key. */
function keyReference(args: RestoreSqlArgs, job: Job<LiteSpeedBackupSpec> | null): { ref: string; baseDir: string } | null {
  if (args.encryptionKeyRef) return { ref: args.encryptionKeyRef, baseDir: '' };
  const key = job?.spec.encryption?.key;
  return key ? { ref: key.secretRef, baseDir: job!.baseDir } : null;
}

async function resolveKey(args: RestoreSqlArgs, io: CliIo, job: Job<LiteSpeedBackupSpec> | null, reveal: boolean): Promise<Secret | undefined> {
  const found = keyReference(args, job);
  if (args.native) {
    if (args.encryptionKeyRef) throw invalid('--encryption-key-ref applies to LiteSpeed only; native RESTORE decrypts with a server certificate');
    return undefined;
  }
  if (!found) {
    if (args.revealSecrets) throw invalid('--reveal-secrets needs a key to reveal: --encryption-key-ref env:NAME, or --job with spec.encryption.key');
    return undefined;
  }
  // A key that is only printed masked is never read: the script says ******** either way.
  if (!reveal) return new Secret(MASK, found.ref);
  return createSecretResolver({ env: io.env })({ secretRef: found.ref }, found.baseDir || io.cwd);
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
  const key = await resolveKey(args, io, planned.server?.job ?? null, Boolean(args.revealSecrets));
  const script = renderRestoreScript(planned.plan, { engine: args.native ? 'native' : 'litespeed', ...(key ? { encryptionKey: key } : {}), revealSecrets: Boolean(args.revealSecrets && key) });
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
    const key = await resolveKey(args, io, job, true);
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
    io.stdout.write(planned.format === 'json' ? `${JSON.stringify({ plan: planned.plan, result }, null, 2)}\n` : renderRunResult(result, session.label));
    return result.ok ? ExitCode.Ok : ExitCode.StepFailed;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await session.close();
  }
}

function register(y: Argv<GlobalArgs>, name: string, describe: string, extra: (b: Argv<GlobalArgs>) => Argv<GlobalArgs>, handler: (a: RestoreSqlArgs) => Promise<number>, done: Done): Argv<GlobalArgs> {
  return y.command(
    name,
    describe,
    (b) => extra(withRestoreOptions(b) as unknown as Argv<GlobalArgs>),
    (argv) => done(0, handler(argv as unknown as RestoreSqlArgs)),
  );
}

/** `holdfast restore plan|script|run`: SQL Server restores planned from msdb history (live or a file). */
export function restoreSqlCommands(y: Argv<GlobalArgs>, io: CliIo, deps: CliDeps, done: Done): Argv<GlobalArgs> {
  let b = register(y, 'plan', 'SQL Server: the restore chain for a database (latest or --stop-at), step by step with reasons; reads only', (x) => x, (a) => restorePlan(a, io, deps), done);
  b = register(
    b,
    'script',
    'SQL Server: the restore as a DBA script (LiteSpeed, or native with --native); keys masked unless --reveal-secrets',
    (x) =>
      x
        .option('native', { type: 'boolean', describe: 'native RESTORE statements instead of LiteSpeed calls' })
        .option('reveal-secrets', { type: 'boolean', describe: 'put the real encryption key in the script' })
        .option('encryption-key-ref', { type: 'string', describe: "secret reference of the LiteSpeed key (default: the job's spec.encryption.key)" })
        .option('out', { type: 'string', describe: 'write the script to this file instead of stdout' }),
    (a) => restoreScript(a, io, deps),
    done,
  );
  return register(
    b,
    'run',
    'SQL Server: execute the restore step by step on --server/--job, then report the database state (--dry-run: plan only)',
    (x) =>
      x
        .option('dry-run', { type: 'boolean', default: false, describe: 'print the plan and the checks; execute nothing' })
        .option('replace', { type: 'boolean', default: false, describe: 'overwrite an existing database of the target name (REPLACE)' })
        .option('native', { type: 'boolean', describe: 'native RESTORE statements instead of LiteSpeed calls' })
        .option('encryption-key-ref', { type: 'string', describe: "secret reference of the LiteSpeed key (default: the job's spec.encryption.key)" }),
    (a) => restoreRun(a, io, deps),
    done,
  );
}

