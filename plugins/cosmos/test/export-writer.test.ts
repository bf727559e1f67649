import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ExportWriter } from '../export/export-writer.ts';
import { ParallelGzip } from '../export/parallel-gzip.ts';
import type { ExportManifest } from '../export-manifest.ts';
import { exportKeys } from '../file-name.ts';
import { readExportLines } from '../restore/read-export-lines.ts';
import { tempStorage } from './cosmos-test-kit.ts';

const page = (from: number, to: number) =>
  Buffer.from(
    Array.from(
      { length: to - from },
      (_, i) => `${JSON.stringify({ id: `d${from + i}`, text: 'ünïcødé '.repeat((from + i) % 7) })}\n`,
    ).join(''),
  );

/** Writes 30 documents in three segments and returns what a manifest would say about the file. */
async function writeSegmented(compression: 'gzip' | 'zstd' | 'none') {
  const storage = tempStorage();
  const keys = exportKeys('acct/db/c/c_20260301_020000', compression);
  const writer = new ExportWriter({ storage, keys, compression });
  await writer.write(page(0, 10), 10);
  await writer.commitSegment();
  await writer.write(page(10, 25), 15);
  await writer.commitSegment();
  await writer.write(page(25, 30), 5);
  const { object, segments } = await writer.finish();
  const manifest = {
    data: {
      key: keys.data,
      format: 'jsonl',
      compression,
      documentCount: 30,
      bytesRaw: writer.rawBytes,
      bytesCompressed: object.bytes,
      sha256: object.sha256!,
      segments: segments.map((s) => ({ bytes: s.bytes, documents: s.documents, rawBytes: s.rawBytes })),
    },
  } as unknown as ExportManifest;
  return { storage, keys, object, segments, manifest };
}

describe('segmented export files', () => {
  it.each(['gzip', 'zstd', 'none'] as const)(
    '%s: three segments join into one data file that restore reads back line by line',
    async (compression) => {
      const { storage, keys, segments, manifest } = await writeSegmented(compression);
      expect(segments.map((s) => [s.key, s.documents])).toEqual([
        [keys.data, 10],
        [keys.part(1), 15],
        [keys.part(2), 5],
      ]);
      const lines: string[] = [];
      for await (const line of readExportLines(storage, manifest)) lines.push(line.text.toString('utf8'));
      expect(lines.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(
        Array.from({ length: 30 }, (_, i) => `d${i}`),
      );
      expect(readFileSync(path.join(storage.root, keys.data)).length).toBe(manifest.data.bytesCompressed);
    },
  );

  it('restore refuses a data file whose size or checksum does not match its manifest', async () => {
    const { storage, keys, manifest } = await writeSegmented('gzip');
    const wrongSize = {
      ...manifest,
      data: { ...manifest.data, bytesCompressed: manifest.data.bytesCompressed + 1 },
    };
    await expect(readExportLines(storage, wrongSize).next()).rejects.toThrow(
      /has \d+ bytes, its manifest says/,
    );
    const wrongSum = { ...manifest, data: { ...manifest.data, sha256: '0'.repeat(64) } };
    const read = async () => {
      for await (const _ of readExportLines(storage, wrongSum)) void _;
    };
    await expect(read()).rejects.toThrow(/does not match its manifest's sha256/);
    expect(
      readdirSync(path.dirname(path.join(storage.root, keys.data))).filter((f) => !f.startsWith('.')).length,
    ).toBeGreaterThan(0);
  });

  it('an aborted segment leaves nothing visible', async () => {
    const storage = tempStorage();
    const keys = exportKeys('x/y', 'gzip');
    const writer = new ExportWriter({ storage, keys, compression: 'gzip' });
    await writer.write(page(0, 5), 5);
    await writer.abort();
    const visible: string[] = [];
    for await (const o of storage.list('')) visible.push(o.key);
    expect(visible).toEqual([]);
  });
});

describe('ParallelGzip', () => {
  it('compresses blocks on several threads and writes the members in order: one valid gzip file', async () => {
    const chunks: Buffer[] = [];
    const out = new PassThrough();
    out.on('data', (c: Buffer) => chunks.push(c));
    const gz = new ParallelGzip(out, { level: 3, parallel: 3, blockBytes: 1000 });
    const input = Array.from({ length: 400 }, (_, i) =>
      Buffer.from(`${JSON.stringify({ id: i, pad: 'x'.repeat(i % 97) })}\n`),
    );
    for (const b of input) await gz.write(b);
    await gz.end();
    const joined = Buffer.concat(chunks);
    expect(gunzipSync(joined).toString()).toBe(Buffer.concat(input).toString());
    // Several members: each starts with the gzip magic bytes.
    expect(joined.indexOf(Buffer.from([0x1f, 0x8b, 0x08]), 10)).toBeGreaterThan(0);
  });

  it('writes an empty member when nothing was written, and reports a failing output', async () => {
    const chunks: Buffer[] = [];
    const out = new PassThrough();
    out.on('data', (c: Buffer) => chunks.push(c));
    const empty = new ParallelGzip(out, { level: 3 });
    await empty.end();
    expect(gunzipSync(Buffer.concat(chunks)).length).toBe(0);

    const broken = new Writable({ write: (_c, _e, cb) => cb(new Error('disk full')) });
    const gz = new ParallelGzip(broken, { level: 3, parallel: 1, blockBytes: 10 });
    await expect(
      (async () => {
        for (let i = 0; i < 20; i++) await gz.write(Buffer.from('some bytes to compress\n'));
        await gz.end();
      })(),
    ).rejects.toThrow('disk full');
  });
});
