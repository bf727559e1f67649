import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import zlib from 'node:zlib';
import { BufferPool } from '../transport/buffer-pool.ts';
import { releaseArrayBuffer, type Release } from '../transport/release-buffer.ts';

/** zlib's output buffer: one holds a level-1 member of a 2 MiB block of JSON; at least Node's pool size. */
const OUTPUT_CHUNK = Math.max(512 * 1024, Buffer.poolSize);

/**
 * Compresses `block` as one gzip member on the thread pool. Like `zlib.gzip`, but zlib's output buffers (512
 * KiB each, usually one) are freed as soon as the member has been copied out of them, into a buffer from
 * `pool` when given: `zlib.gzip` leaves a 16 KiB buffer per 16 KiB of output to the garbage collector.
 */
export function gzipMember(block: Buffer, level: number, pool?: BufferPool): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunkSize = OUTPUT_CHUNK;
    const engine = zlib.createGzip({ level, chunkSize });
    const parts: Buffer[] = [];
    let bytes = 0;
    engine.on('data', (part: Buffer) => {
      parts.push(part);
      bytes += part.length;
    });
    engine.on('error', reject);
    engine.on('end', () => {
      const member = pool ? pool.take(bytes) : Buffer.allocUnsafeSlow(bytes);
      let at = 0;
      for (const part of parts) at += part.copy(member, at);
      // The engine has ended: nothing writes to or reads from its output buffers again.
      for (const ab of new Set(parts.map((p) => p.buffer))) releaseArrayBuffer(ab, chunkSize);
      resolve(member);
    });
    engine.end(block);
  });
}

/**
 * gzip on several threads: the data is cut into blocks, each block is compressed as a gzip member of its own on
 * the libuv thread pool (up to `parallel` at once), and the members are written to `out` in order. Concatenated
 * members are one valid gzip file (RFC 1952 §2.2) that gunzip, zcat and Node read whole. One zlib stream runs on
 * one thread and is what limits an export at line speed; blocks of a megabyte cost about 1% in size.
 * Four blocks in flight by default (the size of Node's thread pool): on two cores, fewer left the readers
 * waiting for the compressor (bench/results/cosmos-export.md).
 *
 * Memory: at most `parallel` blocks are compressing and one is filling, so the bytes held are bounded by about
 * (parallel + 1) × (blockBytes + one page) plus the members waiting for `out`. The input is released as soon as
 * it is compressed (a written chunk through its own release, a joined block here), zlib's output buffer once the
 * member is copied out, and the member once `out` has written it when `out` keeps no chunks, so none of them
 * waits for V8's garbage collector.
 */
export class ParallelGzip {
  readonly #out: Writable;
  readonly #level: number;
  readonly #parallel: number;
  readonly #blockBytes: number;
  readonly #releaseMembers: boolean;
  /** Joined blocks and members: (parallel + 1) of each in flight. */
  readonly #pool = new BufferPool({ maxIdleBytes: 16 * 1024 * 1024 });
  readonly #outDone: Promise<void>;
  #pending: { chunk: Buffer; release?: Release }[] = [];
  #pendingBytes = 0;
  #inFlight: Promise<Buffer>[] = [];
  #members = 0;
  #error: unknown;

  /** `releaseMembers`: `out` keeps no chunk once it has called back (StorageWrite.releasesChunks). */
  constructor(
    out: Writable,
    options: { level: number; parallel?: number; blockBytes?: number; releaseMembers?: boolean },
  ) {
    this.#out = out;
    this.#level = options.level;
    this.#parallel = Math.max(1, options.parallel ?? 4);
    this.#blockBytes = options.blockBytes ?? 1024 * 1024;
    this.#releaseMembers = options.releaseMembers ?? false;
    this.#outDone = finished(out).catch((err: unknown) => {
      this.#error ??= err;
      throw err;
    });
    this.#outDone.catch(() => undefined);
  }

  /** Appends `chunk`; `release` is called once its bytes are no longer needed (not after a failure). */
  async write(chunk: Buffer, release?: Release): Promise<void> {
    this.#check();
    this.#pending.push({ chunk, release });
    this.#pendingBytes += chunk.length;
    if (this.#pendingBytes >= this.#blockBytes) await this.#dispatch();
  }

  /** Compresses what is left (an empty member when nothing was written), writes every member, ends `out`. */
  async end(): Promise<void> {
    if (this.#pendingBytes > 0 || this.#members + this.#inFlight.length === 0) await this.#dispatch();
    while (this.#inFlight.length > 0) await this.#writeNext();
    this.#out.end();
    await this.#outDone;
  }

  destroy(): void {
    this.#error ??= new Error('the export stream was closed');
    this.#out.destroy();
  }

  async #dispatch(): Promise<void> {
    const pending = this.#pending;
    const bytes = this.#pendingBytes;
    this.#pending = [];
    this.#pendingBytes = 0;
    let block: Buffer;
    let consumed: Release | undefined;
    if (pending.length === 1) {
      block = pending[0]!.chunk;
      consumed = pending[0]!.release;
    } else {
      const joined = this.#pool.take(bytes);
      let at = 0;
      for (const p of pending) {
        at += p.chunk.copy(joined, at);
        p.release?.();
      }
      block = joined;
      consumed = () => this.#pool.give(joined);
    }
    const member = gzipMember(block, this.#level, this.#pool);
    // Once compressed the block is not read again; after a failure it is left to the garbage collector.
    member.then(consumed, () => undefined);
    this.#inFlight.push(member);
    while (this.#inFlight.length >= this.#parallel) await this.#writeNext();
  }

  async #writeNext(): Promise<void> {
    const member = await this.#inFlight.shift()!;
    this.#members++;
    this.#check();
    // Released once written, if `out` keeps no chunk after calling back (Azure's block stream gathers them).
    const release = this.#releaseMembers
      ? (err?: Error | null) => {
          if (!err) this.#pool.give(member);
        }
      : undefined;
    if (!this.#out.write(member, release)) await Promise.race([once(this.#out, 'drain'), this.#outDone]);
  }

  #check(): void {
    if (this.#error !== undefined) throw this.#error;
  }
}
