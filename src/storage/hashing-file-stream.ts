import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { unlink } from 'node:fs/promises';
import { Writable } from 'node:stream';

/** What a finished {@link HashingFileStream} wrote, and the identity of the file it wrote it to. */
export interface WrittenFile {
  bytes: number;
  sha256: string;
  /** Inode number and modification time (ns) after the last write: they survive a rename. */
  ino: bigint;
  mtimeNs: bigint;
}

/**
 * A Writable over an open file: hashes (sha256) and counts bytes as they pass, fsyncs and closes the file
 * when ended. If it is destroyed before finishing (an error, or the source failed), it closes and removes
 * the file, so a failed write leaves nothing behind even if nobody calls abort.
 */
export class HashingFileStream extends Writable {
  readonly #file: FileHandle;
  readonly #path: string;
  readonly #hash: Hash = createHash('sha256');
  #bytes = 0;
  #closed = false;
  #written?: WrittenFile;

  constructor(file: FileHandle, filePath: string, highWaterMark = 1024 * 1024) {
    super({ highWaterMark });
    this.#file = file;
    this.#path = filePath;
  }

  /** Set once the stream has finished: everything is on disk and the file is closed. */
  get written(): WrittenFile | undefined {
    return this.#written;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#writeAll([chunk]).then(() => callback(), callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.#writeAll(chunks.map((c) => c.chunk)).then(() => callback(), callback);
  }

  async #writeAll(buffers: Buffer[]): Promise<void> {
    for (const b of buffers) {
      this.#hash.update(b);
      this.#bytes += b.length;
    }
    let pending = buffers;
    while (pending.length > 0) {
      const total = pending.reduce((n, b) => n + b.length, 0);
      const { bytesWritten } = await this.#file.writev(pending);
      if (bytesWritten >= total) return;
      pending = skipBytes(pending, bytesWritten);
    }
  }

  override _final(callback: (error?: Error | null) => void): void {
    (async () => {
      await this.#file.sync();
      const st = await this.#file.stat({ bigint: true });
      this.#closed = true;
      await this.#file.close();
      this.#written = {
        bytes: this.#bytes,
        sha256: this.#hash.digest('hex'),
        ino: st.ino,
        mtimeNs: st.mtimeNs,
      };
    })().then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const failed = this.#written === undefined;
    (async () => {
      if (!this.#closed) {
        this.#closed = true;
        await this.#file.close().catch(() => undefined);
      }
      if (failed) await unlink(this.#path).catch(() => undefined);
    })().then(
      () => callback(error),
      () => callback(error),
    );
  }
}

function skipBytes(buffers: Buffer[], count: number): Buffer[] {
  const out: Buffer[] = [];
  let skip = count;
  for (const b of buffers) {
    if (skip >= b.length) {
      skip -= b.length;
      continue;
    }
    out.push(skip > 0 ? b.subarray(skip) : b);
    skip = 0;
  }
  return out;
}
