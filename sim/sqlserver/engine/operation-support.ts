import { SqlError } from './sql-error.ts';

/** Resolves after `ms` (at once for 0), or early when `signal` aborts. */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Awaits `work`, then fails with SQL Server's 3204 if the client cancelled meanwhile. */
export async function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  const value = await work;
  if (signal.aborted) throw new SqlError(3204, 'The backup or restore was aborted.');
  return value;
}
