import type { Argv } from 'yargs';
import { ExitCode } from '../../core/errors.ts';
import type { Plan } from '../../core/plan.ts';
import { createPlan } from '../../engine/planner.ts';
import { renderPlan, type PlanFormat } from '../../engine/render-plan.ts';
import { selectJobs } from '../../engine/select-jobs.ts';
import { loadValidConfig, makeServices, type CliDeps, type GlobalArgs } from '../app.ts';
import type { CliIo } from '../io.ts';

export interface PlanArgs extends GlobalArgs {
  paths: string[];
  job?: string[];
  selector?: string[];
  type?: string;
}

export function withSelection<T>(b: Argv<T>) {
  return b
    .positional('paths', { type: 'string', array: true, demandOption: true, describe: 'job files or directories' })
    .option('job', { type: 'string', array: true, describe: 'only this job (repeatable)' })
    .option('selector', { type: 'string', array: true, describe: 'only jobs with this label, key=value (repeatable)' });
}

/** Loads, selects and plans without writing anything (catalog opened read-only). Shared by plan and run --dry-run. */
export async function makeReadOnlyPlan(argv: PlanArgs, io: CliIo, deps: CliDeps, command: string, signal: AbortSignal): Promise<Plan> {
  const { config, registry } = await loadValidConfig(argv.paths, io, deps);
  const jobs = selectJobs(config.manifests, registry, { jobs: argv.job, selectors: argv.selector });
  const services = makeServices(argv, io, deps, config, true, signal);
  try {
    return await createPlan({ command, manifests: config.manifests, jobs, registry, services, options: { dryRun: true, forceType: argv.type } });
  } finally {
    services.catalog.close();
    await registry.dispose();
  }
}

export function planCommand(y: Argv<GlobalArgs>, io: CliIo, deps: CliDeps, done: (code: number, p?: Promise<unknown>) => void): Argv<GlobalArgs> {
  return y.command(
    'plan <paths..>',
    'Show what a run would do, step by step with reasons and exact commands (secrets masked); writes nothing',
    (b) =>
      withSelection(b)
        .option('format', { choices: ['text', 'markdown', 'json'] as const, default: 'text' as const, describe: 'output format' })
        .option('type', { type: 'string', describe: 'force a backup type (full, differential, log, filegroup)' }),
    (argv) =>
      done(
        0,
        (async () => {
          const controller = new AbortController();
          const plan = await makeReadOnlyPlan(argv as unknown as PlanArgs, io, deps, 'plan', controller.signal);
          const format: PlanFormat = argv.json ? 'json' : (argv.format as PlanFormat);
          io.stdout.write(renderPlan(plan, format));
          return plan.problems.length > 0 ? (plan.steps.length > 0 ? ExitCode.PartlyFailed : ExitCode.StepFailed) : ExitCode.Ok;
        })(),
      ),
  );
}
