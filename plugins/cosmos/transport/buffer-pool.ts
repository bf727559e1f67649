/**
 * Page-sized buffers reused instead of allocated and freed for every page. Freeing them at once (see
 * releaseBuffer) keeps dead pages from piling up until V8's next full collection, but allocating and freeing
 * megabyte buffers of ever different sizes fragments the C heap: over a million documents the process grew by
 * some 30 MB that way. Buffers handed back here are kept (up to `maxIdleBytes`) and handed out again for the
 * next page of the same or a smaller size, so the bytes an export holds stay those of the pages in flight.
 *
 * Sizes are rounded up to `granule` so that pages of nearly the same size share buffers. Once the pool has not
 * been used for `idleMs` (an export ended), its idle buffers are freed: a long-running `holdfast serve` keeps its
 * Cosmos connections between runs and must not keep their pages too.
 */
export class BufferPool {
  readonly #idle: ArrayBuffer[] = [];
  #idleBytes = 0;
  readonly #maxIdleBytes: number;
  readonly #granule: number;
  readonly #idleMs: number;
  #lastUse = 0;
  #trimTimer: NodeJS.Timeout | undefined;

  constructor(options: { maxIdleBytes: number; granule?: number; idleMs?: number }) {
    this.#maxIdleBytes = options.maxIdleBytes;
    this.#granule = options.granule ?? 64 * 1024;
    this.#idleMs = options.idleMs ?? 2000;
  }

  /** Frees every idle buffer now. */
  clear(): void {
    for (const ab of this.#idle.splice(0)) ab.transfer(0);
    this.#idleBytes = 0;
    clearTimeout(this.#trimTimer);
    this.#trimTimer = undefined;
  }

  #scheduleTrim(): void {
    this.#lastUse = performance.now();
    if (this.#trimTimer || this.#idle.length === 0) return;
    const check = () => {
      const quiet = performance.now() - this.#lastUse;
      if (quiet >= this.#idleMs) this.clear();
      else this.#trimTimer = setTimeout(check, this.#idleMs - quiet).unref();
    };
    this.#trimTimer = setTimeout(check, this.#idleMs).unref();
  }

  /** Bytes kept for reuse (for tests and benchmarks). */
  get idleBytes(): number {
    return this.#idleBytes;
  }

  /** An uninitialised buffer of exactly `bytes`, a view of a pooled ArrayBuffer of at least that size. */
  take(bytes: number): Buffer {
    const need = Math.max(this.#granule, Math.ceil(bytes / this.#granule) * this.#granule);
    let best = -1;
    for (let i = 0; i < this.#idle.length; i++) {
      const size = this.#idle[i]!.byteLength;
      if (size >= need && (best < 0 || size < this.#idle[best]!.byteLength)) best = i;
    }
    let ab: ArrayBuffer;
    this.#lastUse = performance.now();
    if (best >= 0) {
      ab = this.#idle.splice(best, 1)[0]!;
      this.#idleBytes -= ab.byteLength;
    } else {
      ab = Buffer.allocUnsafeSlow(need).buffer as ArrayBuffer;
    }
    return Buffer.from(ab, 0, bytes);
  }

  /**
   * Takes back a buffer from {@link take} once nothing reads it any more (its next user overwrites it); beyond
   * `maxIdleBytes` its memory is freed instead.
   */
  give(buf: Buffer): void {
    const ab = buf.buffer;
    // Not ours, or given back twice (it would then be handed to two users at once).
    if (!(ab instanceof ArrayBuffer) || ab.detached || ab.byteLength < this.#granule) return;
    if (this.#idle.includes(ab)) return;
    if (this.#idleBytes + ab.byteLength <= this.#maxIdleBytes) {
      this.#idle.push(ab);
      this.#idleBytes += ab.byteLength;
      this.#scheduleTrim();
    } else {
      ab.transfer(0);
    }
  }
}
