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
 * as bytes pass. Each chunk is copied into the block being filled before its write calls back, so the stream
 * keeps no chunk afterwards (the writer may free or reuse it: StorageWrite.releasesChunks). Backpressure holds
 * the writer while the in-flight budget is used up, so memory is bounded whatever the object's size: the block
 * being filled plus `maxInFlightBytes`, in block buffers that are reused. Block ids carry a random per-write
 * part, so two writes to the same blob name never overwrite each other's uncommitted blocks. Nothing here makes
 * the blob visible: the caller commits the list.
 */
export class BlockStagingStream extends Writable {
  readonly #options: BlockStagingOptions;
  readonly #writeId = randomBytes(8).toString('hex');
  readonly #hash: Hash = createHash('sha256');
  readonly #blockIds: string[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  /** Block buffers whose upload finished, ready to be filled again (so blocks make no garbage). */
  #pool: Buffer[] = [];
  /** The block being filled, and how much of it is. */
  #current?: Buffer;
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
    let at = 0;
    // Copies into the current block; stages it when full. Synchronous until a full block must wait for room.
    const fill = (): Promise<void> | undefined => {
      while (at < chunk.length) {
        this.#current ??= this.#newBlock();
        const n = chunk.copy(this.#current, this.#buffered, at);
        this.#buffered += n;
        at += n;
        this.#notePeak();
        if (this.#buffered === this.#current.length) return this.#stageCurrent().then(fill);
      }
      return undefined;
    };
    try {
      const waiting = fill();
      if (!waiting) return callback();
      waiting.then(() => callback(), callback);
    } catch (err) {
      callback(err as Error);
    }
  }

  override _final(callback: (error?: Error | null) => void): void {
    (async () => {
      if (this.#buffered > 0) await this.#stageCurrent();
      await Promise.all(this.#inFlight);
      if (this.#failure) throw this.#failure;
      this.#staged = { blockIds: [...this.#blockIds], bytes: this.#bytes, sha256: this.#hash.digest('hex') };
    })().then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#current = undefined;
    this.#pool = [];
    this.#buffered = 0;
    // Wait for uploads in progress, so that after abort() nothing of this write is still being sent.
    Promise.allSettled(this.#inFlight).then(() => callback(error));
  }

  #currentBlockSize(): number {
    return blockSizeAt(this.#options.blockSize, this.#blockIds.length);
  }

  /** Stages the current block (full, or the last one): waits for room in the in-flight budget first. */
  async #stageCurrent(): Promise<void> {
    const size = this.#buffered;
    await this.#waitForRoom(size);
    if (this.#blockIds.length >= MAX_BLOCKS) {
      throw new Error(
        `object too large: more than ${maxObjectBytes(this.#options.blockSize)} bytes (${MAX_BLOCKS} blocks) with a ${this.#options.blockSize}-byte base block size`,
      );
    }
    const block = this.#current!;
    this.#current = undefined;
    this.#buffered = 0;
    this.#launch(block, size);
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

  /** A buffer for the next block: a free one from the pool when it has the size, else a new one. */
  #newBlock(): Buffer {
    const blockSize = this.#currentBlockSize();
    const pooled = this.#pool.pop();
    return pooled && pooled.length === blockSize ? pooled : Buffer.allocUnsafe(blockSize);
  }

  #notePeak(): void {
    this.peakBufferedBytes = Math.max(this.peakBufferedBytes, this.#buffered + this.#inFlightBytes);
  }
}
