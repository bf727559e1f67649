/** Where a command writes: data to stdout, messages to stderr. Injected so tests can capture both. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/** Colour only on a TTY and never with NO_COLOR set (https://no-color.org). */
export function colors(io: CliIo): { red(s: string): string; green(s: string): string; yellow(s: string): string; dim(s: string): string; bold(s: string): string } {
  const on = Boolean(io.stderr.isTTY) && !('NO_COLOR' in io.env) && io.env.TERM !== 'dumb';
  const wrap = (code: number, end: number) => (s: string) => (on ? `\u001b[${code}m${s}\u001b[${end}m` : s);
  return { red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), dim: wrap(2, 22), bold: wrap(1, 22) };
}
