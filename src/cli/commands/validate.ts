import type { Argv } from 'yargs';
import { ExitCode } from '../../core/errors.ts';
import { loadValidConfig, type CliDeps, type GlobalArgs } from '../app.ts';
import type { CliIo } from '../io.ts';

export function validateCommand(y: Argv<GlobalArgs>, io: CliIo, deps: CliDeps, done: (code: number, p?: Promise<unknown>) => void): Argv<GlobalArgs> {
  return y.command(
    'validate <paths..>',
    'Check job files: every problem at once with file:line:col, exit 0 when valid, 2 when not',
    (b) => b.positional('paths', { type: 'string', array: true, demandOption: true, describe: 'job files or directories' }),
    (argv) =>
      done(
        0,
        (async () => {
          const { config } = await loadValidConfig(argv.paths as string[], io, deps);
          const byKind = new Map<string, number>();
          for (const m of config.manifests) byKind.set(m.kind, (byKind.get(m.kind) ?? 0) + 1);
          if (argv.json) {
            io.stdout.write(`${JSON.stringify({ valid: true, files: config.files, manifests: config.manifests.map((m) => ({ kind: m.kind, name: m.metadata.name, file: m.source.file, line: m.source.line })) }, null, 2)}\n`);
          } else {
            const kinds = [...byKind].map(([k, n]) => `${n} ${k}`).join(', ');
            io.stdout.write(`valid: ${config.files.length} file(s), ${config.manifests.length} manifest(s) (${kinds || 'none'})\n`);
          }
          return ExitCode.Ok;
        })(),
      ),
  );
}
