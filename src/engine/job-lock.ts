import { mkdirSync, openSync, closeSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode, HoldfastError } from '../core/errors.ts';

/**
 * One run of a job at a time, across processes: a lock file created with O_EXCL holding the pid.
 * A lock whose process is gone is stale and taken over.
 */
export class JobLock {
  readonly #files: string[] = [];

  static acquire(dir: string, jobs: readonly string[]): JobLock {
    const lock = new JobLock();
    mkdirSync(dir, { recursive: true });
    try {
      for (const job of [...jobs].sort()) lock.#take(path.join(dir, `${job}.lock`), job);
    } catch (err) {
      lock.release();
      throw err;
    }
    return lock;
  }

  #take(file: string, job: string): void {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(file, 'wx');
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        this.#files.push(file);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
        if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
          throw new HoldfastError(ErrorCode.AlreadyRunning, `job ${job} is already running (process ${pid} holds ${file})`, { job });
        }
        unlinkSync(file); // stale: its process is gone
      }
    }
    throw new HoldfastError(ErrorCode.AlreadyRunning, `could not take the lock for job ${job} (${file})`, { job });
  }

  release(): void {
    for (const f of this.#files.splice(0)) {
      try {
        unlinkSync(f);
      } catch {
        /* already gone */
      }
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
