import path from 'node:path';
import type { Argv } from 'yargs';
import { ExitCode } from '../../core/errors.ts';
import { JobLock } from '../../engine/job-lock.ts';
import { selectJobs } from '../../engine/select-jobs.ts';
import { cleanupFailed, cleanupJobs, type JobCleanup } from '../../retention/cleanup-jobs.ts';
import { readRetentionPolicy } from '../../retention/plan-job-retention.ts';
import { renderCleanups } from '../../retention/render-retention.ts';
import { catalogPath, loadValidConfig, makeServices, type CliDeps, type GlobalArgs } from '../app.ts';
import type { CliIo } from '../io.ts';
import { withSelection, type PlanArgs } from './plan.ts';

interface RetentionArgs extends PlanArgs {
  action: 'plan' | 'apply';
  dryRun?: boolean;
}

function toJson(cleanups: readonly JobCleanup[], command: string, createdAt: Date): string {
  const jobs = cleanups.map((c) => ({
    job: c.job,
    policy: c.plan?.policy,
    entries: c.plan?.entries ?? [],
    problems: c.plan?.problems ?? [],
    report: c.report,
    error: c.error,
  }));
  return `${JSON.stringify({ command, createdAt: createdAt.toISOString(), jobs }, null, 2)}\n`;
}

async function retention(
  args: RetentionArgs,
  io: CliIo,
  deps: CliDeps,
  signal: AbortSignal,
): Promise<number> {
  const dryRun = args.action === 'plan' || Boolean(args.dryRun);
  const command = dryRun
    ? args.action === 'plan'
      ? 'retention plan'
      : 'retention apply --dry-run'
    : 'retention apply';
  const { config, registry } = await loadValidConfig(args.paths, io, deps);
  const jobs = selectJobs(config.manifests, registry, { jobs: args.job, selectors: args.selector }).filter(
    (j) => {
      try {
        return readRetentionPolicy(j) !== undefined;
      } catch {
        return true; // reported by the cleanup
      }
    },
  );
  const lock = dryRun
    ? undefined
    : JobLock.acquire(
        path.join(path.dirname(catalogPath(args, io)), 'locks'),
        jobs.map((j) => j.metadata.name),
      );
  const services = makeServices(args, io, deps, config, dryRun, signal);
  try {
    const now = services.clock.now();
    const runId = `retention-${now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}`;
    const cleanups = await cleanupJobs({
      manifests: config.manifests,
      jobs,
      registry,
      services,
      dryRun,
      runId,
    });
    const header = dryRun
      ? `Retention plan (${command}) made ${now.toISOString()}: nothing is removed`
      : `Retention applied ${now.toISOString()}`;
    io.stdout.write(args.json ? toJson(cleanups, command, now) : renderCleanups(cleanups, header));
    if (dryRun && !args.json) io.stderr.write('dry run: nothing was removed\n');
    return cleanups.some(cleanupFailed) ? ExitCode.StepFailed : ExitCode.Ok;
  } finally {
    services.catalog.close();
    lock?.release();
    await registry.dispose();
  }
}

export function retentionCommand(
  y: Argv<GlobalArgs>,
  io: CliIo,
  deps: CliDeps,
  done: (code: number, p?: Promise<unknown>) => void,
): Argv<GlobalArgs> {
  return y.command(
    'retention <action> <paths..>',
    'Show (plan) or carry out (apply) the retention policies of the selected jobs: keep or remove per artifact, and why',
    (b) =>
      withSelection(
        b.positional('action', {
          choices: ['plan', 'apply'] as const,
          describe: 'plan: show the decisions; apply: remove what the policy removes',
        }),
      ).option('dry-run', {
        type: 'boolean',
        default: false,
        describe: 'with apply: only show the plan, remove nothing',
      }),
    (argv) => done(0, retention(argv as unknown as RetentionArgs, io, deps, new AbortController().signal)),
  );
}
