/**
 * Log sequence numbers as SQL Server shows them: numeric(25,0) whose decimal digits are
 * `<VLF sequence><log block offset, 10 digits><slot, 5 digits>`, e.g. 34000000012300001 is VLF 34,
 * block 123, slot 1. Internally a bigint; at the edge (msdb, result sets, files) a decimal string.
 */
export type Lsn = bigint;

const BLOCK_FACTOR = 10n ** 5n;
const VLF_FACTOR = 10n ** 15n;

export function makeLsn(vlf: number, block: number, slot: number): Lsn {
  return BigInt(vlf) * VLF_FACTOR + BigInt(block) * BLOCK_FACTOR + BigInt(slot);
}

export function splitLsn(lsn: Lsn): { vlf: number; block: number; slot: number } {
  return {
    vlf: Number(lsn / VLF_FACTOR),
    block: Number((lsn % VLF_FACTOR) / BLOCK_FACTOR),
    slot: Number(lsn % BLOCK_FACTOR),
  };
}

export function formatLsn(lsn: Lsn): string;
export function formatLsn(lsn: Lsn | null | undefined): string | null;
export function formatLsn(lsn: Lsn | null | undefined): string | null {
  return lsn === null || lsn === undefined ? null : lsn.toString();
}

/** Parses the decimal text form; throws on anything but digits. */
export function parseLsn(text: string): Lsn {
  if (!/^\d{1,25}$/.test(text))
    throw new Error(`not an LSN (numeric(25,0) digits expected): ${JSON.stringify(text)}`);
  return BigInt(text);
}

export function parseOptionalLsn(text: string | null | undefined): Lsn | null {
  return text === null || text === undefined ? null : parseLsn(text);
}

export function maxLsn(a: Lsn, b: Lsn): Lsn {
  return a > b ? a : b;
}

export function minLsn(values: Iterable<Lsn>): Lsn | null {
  let min: Lsn | null = null;
  for (const v of values) if (min === null || v < min) min = v;
  return min;
}

/** 64 MB virtual log files of 512-byte blocks; block offsets inside a VLF start after its header. */
const BLOCKS_PER_VLF = 131_072;
const FIRST_BLOCK = 16;
const SLOTS_PER_BLOCK = 60;

/**
 * The end of a database's log: hands out the LSN of each new log record. Small records share a
 * log block (slot + 1); a write of many bytes moves the block offset by its size in 512-byte
 * blocks, and crossing the end of a VLF starts the next one.
 */
export class LogCursor {
  #vlf: number;
  #block: number;
  #slot: number;

  constructor(start: Lsn) {
    const { vlf, block, slot } = splitLsn(start);
    if (vlf < 1 || slot < 1)
      throw new Error(`LogCursor: ${start} is not a usable LSN (VLF and slot start at 1)`);
    this.#vlf = vlf;
    this.#block = block;
    this.#slot = slot;
  }

  /** The LSN the next log record will get (what SQL Server calls the end of the log). */
  get next(): Lsn {
    return makeLsn(this.#vlf, this.#block, this.#slot);
  }

  /** Appends one small record (checkpoint, file-state change, begin/end of a backup) and returns its LSN. */
  appendRecord(): Lsn {
    const lsn = this.next;
    this.#slot += 1;
    if (this.#slot > SLOTS_PER_BLOCK) this.#moveBlocks(1);
    return lsn;
  }

  /** Appends the log of a data change of `bytes` bytes and returns the LSN of its first record. */
  appendBytes(bytes: number): Lsn {
    const lsn = this.next;
    const blocks = Math.max(1, Math.ceil(bytes / 512));
    this.#moveBlocks(blocks);
    return lsn;
  }

  #moveBlocks(blocks: number): void {
    let block = this.#block + blocks;
    while (block >= FIRST_BLOCK + BLOCKS_PER_VLF) {
      block -= BLOCKS_PER_VLF;
      this.#vlf += 1;
    }
    this.#block = Math.max(block, FIRST_BLOCK);
    this.#slot = 1;
  }
}
