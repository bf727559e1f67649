/**
 * Gives the memory behind `buf` back now, instead of when V8 next runs a full garbage collection.
 *
 * Why an export needs this: every page passes through several buffers (Node's socket reads, the HTTP parser's
 * copy of the body, the page itself, gzip blocks) that live for milliseconds, but V8 frees an ArrayBuffer only
 * when the collector finds it dead, and with little JavaScript allocation that is the full collection V8 starts
 * once external memory has grown by some 64 MB. At line speed that kept 60–80 MB of dead page buffers in the
 * process (bench/results/cosmos-export.md). Detaching the ArrayBuffer (`transfer(0)`) frees its memory at once.
 *
 * Only a buffer that spans its whole ArrayBuffer is released: that is never a slice of Node's shared pool
 * (pool slices are smaller than half the pool) nor a view into someone else's larger buffer. The caller asserts
 * that it owns the buffer and that nothing reads it afterwards (views of a detached buffer are empty).
 */
export function releaseBuffer(buf: Uint8Array): void {
  const ab = buf.buffer;
  if (
    ab instanceof ArrayBuffer &&
    !ab.detached &&
    ab.byteLength > 0 &&
    buf.byteOffset === 0 &&
    buf.byteLength === ab.byteLength
  )
    ab.transfer(0);
}

/**
 * Frees an ArrayBuffer the caller owns entirely though it only holds views of it (e.g. a zlib engine's output
 * buffer), provided it has the size the owner allocated (`expectedBytes`, which must be at least half of Node's
 * pool size so that the allocation was not cut from the shared pool).
 */
export function releaseArrayBuffer(ab: ArrayBufferLike, expectedBytes: number): void {
  if (
    ab instanceof ArrayBuffer &&
    !ab.detached &&
    ab.byteLength === expectedBytes &&
    expectedBytes >= Buffer.poolSize >>> 1
  )
    ab.transfer(0);
}

/** Frees the memory behind a buffer that was handed on; called once its bytes have been consumed. */
export type Release = () => void;
