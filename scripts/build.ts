/**
 * Builds the compiled form of holdfast that services run (the container image, systemd, Kubernetes):
 *
 *   npm run build                 # into dist/
 *   node scripts/build.ts OUT     # into OUT (tests build into a temp dir)
 *
 * OUT mirrors the repository's runnable parts: bin/holdfast.js, src/ and plugins/ as JavaScript, templates/ and
 * package.json. Packages resolve from the node_modules beside OUT (or above it), as they do for the sources.
 * Why: `npx holdfast` runs the TypeScript sources through Node's type stripping, which costs every start about
 * 0.2 s and 30 MB (the stripper itself and the stripped text); a long-running service should not pay that
 * (bench/results/serve.md). The compiled tree behaves the same: the test suite runs commands from it
 * (test/build/compiled.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');

export function build(outDir: string): void {
  const out = path.resolve(outDir);
  rmSync(out, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      path.join(ROOT, 'tsconfig.build.json'),
      '--outDir',
      out,
    ],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
  cpSync(path.join(ROOT, 'templates'), path.join(out, 'templates'), { recursive: true });
  cpSync(path.join(ROOT, 'package.json'), path.join(out, 'package.json'));
  const bin = readFileSync(path.join(ROOT, 'bin', 'holdfast.js'), 'utf8');
  const compiledBin = bin
    .replace("from '../src/cli/main.ts'", "from '../src/cli/main.js'")
    .replace(
      /^\/\/ holdfast's command line\..*$/m,
      "// holdfast's command line, compiled by scripts/build.ts (npm run build).",
    );
  if (!compiledBin.includes("'../src/cli/main.js'"))
    throw new Error(
      'scripts/build.ts: bin/holdfast.js no longer imports ../src/cli/main.ts; update the build',
    );
  mkdirSync(path.join(out, 'bin'), { recursive: true });
  writeFileSync(path.join(out, 'bin', 'holdfast.js'), compiledBin, { mode: 0o755 });
}

if (import.meta.main) {
  const out = process.argv[2] ?? path.join(ROOT, 'dist');
  build(out);
  process.stdout.write(
    `built ${path.relative(process.cwd(), out) || '.'}: run it with node ${path.join(path.relative(process.cwd(), out) || '.', 'bin', 'holdfast.js')}\n`,
  );
}
