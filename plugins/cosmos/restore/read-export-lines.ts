import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { ErrorCode, HoldfastError } from '../../../src/core/errors.ts';
import type { StorageTarget } from '../../../src/storage/contract.ts';
import type { ExportManifest } from '../export-manifest.ts';

export interface ExportLine {
  /** 1-based line number in the data file. */
  line: number;
  text: Buffer;
}

/**
 * Streams the documents of an export, one JSON text per line, checking the file against its manifest: the size
 * before reading, the sha256 and the line count at the end (a mismatch throws then). Each segment is decompressed
 * on its own (Node's zstd reads one frame per stream; gzip members would also do concatenated).
 */
export async function* readExportLines(
  storage: StorageTarget,
  manifest: ExportManifest,
): AsyncGenerator<ExportLine> {
  const { key, bytesCompressed, sha256, segments, compression, documentCount } = manifest.data;
  const stat = await storage.stat(key);
  if (!stat)
    throw new HoldfastError(ErrorCode.NotFound, `the export's data file ${storage.name}:${key} is missing`);
  if (stat.bytes !== bytesCompressed) {
    throw new HoldfastError(
      ErrorCode.InputInvalid,
      `the export's data file ${storage.name}:${key} has ${stat.bytes} bytes, its manifest says ${bytesCompressed}: refusing to restore from it`,
    );
  }
  const source = (await storage.read(key))[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const hash = createHash('sha256');
  let leftover: Buffer | undefined;
  async function* take(n: number): AsyncGenerator<Buffer> {
    let remaining = n;
    while (remaining > 0) {
      let chunk = leftover;
      leftover = undefined;
      if (!chunk) {
        const next = await source.next();
        if (next.done)
          throw new HoldfastError(ErrorCode.InputInvalid, `the export's data file ${key} ended early`);
        chunk = next.value;
      }
      if (chunk.length > remaining) {
        leftover = chunk.subarray(remaining);
        chunk = chunk.subarray(0, remaining);
      }
      hash.update(chunk);
      remaining -= chunk.length;
      yield chunk;
    }
  }

  let line = 0;
  let partial: Buffer | undefined;
  for (const segment of segments) {
    const bytes = Readable.from(take(segment.bytes), { objectMode: false });
    const decompressor =
      compression === 'gzip'
        ? zlib.createGunzip()
        : compression === 'zstd'
          ? zlib.createZstdDecompress()
          : undefined;
    let output: AsyncIterable<Buffer> = bytes;
    if (decompressor) {
      bytes.on('error', (err) => decompressor.destroy(err));
      bytes.pipe(decompressor);
      output = decompressor;
    }
    for await (const chunk of output) {
      let data = partial ? Buffer.concat([partial, chunk]) : chunk;
      partial = undefined;
      for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a)) {
        line++;
        yield { line, text: data.subarray(0, nl) };
        data = data.subarray(nl + 1);
      }
      if (data.length > 0) partial = data;
    }
  }
  if (partial && partial.length > 0) {
    line++;
    yield { line, text: partial };
  }
  const extra = leftover ?? (await source.next()).value;
  if (extra && extra.length > 0)
    throw new HoldfastError(
      ErrorCode.InputInvalid,
      `the export's data file ${key} is longer than its segments`,
    );
  const actual = hash.digest('hex');
  if (actual !== sha256) {
    throw new HoldfastError(
      ErrorCode.VerificationFailed,
      `the export's data file ${key} does not match its manifest's sha256 (${actual} != ${sha256}); the restored documents may be damaged`,
    );
  }
  if (line !== documentCount) {
    throw new HoldfastError(
      ErrorCode.VerificationFailed,
      `the export's data file ${key} holds ${line} lines, its manifest says ${documentCount} documents`,
    );
  }
}
