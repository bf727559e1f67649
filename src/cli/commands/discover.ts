import type { Argv } from 'yargs';
import { ExitCode, wrapPluginError } from '../../core/errors.ts';
import { pluginContext } from '../../engine/services.ts';
import { selectJobs } from '../../engine/select-jobs.ts';
import { loadValidConfig, makeServices, type CliDeps, type GlobalArgs } from '../app.ts';
import type { CliIo } from '../io.ts';
import { withSelection, type PlanArgs } from './plan.ts';

export function discoverCommand(y: Argv<GlobalArgs>, io: CliIo, deps: CliDeps, done: (code: number, p?: Promise<unknown>) => void): Argv<GlobalArgs> {
  return y.command(
    'discover <paths..>',
    'List what each job would protect, and what exists but no job covers; writes nothing',
    (b) => withSelection(b),
    (argv) =>
      done(
        0,
        (async () => {
          const args = argv as unknown as PlanArgs;
          const { config, registry } = await loadValidConfig(args.paths, io, deps);
          const jobs = selectJobs(config.manifests, registry, { jobs: args.job, selectors: args.selector });
          const services = makeServices(args, io, deps, config, true, new AbortController().signal);
          const out: { job: string; kind: string; targets: unknown[]; notes: unknown[]; error?: string }[] = [];
          let failed = 0;
          try {
            for (const job of jobs) {
              const plugin = registry.pluginForKind(job.kind)!;
              try {
                const d = await plugin.discover(job, pluginContext(services, config.manifests, job, { dryRun: true }));
                out.push({ job: job.metadata.name, kind: job.kind, targets: d.targets, notes: d.notes });
              } catch (err) {
                failed++;
                out.push({ job: job.metadata.name, kind: job.kind, targets: [], notes: [], error: wrapPluginError(err, plugin.name, 'discover').message });
              }
            }
          } finally {
            services.catalog.close();
            await registry.dispose();
          }
          if (args.json) io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
          else {
            for (const j of out) {
              io.stdout.write(`${j.job} (${j.kind})\n`);
              if (j.error) io.stdout.write(`  ERROR: ${j.error}\n`);
              for (const t of j.targets as { id: string }[]) io.stdout.write(`  covers ${t.id}\n`);
              for (const n of j.notes as { level: string; message: string }[]) io.stdout.write(`  ${n.level}: ${n.message}\n`);
            }
          }
          return failed === 0 ? ExitCode.Ok : failed === jobs.length ? ExitCode.StepFailed : ExitCode.PartlyFailed;
        })(),
      ),
  );
}
