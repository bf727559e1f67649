import path from 'node:path';
import type { Argv } from 'yargs';
import { ExitCode } from '../../core/errors.ts';
import type { RunResult } from '../../core/result.ts';
import { runJobs } from '../../engine/run-jobs.ts';
import { EngineEventBus } from '../../engine/events.ts';
import { JobLock } from '../../engine/job-lock.ts';
import { renderPlan } from '../../engine/render-plan.ts';
import { selectJobs } from '../../engine/select-jobs.ts';
import { catalogPath, loadValidConfig, makeServices, type CliDeps, type GlobalArgs } from '../app.ts';
import { colors, type CliIo } from '../io.ts';
import { makeReadOnlyPlan, withSelection, type PlanArgs } from './plan.ts';
import { attachProgress } from '../progress.ts';
import type { JobCleanup } from '../../retention/cleanup-jobs.ts';
import { renderCleanupSummary } from '../../retention/render-retention.ts';
import { renderDeliveries } from '../../notify/notify-after-run.ts';
import type { DeliveryReport } from '../../notify/notifier.ts';

interface RunArgs extends PlanArgs {
  dryRun?: boolean;
  concurrency?: number;
}

export function exitCodeForRun(result: RunResult): ExitCode {
  switch (result.status) {
    case 'succeeded':
    case 'dry-run':
      return ExitCode.Ok;
    case 'partly-failed':
      return ExitCode.PartlyFailed;
    case 'failed':
      return ExitCode.StepFailed;
  }
}

export function renderRunResult(result: RunResult, io: CliIo): string {
  const c = colors(io);
  const lines = [`Run ${result.runId}: ${result.status}`];
  for (const s of result.steps) {
    const mark = s.status === 'succeeded' ? c.green('ok  ') : s.status === 'failed' ? c.red('FAIL') : c.yellow('skip');
    const took = s.durationMs !== undefined ? ` (${(s.durationMs / 1000).toFixed(1)} s)` : '';
    lines.push(`  ${mark} ${s.stepId}${took}: ${s.summary}`);
    if (s.error && s.status === 'failed' && !s.summary.includes(String(s.error.message))) lines.push(`       ${String(s.error.message)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Retention and notification lines after a run's steps. */
export function renderAfterRun(cleanups: readonly JobCleanup[], notifications: readonly DeliveryReport[]): string {
  const lines: string[] = [];
  if (cleanups.length > 0) lines.push('Retention:', ...cleanups.map((c) => `  ${renderCleanupSummary(c)}`));
  if (notifications.length > 0) lines.push('Notifications:', ...renderDeliveries(notifications).map((l) => `  ${l}`));
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

export function runCommand(y: Argv<GlobalArgs>, io: CliIo, deps: CliDeps, done: (code: number, p?: Promise<unknown>) => void): Argv<GlobalArgs> {
  return y.command(
    'run <paths..>',
    'Run what is due for the selected jobs (or, with --dry-run, print the plan and write nothing)',
    (b) =>
      withSelection(b)
        .option('dry-run', { type: 'boolean', default: false, describe: 'plan only: print what would run; writes nothing anywhere' })
        .option('type', { type: 'string', describe: 'force a backup type (full, differential, log, filegroup)' })
        .option('concurrency', { type: 'number', default: 4, describe: 'steps running at once over the whole run' }),
    (argv) =>
      done(
        0,
        (async () => {
          const args = argv as unknown as RunArgs;
          const controller = new AbortController();
          const onSignal = () => controller.abort();
          process.once('SIGINT', onSignal);
          process.once('SIGTERM', onSignal);
          try {
            if (args.dryRun) {
              const plan = await makeReadOnlyPlan(args, io, deps, 'run --dry-run', controller.signal);
              io.stdout.write(renderPlan(plan, args.json ? 'json' : 'text'));
              if (!args.json) io.stderr.write('dry run: nothing was executed\n');
              return plan.problems.length > 0 ? ExitCode.StepFailed : ExitCode.Ok;
            }
            const { config, registry } = await loadValidConfig(args.paths, io, deps);
            const jobs = selectJobs(config.manifests, registry, { jobs: args.job, selectors: args.selector });
            const lock = JobLock.acquire(path.join(path.dirname(catalogPath(args, io)), 'locks'), jobs.map((j) => j.metadata.name));
            const services = makeServices(args, io, deps, config, false, controller.signal);
            try {
              const events = new EngineEventBus();
              attachProgress(events, io);
              const { plan, result, cleanups, notifications, cleanupFailed } = await runJobs({
                command: 'run', manifests: config.manifests, jobs, registry, services, options: { dryRun: false, forceType: args.type }, events, concurrency: args.concurrency,
              });
              for (const p of plan.problems) io.stderr.write(`problem: ${p.message}\n`);
              const retention = cleanups.map((c) => ({ job: c.job, entries: c.plan?.entries ?? [], report: c.report, error: c.error }));
              io.stdout.write(args.json ? `${JSON.stringify({ plan, result, retention, notifications }, null, 2)}\n` : renderRunResult(result, io) + renderAfterRun(cleanups, notifications));
              const code = exitCodeForRun(result);
              return code === ExitCode.Ok && cleanupFailed ? ExitCode.PartlyFailed : code;
            } finally {
              services.catalog.close();
              lock.release();
              await registry.dispose();
            }
          } finally {
            process.off('SIGINT', onSignal);
            process.off('SIGTERM', onSignal);
          }
        })(),
      ),
  );
}
