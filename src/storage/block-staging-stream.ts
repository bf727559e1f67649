import { createHash, randomBytes, type Hash } from 'node:crypto';
import { Writable } from 'node:stream';

/** Azure's limit on committed blocks per blob. */
export const MAX_BLOCKS = 50_000;
/** Block size doubles after every this many blocks (see {@link blockSizeAt}). */
export const BLOCKS_PER_SIZE_STEP = 10_000;
/** Azure's limit on one block (API 2019-12-12 and later). */
const MAX_BLOCK_SIZE = 4000 * 1024 * 1024;

export interface BlockStagingOptions {
  /** Size of the first 10,000 blocks; it doubles every 10,000 blocks after that. */
  blockSize: number;
  /** Upper bound on bytes being uploaded at once (at least one block is always allowed). */
  maxInFlightBytes: number;
  /** Uploads one block (Put Block). Rejections end the stream with that error. */
  stage: (blockId: string, body: Buffer) => Promise<void>;
}

/** What a finished stream staged, in commit order. */
export interface StagedBlocks {
  blockIds: string[];
  bytes: number;
  sha256: string;
}

/**
 * Size of block `index`: `base` for the first 10,000 blocks, then doubling every 10,000. With 8 MiB that is
 * about 78 GiB at 10,000 blocks and about 2.3 TiB at the 50,000-block limit, while small and medium objects keep
 * small blocks and memory stays near `maxInFlightBytes` + one block.
 */
export function blockSizeAt(base: number, index: number): number {
  return Math.min(base * 2 ** Math.floor(index / BLOCKS_PER_SIZE_STEP), MAX_BLOCK_SIZE);
}

/** Largest object a stream with this base block size can hold. */
export function maxObjectBytes(base: number): number {
  let total = 0;
  for (let step = 0; step * BLOCKS_PER_SIZE_STEP < MAX_BLOCKS; step++)
    total += blockSizeAt(base, step * BLOCKS_PER_SIZE_STEP) * BLOCKS_PER_SIZE_STEP;
  return total;
}

/**
 * A Writable that cuts its input into blocks and stages them (bounded parallel uploads), hashing and counting
 * as bytes pass. Backpressure holds the writer while the in-flight budget is used up, so memory is bounded
 * whatever the object's size. Block ids carry a random per-write part, so two writes to the same blob name never
 * overwrite each other's uncommitted blocks. Nothing here makes the blob visible: the caller commits the list.
 */
export class BlockStagingStream extends Writable {
  readonly #options: BlockStagingOptions;
  readonly #writeId = randomBytes(8).toString('hex');
  readonly #hash: Hash = createHash('sha256');
  readonly #blockIds: string[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  /** Block buffers whose upload finished, ready to be filled again (so blocks make no garbage). */
  #pool: Buffer[] = [];
  #chunks: Buffer[] = [];
  #buffered = 0;
  #bytes = 0;
  #inFlightBytes = 0;
  #failure?: Error;
  #staged?: StagedBlocks;

  constructor(options: BlockStagingOptions) {
    super({ highWaterMark: 256 * 1024 });
    if (!(options.blockSize > 0) || !(options.maxInFlightBytes > 0))
      throw new RangeError('blockSize and maxInFlightBytes must be positive');
    this.#options = options;
  }

  /** Set once the stream has finished: every block is staged. */
  get staged(): StagedBlocks | undefined {
    return this.#staged;
  }

  /** Highest number of bytes buffered or in flight at once so far (for tests and benchmarks). */
  peakBufferedBytes = 0;

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.#failure) return callback(this.#failure);
    this.#hash.update(chunk);
    this.#bytes += chunk.length;
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    this.#notePeak();
    if (this.#buffered < this.#currentBlockSize()) return callback();
    this.#stageFullBlocks(false).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    (async () => {
      await this.#stageFullBlocks(true);
      await Promise.all(this.#inFlight);
      if (this.#failure) throw this.#failure;
      this.#staged = { blockIds: [...this.#blockIds], bytes: this.#bytes, sha256: this.#hash.digest('hex') };
    })().then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#chunks = [];
    this.#pool = [];
    this.#buffered = 0;
    // Wait for uploads in progress, so that after abort() nothing of this write is still being sent.
    Promise.allSettled(this.#inFlight).then(() => callback(error));
  }

  #currentBlockSize(): number {
    return blockSizeAt(this.#options.blockSize, this.#blockIds.length);
  }

  async #stageFullBlocks(final: boolean): Promise<void> {
    while (this.#buffered >= this.#currentBlockSize() || (final && this.#buffered > 0)) {
      const size = Math.min(this.#buffered, this.#currentBlockSize());
      await this.#waitForRoom(size);
      if (this.#blockIds.length >= MAX_BLOCKS) {
        throw new Error(
          `object too large: more than ${maxObjectBytes(this.#options.blockSize)} bytes (${MAX_BLOCKS} blocks) with a ${this.#options.blockSize}-byte base block size`,
        );
      }
      this.#launch(this.#take(size), size);
    }
  }

  async #waitForRoom(size: number): Promise<void> {
    while (this.#inFlight.size > 0 && this.#inFlightBytes + size > this.#options.maxInFlightBytes) {
      await Promise.race(this.#inFlight);
    }
    if (this.#failure) throw this.#failure;
  }

  #launch(block: Buffer, size: number): void {
    const body = block.subarray(0, size);
    const index = this.#blockIds.length;
    const id = Buffer.from(`${this.#writeId}-${String(index).padStart(6, '0')}`).toString('base64');
    this.#blockIds.push(id);
    this.#inFlightBytes += body.length;
    const upload: Promise<void> = this.#options
      .stage(id, body)
      .catch((err: unknown) => {
        this.#failure ??= err instanceof Error ? err : new Error(String(err));
      })
      .finally(() => {
        this.#inFlight.delete(upload);
        this.#inFlightBytes -= body.length;
        if (
          block.length === this.#currentBlockSize() &&
          this.#pool.length < this.#options.maxInFlightBytes / block.length + 1
        )
          this.#pool.push(block);
      });
    this.#inFlight.add(upload);
    this.#notePeak();
  }

  /** Copies the next `size` buffered bytes into a block buffer (from the pool when one is free). */
  #take(size: number): Buffer {
    const blockSize = this.#currentBlockSize();
    let block: Buffer;
    if (size < blockSize) {
      block = Buffer.allocUnsafe(size); // the last block: exactly its size, never pooled
    } else {
      const pooled = this.#pool.pop();
      block = pooled && pooled.length === blockSize ? pooled : Buffer.allocUnsafe(blockSize);
    }
    let filled = 0;
    while (filled < size) {
      const chunk = this.#chunks[0]!;
      const n = Math.min(chunk.length, size - filled);
      chunk.copy(block, filled, 0, n);
      filled += n;
      if (n === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(n);
    }
    this.#buffered -= size;
    return block;
  }

  #notePeak(): void {
    this.peakBufferedBytes = Math.max(this.peakBufferedBytes, this.#buffered + this.#inFlightBytes);
  }
}
