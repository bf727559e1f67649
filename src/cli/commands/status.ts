import type { Argv } from 'yargs';
import { openCatalog } from '../../catalog/sqlite-catalog.ts';
import { systemClock } from '../../core/clock.ts';
import { ErrorCode, ExitCode, HoldfastError } from '../../core/errors.ts';
import { formatPath } from '../../config/problems.ts';
import { selectJobs } from '../../engine/select-jobs.ts';
import { readJobSchedule, type JobScheduleInfo } from '../../schedule/job-schedule.ts';
import { buildStatusRows, type StatusRow } from '../../schedule/job-status.ts';
import { formatDuration } from '../../schedule/duration.ts';
import { catalogPath, loadValidConfig, type CliDeps, type GlobalArgs } from '../app.ts';
import { colors, type CliIo } from '../io.ts';
import { withSelection, type PlanArgs } from './plan.ts';

/**
 * `holdfast status`: per job and target, the last good backup, the last failure, the next run and whether the
 * time since the last good backup is above the job's RPO. Reads only. Exit 1 when any RPO is breached.
 */
export function statusCommand(
  y: Argv<GlobalArgs>,
  io: CliIo,
  deps: CliDeps,
  done: (code: number, p?: Promise<unknown>) => void,
): Argv<GlobalArgs> {
  return y.command(
    'status <paths..>',
    'Last success, last failure, next run and RPO breaches per job and target (exit 1 when an RPO is breached)',
    (b) => withSelection(b),
    (argv) =>
      done(
        0,
        (async () => {
          const args = argv as unknown as PlanArgs;
          const { config, registry } = await loadValidConfig(args.paths, io, deps);
          try {
            const jobs = selectJobs(config.manifests, registry, { jobs: args.job, selectors: args.selector });
            const infos: JobScheduleInfo[] = [];
            const problems: string[] = [];
            for (const job of jobs) {
              const read = readJobSchedule(job);
              infos.push(read.info);
              for (const p of read.problems) {
                const at = job.locate(p.path);
                problems.push(
                  `${at.file}:${at.line}:${at.column}: ${job.kind}/${job.metadata.name} ${formatPath(p.path)}: ${p.message}`,
                );
              }
            }
            if (problems.length > 0) {
              for (const p of problems) io.stderr.write(`${p}\n`);
              throw new HoldfastError(ErrorCode.ConfigInvalid, 'invalid configuration');
            }
            const catalog = openCatalog(catalogPath(args, io), { readOnly: true });
            const now = (deps.clock ?? systemClock).now();
            let rows: StatusRow[];
            try {
              rows = buildStatusRows({
                jobs: infos,
                catalog,
                now,
                pluginOf: (kind) => registry.pluginForKind(kind)?.name,
              });
            } finally {
              catalog.close();
            }
            const breached = rows.filter((r) => r.rpoBreached);
            if (args.json)
              io.stdout.write(
                `${JSON.stringify({ at: now.toISOString(), rpoBreached: breached.length > 0, rows }, null, 2)}\n`,
              );
            else io.stdout.write(renderStatus(rows, now, io));
            if (breached.length > 0 && !args.json)
              io.stderr.write(`RPO breached for ${breached.length} target(s)\n`);
            return breached.length > 0 ? ExitCode.StepFailed : ExitCode.Ok;
          } finally {
            await registry.dispose();
          }
        })(),
      ),
  );
}

function ago(iso: string | undefined, now: Date): string {
  if (!iso) return 'never';
  return `${iso.replace(/\.\d{3}Z$/, 'Z')} (${formatDuration(now.getTime() - new Date(iso).getTime())} ago)`;
}

export function renderStatus(rows: readonly StatusRow[], now: Date, io: CliIo): string {
  const c = colors(io);
  if (rows.length === 0) return 'no jobs\n';
  const lines: string[] = [];
  let job = '';
  for (const r of rows) {
    if (r.job !== job) {
      job = r.job;
      const next = r.nextRun
        ? `next ${r.nextRun.at.replace(/\.\d{3}Z$/, 'Z')}${r.nextRun.type ? ` (${r.nextRun.type})` : ''}`
        : 'no schedule';
      lines.push(`${c.bold(r.job)}  ${r.kind}  ${next}${r.rpo ? `  rpo ${r.rpo}` : ''}`);
    }
    const mark = r.rpoBreached ? c.red('RPO BREACHED') : r.rpo ? c.green('within RPO') : '';
    lines.push(`  ${r.target ?? '(no target recorded yet)'}  ${mark}`);
    lines.push(`    last success  ${ago(r.lastSuccess, now)}`);
    if (r.lastFailure)
      lines.push(`    last failure  ${ago(r.lastFailure.at, now)}: ${r.lastFailure.summary}`);
  }
  return `${lines.join('\n')}\n`;
}
