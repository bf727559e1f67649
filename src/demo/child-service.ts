import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';

export interface ChildService {
  name: string;
  port: number;
  /** Stops the process (SIGTERM, then SIGKILL after 5 s). Safe to call twice. */
  stop(): Promise<void>;
}

/** Resolves when something accepts TCP connections on host:port. */
export async function waitForPort(host: string, port: number, timeoutMs: number, child?: ChildProcess, output?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`exited with code ${child.exitCode} before listening on ${host}:${port}\n${output?.() ?? ''}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms\n${output?.() ?? ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Fails clearly when a fixed port the demo needs is already taken. */
export async function requireFreePort(host: string, port: number, what: string): Promise<void> {
  const taken = await new Promise<boolean>((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
  if (taken) throw new Error(`port ${host}:${port}, needed for ${what}, is already in use (stop what listens there, or another holdfast demo)`);
}

/**
 * Starts a helper program (an emulator, the simulator) as a child process with this Node, waits until it
 * listens, and returns a handle that stops it. Its output is kept for error messages only.
 */
export async function startChildService(options: { name: string; args: string[]; port: number; host?: string; cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<ChildService> {
  const host = options.host ?? '127.0.0.1';
  await requireFreePort(host, options.port, options.name);
  const child = spawn(process.execPath, options.args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitForPort(host, options.port, options.timeoutMs ?? 30_000, child, () => output);
  } catch (err) {
    await stop();
    throw new Error(`${options.name}: ${(err as Error).message}`, { cause: err });
  }
  return { name: options.name, port: options.port, stop };
}
