import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { gunzipSync, gzipSync, zstdDecompressSync } from 'node:zlib';
import { createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportWriter } from '../export/export-writer.ts';
import { gzipMember, ParallelGzip } from '../export/parallel-gzip.ts';
import { exportKeys } from '../file-name.ts';
import { createCosmosHttpClient, PageCapture, withPageCapture } from '../transport/cosmos-http-client.ts';
import { releaseArrayBuffer, releaseBuffer } from '../transport/release-buffer.ts';
import { tempStorage } from './cosmos-test-kit.ts';

/** A buffer of its own (not cut from Node's pool), as the transport allocates pages. */
const own = (text: string) => {
  const b = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  b.write(text);
  return b;
};

describe('releaseBuffer', () => {
  it('frees a buffer that is its whole ArrayBuffer, and leaves pool slices and views alone', () => {
    const whole = own('x'.repeat(100_000));
    releaseBuffer(whole);
    expect(whole.length).toBe(0);
    expect(() => releaseBuffer(whole)).not.toThrow();

    const pooled = Buffer.from('small, cut from the shared pool');
    const neighbour = Buffer.from('another slice of the same pool');
    releaseBuffer(pooled);
    expect(pooled.toString()).toBe('small, cut from the shared pool');
    expect(neighbour.toString()).toBe('another slice of the same pool');

    const big = own('y'.repeat(100_000));
    const view = big.subarray(10, 20);
    releaseBuffer(view);
    expect(big.length).toBe(100_000);
    releaseArrayBuffer(big.buffer, 99);
    expect(big.length).toBe(100_000);
    releaseArrayBuffer(big.buffer, 100_000);
    expect(big.length).toBe(0);
  });
});

describe('gzip members and ParallelGzip release what they have consumed', () => {
  it('gzipMember is one valid gzip member for compressible, incompressible and empty input', async () => {
    const text = Buffer.from(
      Array.from({ length: 20_000 }, (_, i) => `{"id":"d${i}","n":${i % 97}}\n`).join(''),
    );
    const noise = randomBytes(3 * 1024 * 1024);
    for (const input of [text, noise, Buffer.alloc(0)]) {
      const member = await gzipMember(input, 1);
      expect(gunzipSync(member).equals(input)).toBe(true);
      expect(member.byteOffset).toBe(0);
      expect(member.byteLength).toBe(member.buffer.byteLength);
    }
    // Same format as zlib's own gzip (a member per block).
    expect(gunzipSync(Buffer.concat([await gzipMember(text, 6), gzipSync(text)])).length).toBe(
      2 * text.length,
    );
  });

  it('calls each chunk release after its block is compressed, and reuses members only for storage that says it may', async () => {
    for (const releaseMembers of [false, true]) {
      const written: Buffer[] = [];
      const memberBuffers: ArrayBufferLike[] = [];
      const out = new Writable({
        highWaterMark: 1,
        write(chunk: Buffer, _e, cb) {
          written.push(Buffer.from(chunk)); // a copy: the stream keeps nothing
          memberBuffers.push(chunk.buffer);
          setImmediate(() => cb());
        },
      });
      const gz = new ParallelGzip(out, { level: 1, parallel: 2, blockBytes: 50_000, releaseMembers });
      const input: string[] = [];
      let released = 0;
      for (let i = 0; i < 40; i++) {
        const text = Array.from({ length: 300 }, (_, k) => `{"id":"p${i}-${k}"}\n`).join('');
        input.push(text);
        const chunk = own(text);
        await gz.write(chunk, () => {
          released++;
          releaseBuffer(chunk);
        });
      }
      await gz.end();
      expect(released).toBe(40);
      expect(gunzipSync(Buffer.concat(written)).toString()).toBe(input.join(''));
      const reused = new Set(memberBuffers).size < memberBuffers.length;
      expect(reused).toBe(releaseMembers);
    }
  });

  it('an export written with releases reads back whole (gzip, zstd, none, local storage)', async () => {
    for (const compression of ['gzip', 'zstd', 'none'] as const) {
      const storage = tempStorage();
      const keys = exportKeys('acct/db/c/c_20260301_020000', compression);
      const writer = new ExportWriter({ storage, keys, compression });
      const docs: string[] = [];
      for (let p = 0; p < 30; p++) {
        const lines = Array.from({ length: 500 }, (_, i) => JSON.stringify({ id: `d${p}-${i}`, v: i }));
        docs.push(...lines);
        const chunk = own(`${lines.join('\n')}\n`);
        await writer.write(chunk, lines.length, () => releaseBuffer(chunk));
        // Node's zstd reader stops after the first frame, so zstd is checked as one segment.
        if (p === 14 && compression !== 'zstd') await writer.commitSegment();
      }
      const { object } = await writer.finish();
      const stored = Buffer.concat(await (await storage.read(object.key)).toArray());
      const raw =
        compression === 'gzip'
          ? gunzipSync(stored)
          : compression === 'zstd'
            ? zstdDecompressSync(stored)
            : stored;
      expect(raw.toString()).toBe(`${docs.join('\n')}\n`);
    }
  });
});

describe('the transport releases the buffers it reads', () => {
  let server: http.Server;
  let endpoint = '';
  const pages = new Map<string, Buffer>();
  beforeAll(async () => {
    for (const n of [0, 1, 3, 700, 2500]) {
      const docs = Array.from(
        { length: n },
        (_, i) => `{"id":"doc-${n}-${i}","pad":"${'é'.repeat(i % 50)}"}`,
      );
      pages.set(String(n), Buffer.from(`{"_rid":"r","Documents":[${docs.join(',')}],"_count":${n}}`));
    }
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const body = pages.get(url.searchParams.get('n') ?? '0')!;
      const mode = url.searchParams.get('mode');
      if (mode === 'gzip') {
        const z = gzipSync(body);
        res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': z.length }).end(z);
      } else if (mode === 'chunked') {
        res.writeHead(200, { 'content-type': 'application/json' });
        for (let i = 0; i < body.length; i += 10_000) res.write(body.subarray(i, i + 10_000));
        res.end();
      } else res.writeHead(200, { 'content-length': body.length }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('keeps every response whole over reused keep-alive sockets (plain, chunked, gzip; captured or not)', async () => {
    const client = createCosmosHttpClient({ maxSockets: 2 });
    try {
      const send = (n: string, mode: string, capture?: PageCapture) => {
        const request = createPipelineRequest({
          url: `${endpoint}/dbs/d/colls/c/docs?n=${n}&mode=${mode}`,
          method: 'GET',
          headers: createHttpHeaders({ 'a-im': 'Incremental feed' }),
        });
        return capture
          ? withPageCapture(capture, () => client.sendRequest(request))
          : client.sendRequest(request);
      };
      const jobs: Promise<void>[] = [];
      for (let round = 0; round < 6; round++) {
        for (const n of pages.keys()) {
          for (const mode of ['plain', 'chunked', 'gzip']) {
            jobs.push(
              (async () => {
                const expected = pages.get(n)!.toString();
                const plain = await send(n, mode);
                expect(plain.bodyAsText).toBe(expected);
                const capture = new PageCapture();
                const captured = await send(n, mode, capture);
                expect(JSON.parse(captured.bodyAsText!)).toEqual({ Documents: [], _count: Number(n) });
                const { lines, count, release } = capture.lines();
                const docs = (JSON.parse(expected) as { Documents: unknown[] }).Documents;
                expect(count).toBe(docs.length);
                expect(lines.toString()).toBe(docs.map((d) => `${JSON.stringify(d)}\n`).join(''));
                release?.();
              })(),
            );
          }
        }
      }
      await Promise.all(jobs);
    } finally {
      client.destroy();
    }
  });
});
