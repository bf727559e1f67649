import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
export const AZURITE_ACCOUNT_NAME = 'devstoreaccount1';
export const AZURITE_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface Azurite {
  /** `http://127.0.0.1:<port>/devstoreaccount1` */
  blobEndpoint: string;
  connectionString: string;
  accountName: string;
  accountKey: string;
  port: number;
  /** Stops Azurite and removes its data directory. Safe to call more than once. */
  stop(): Promise<void>;
}

const ROOT = path.resolve(import.meta.dirname, '../..');
const AZURITE_BLOB = path.join(ROOT, 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js');
const LISTENING = /successfully listens on (http:\/\/[^\s]+)/;

/**
 * Starts Azurite's blob service from node_modules with this Node (24 under vitest) on a free loopback port
 * (port 0: the OS picks, Azurite prints the one it got), with its data in a fresh temp directory.
 * Resolves once it listens; rejects with its output if it exits or does not start within `timeoutMs`.
 */
export async function startAzurite(options: { timeoutMs?: number } = {}): Promise<Azurite> {
  const location = await mkdtemp(path.join(tmpdir(), 'holdfast-azurite-'));
  const child = spawn(
    process.execPath,
    [
      AZURITE_BLOB,
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      '0',
      '--location',
      location,
      '--skipApiVersionCheck',
      '--disableTelemetry',
      '--silent',
    ],
    { cwd: location, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let output = '';
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`Azurite did not start within ${options.timeoutMs ?? 20_000} ms:\n${output}`)),
        options.timeoutMs ?? 20_000,
      );
      const onData = (data: Buffer) => {
        output += data.toString();
        const m = LISTENING.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(Number(new URL(m[1]!).port));
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`Azurite exited (${code ?? signal}) before it listened:\n${output}`));
      });
    });
  } catch (err) {
    await stopProcess(child);
    process.removeListener('exit', killOnExit);
    await rm(location, { recursive: true, force: true });
    throw err;
  }
  // Keep draining its output so a full pipe never blocks it.
  child.stdout!.resume();
  child.stderr!.resume();

  const blobEndpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT_NAME}`;
  let stopped: Promise<void> | undefined;
  return {
    blobEndpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT_NAME};AccountKey=${AZURITE_ACCOUNT_KEY};BlobEndpoint=${blobEndpoint};`,
    accountName: AZURITE_ACCOUNT_NAME,
    accountKey: AZURITE_ACCOUNT_KEY,
    port,
    stop() {
      stopped ??= (async () => {
        await stopProcess(child);
        process.removeListener('exit', killOnExit);
        await rm(location, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

/** SIGTERM (Azurite closes cleanly), then SIGKILL after 5 s. */
async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
