import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const gzip = promisify(zlib.gzip);

/**
 * gzip on several threads: the data is cut into blocks, each block is compressed as a gzip member of its own on
 * the libuv thread pool (up to `parallel` at once), and the members are written to `out` in order. Concatenated
 * members are one valid gzip file (RFC 1952 §2.2) that gunzip, zcat and Node read whole. One zlib stream runs on
 * one thread and is what limits an export at line speed; blocks of a megabyte cost about 1% in size.
 * Four blocks in flight by default (the size of Node's thread pool): on two cores, fewer left the readers
 * waiting for the compressor (bench/results/cosmos-export.md).
 */
export class ParallelGzip {
  readonly #out: Writable;
  readonly #level: number;
  readonly #parallel: number;
  readonly #blockBytes: number;
  readonly #outDone: Promise<void>;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #inFlight: Promise<Buffer>[] = [];
  #members = 0;
  #error: unknown;

  constructor(out: Writable, options: { level: number; parallel?: number; blockBytes?: number }) {
    this.#out = out;
    this.#level = options.level;
    this.#parallel = Math.max(1, options.parallel ?? 4);
    this.#blockBytes = options.blockBytes ?? 1024 * 1024;
    this.#outDone = finished(out).catch((err: unknown) => {
      this.#error ??= err;
      throw err;
    });
    this.#outDone.catch(() => undefined);
  }

  async write(chunk: Buffer): Promise<void> {
    this.#check();
    this.#pending.push(chunk);
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
    const block = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending);
    this.#pending = [];
    this.#pendingBytes = 0;
    const member = gzip(block, { level: this.#level });
    member.catch(() => undefined);
    this.#inFlight.push(member);
    while (this.#inFlight.length >= this.#parallel) await this.#writeNext();
  }

  async #writeNext(): Promise<void> {
    const member = await this.#inFlight.shift()!;
    this.#members++;
    this.#check();
    if (!this.#out.write(member)) await Promise.race([once(this.#out, 'drain'), this.#outDone]);
  }

  #check(): void {
    if (this.#error !== undefined) throw this.#error;
  }
}
