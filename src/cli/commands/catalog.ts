import type { Argv } from 'yargs';
import { openCatalog } from '../../catalog/sqlite-catalog.ts';
import type { ArtifactState } from '../../catalog/contract.ts';
import { ExitCode } from '../../core/errors.ts';
import { catalogPath, type CliDeps, type GlobalArgs } from '../app.ts';
import type { CliIo } from '../io.ts';

function human(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export function catalogCommand(y: Argv<GlobalArgs>, io: CliIo, _deps: CliDeps, done: (code: number, p?: Promise<unknown>) => void): Argv<GlobalArgs> {
  return y.command('catalog', 'Read the catalog of runs and artifacts', (b) =>
    b
      .command(
        'list',
        'List artifacts (what is stored, where, and what it depends on)',
        (c) =>
          c
            .option('job', { type: 'string', describe: 'only this job' })
            .option('target', { type: 'string', describe: 'only this target (e.g. sql01/DW)' })
            .option('all', { type: 'boolean', default: false, describe: 'include removed artifacts' })
            .option('runs', { type: 'boolean', default: false, describe: 'list runs instead of artifacts' }),
        (argv) => {
          const catalog = openCatalog(catalogPath(argv, io), { readOnly: true });
          try {
            if (argv.runs) {
              const runs = catalog.listRuns({ job: argv.job, limit: 200 });
              if (argv.json) io.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
              else if (runs.length === 0) io.stdout.write('no runs recorded\n');
              else for (const r of runs) io.stdout.write(`${r.startedAt.toISOString()}  ${r.status.padEnd(13)} ${r.id}  ${r.command}  ${r.jobs.join(', ')}\n`);
            } else {
              const states: ArtifactState[] = argv.all ? ['present', 'removing', 'removed'] : ['present', 'removing'];
              const artifacts = catalog.listArtifacts({ job: argv.job, target: argv.target, states });
              if (argv.json) io.stdout.write(`${JSON.stringify(artifacts, null, 2)}\n`);
              else if (artifacts.length === 0) io.stdout.write(`no artifacts recorded in ${catalog.location}\n`);
              else {
                for (const a of artifacts) {
                  const dep = a.dependsOn.length > 0 ? `  needs ${a.dependsOn.map((d) => d.slice(0, 8)).join(',')}` : '';
                  const state = a.state === 'present' ? '' : `  [${a.state}]`;
                  io.stdout.write(`${a.createdAt.toISOString()}  ${a.id.slice(0, 8)}  ${a.job}  ${a.target}  ${a.type}  ${human(a.bytes).padStart(9)}  ${a.storage}:${a.locations[0] ?? ''}${dep}${state}\n`);
                }
              }
            }
          } finally {
            catalog.close();
          }
          done(ExitCode.Ok);
        },
      )
      .demandCommand(1, 'say which: holdfast catalog list'),
  );
}
