import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it, onTestFinished } from 'vitest';
import { HoldfastError } from '../../src/core/errors.ts';
import { checkKey, type StorageTarget } from '../../src/storage/contract.ts';
import { compareKeys } from '../../src/storage/compare-keys.ts';

/** A fresh, empty target for one test, and how to throw it away. */
export interface StorageFixture {
  target: StorageTarget;
  dispose?: () => Promise<void>;
}

export interface ConformanceOptions {
  /** Live buffer memory a 40 MB streamed write may add at its peak (default 16 MiB). */
  maxLargeWriteGrowthBytes?: number;
}

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

export async function listKeys(target: StorageTarget, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const obj of target.list(prefix)) keys.push(obj.key);
  return keys;
}

/** Expects `promise` to reject with a HoldfastError of `code` whose message matches `message`. */
export async function expectHoldfastError(
  promise: Promise<unknown>,
  code: string,
  message?: RegExp,
): Promise<HoldfastError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected a rejection').toBeInstanceOf(HoldfastError);
  const he = err as HoldfastError;
  expect(he.code).toBe(code);
  if (message) expect(he.message).toMatch(message);
  return he;
}

/** `count` chunks of `size` bytes, different per chunk, generated as they are read. */
function generated(count: number, size: number, onChunk?: (index: number) => void): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < count; i++) {
        onChunk?.(i);
        const chunk = Buffer.alloc(size, i % 251);
        chunk.writeUInt32BE(i, 0);
        yield chunk;
      }
    })(),
  );
}

/** A source that yields some bytes, then fails. */
function failingSource(bytesBeforeFailure: number): Readable {
  return Readable.from(
    (async function* () {
      yield randomBytes(bytesBeforeFailure);
      await new Promise((r) => setTimeout(r, 10));
      throw new Error('source broke mid-stream');
    })(),
  );
}

/**
 * Registers the storage contract's conformance tests for a target implementation. `open` gives each test its
 * own empty target (a fresh directory, a fresh container).
 */
export function storageConformance(
  label: string,
  open: () => Promise<StorageFixture>,
  options: ConformanceOptions = {},
): void {
  async function fresh(): Promise<StorageTarget> {
    const fixture = await open();
    if (fixture.dispose) onTestFinished(fixture.dispose);
    return fixture.target;
  }

  describe(`${label}: storage contract`, () => {
    it('writes, commits and reads back a streamed object with its size, sha256 and metadata', async () => {
      const target = await fresh();
      const parts = [randomBytes(1000), randomBytes(70_000), Buffer.from('tail')];
      const whole = Buffer.concat(parts);
      const write = await target.openWrite('db/full/orders.bak', {
        contentType: 'application/octet-stream',
        metadata: { Server: 'sql01', lsn_first: '42' },
      });
      await pipeline(Readable.from(parts), write.stream);
      const committed = await write.commit();
      expect(committed).toMatchObject({
        key: 'db/full/orders.bak',
        bytes: whole.length,
        sha256: sha256(whole),
      });
      expect(await readAll(await target.read('db/full/orders.bak'))).toEqual(whole);
      const stat = await target.stat('db/full/orders.bak');
      expect(stat).toMatchObject({
        key: 'db/full/orders.bak',
        bytes: whole.length,
        sha256: sha256(whole),
        metadata: { server: 'sql01', lsn_first: '42' },
      });
      expect(stat!.modifiedAt).toBeInstanceOf(Date);
      expect(Math.abs(stat!.modifiedAt!.getTime() - Date.now())).toBeLessThan(60_000);
      // commit is idempotent once it has succeeded
      expect(await write.commit()).toEqual(committed);
    });

    it('when a write says it releases chunks, a chunk overwritten after its write called back changes nothing stored', async () => {
      const target = await fresh();
      const write = await target.openWrite('db/full/reused.bak');
      const whole = randomBytes(300_000);
      if (write.releasesChunks) {
        // The way the Cosmos export reuses page buffers: one buffer, refilled after every callback.
        const buffer = Buffer.alloc(50_000);
        for (let at = 0; at < whole.length; at += buffer.length) {
          whole.copy(buffer, 0, at, at + buffer.length);
          await new Promise<void>((resolve, reject) =>
            write.stream.write(buffer, (err) => (err ? reject(err) : resolve())),
          );
          buffer.fill(0xee);
        }
        write.stream.end();
        await finished(write.stream);
        expect(await write.commit()).toMatchObject({ bytes: whole.length, sha256: sha256(whole) });
        expect(await readAll(await target.read('db/full/reused.bak'))).toEqual(whole);
      } else {
        await write.abort();
      }
    });

    it('puts strings, buffers and empty objects, and replaces an object on a second put', async () => {
      const target = await fresh();
      expect(await target.put('m/manifest.json', '{"a":1}')).toMatchObject({
        bytes: 7,
        sha256: sha256('{"a":1}'),
      });
      expect(await target.put('m/empty', Buffer.alloc(0))).toMatchObject({ bytes: 0, sha256: EMPTY_SHA256 });
      expect((await readAll(await target.read('m/empty'))).length).toBe(0);
      expect(await target.stat('m/empty')).toMatchObject({ bytes: 0, sha256: EMPTY_SHA256 });
      await target.put('m/manifest.json', 'second version');
      expect((await readAll(await target.read('m/manifest.json'))).toString()).toBe('second version');
      expect(await target.stat('m/manifest.json')).toMatchObject({
        bytes: 14,
        sha256: sha256('second version'),
      });
    });

    it(
      'streams a 40 MB object generated on the fly with bounded memory and the right sha256',
      { timeout: 120_000 },
      async () => {
        const target = await fresh();
        const chunkSize = 64 * 1024;
        const count = 640; // 40 MiB
        const expected = createHash('sha256');
        for (let i = 0; i < count; i++) {
          const chunk = Buffer.alloc(chunkSize, i % 251);
          chunk.writeUInt32BE(i, 0);
          expected.update(chunk);
        }
        const expectedSha = expected.digest('hex');
        collectGarbage();
        const baseline = process.memoryUsage().arrayBuffers;
        let peak = 0;
        const write = await target.openWrite('big/forty.bin');
        await pipeline(
          generated(count, chunkSize, (i) => {
            if (i % 16 === 0) {
              collectGarbage();
              peak = Math.max(peak, process.memoryUsage().arrayBuffers - baseline);
            }
          }),
          write.stream,
        );
        const obj = await write.commit();
        expect(obj).toMatchObject({ bytes: count * chunkSize, sha256: expectedSha });
        expect(peak, `peak live buffer growth ${(peak / 2 ** 20).toFixed(1)} MiB`).toBeLessThan(
          options.maxLargeWriteGrowthBytes ?? 16 * 2 ** 20,
        );
        const back = createHash('sha256');
        let bytes = 0;
        for await (const chunk of await target.read('big/forty.bin')) {
          back.update(chunk as Buffer);
          bytes += (chunk as Buffer).length;
        }
        expect({ bytes, sha: back.digest('hex') }).toEqual({ bytes: count * chunkSize, sha: expectedSha });
      },
    );

    it('shows nothing before commit, and replaces an existing object only at commit', async () => {
      const target = await fresh();
      const write = await target.openWrite('p/new.bin');
      await pipeline(Readable.from([randomBytes(300_000)]), write.stream);
      expect(await target.stat('p/new.bin')).toBeUndefined();
      expect(await listKeys(target, '')).toEqual([]);
      await expectHoldfastError(target.read('p/new.bin'), 'NOT_FOUND');
      await write.commit();
      expect(await listKeys(target, '')).toEqual(['p/new.bin']);

      await target.put('p/old.txt', 'old');
      const replace = await target.openWrite('p/old.txt');
      await pipeline(Readable.from([Buffer.from('new content')]), replace.stream);
      expect((await readAll(await target.read('p/old.txt'))).toString()).toBe('old');
      expect(await target.stat('p/old.txt')).toMatchObject({ bytes: 3, sha256: sha256('old') });
      await replace.commit();
      expect((await readAll(await target.read('p/old.txt'))).toString()).toBe('new content');
    });

    it('abort leaves nothing visible, may be repeated, and forbids a later commit', async () => {
      const target = await fresh();
      const write = await target.openWrite('a/aborted.bin');
      write.stream.write(randomBytes(200_000));
      await write.abort();
      await write.abort();
      expect(await target.stat('a/aborted.bin')).toBeUndefined();
      expect(await listKeys(target, '')).toEqual([]);
      await expectHoldfastError(write.commit(), 'STORAGE_FAILED', /abort/);

      const ended = await target.openWrite('a/ended.bin');
      await pipeline(Readable.from([randomBytes(100_000)]), ended.stream);
      await ended.abort();
      expect(await target.stat('a/ended.bin')).toBeUndefined();
      expect(await listKeys(target, 'a/')).toEqual([]);
    });

    it('a write whose source fails mid-stream leaves nothing visible and cannot be committed', async () => {
      const target = await fresh();
      const write = await target.openWrite('f/broken.bin');
      await expect(pipeline(failingSource(3 * 1024 * 1024), write.stream)).rejects.toThrow(
        'source broke mid-stream',
      );
      expect(await target.stat('f/broken.bin')).toBeUndefined();
      await expectHoldfastError(write.commit(), 'STORAGE_FAILED');
      await write.abort();
      expect(await target.stat('f/broken.bin')).toBeUndefined();
      expect(await listKeys(target, '')).toEqual([]);
      await expectHoldfastError(target.read('f/broken.bin'), 'NOT_FOUND');
    });

    it('refuses commit before the stream is ended', async () => {
      const target = await fresh();
      const write = await target.openWrite('c/early.bin');
      write.stream.write(Buffer.from('partial'));
      await expectHoldfastError(write.commit(), 'STORAGE_FAILED', /before the stream was ended/);
      await write.abort();
      expect(await target.stat('c/early.bin')).toBeUndefined();
    });

    it('ifNotExists refuses an existing key at open and loses a race at commit without touching the winner', async () => {
      const target = await fresh();
      expect(await target.put('x/once.txt', 'first', { ifNotExists: true })).toMatchObject({ bytes: 5 });
      await expectHoldfastError(
        target.openWrite('x/once.txt', { ifNotExists: true }),
        'STORAGE_FAILED',
        /already exists/,
      );
      await expectHoldfastError(
        target.put('x/once.txt', 'again', { ifNotExists: true }),
        'STORAGE_FAILED',
        /already exists/,
      );
      expect((await readAll(await target.read('x/once.txt'))).toString()).toBe('first');

      const a = await target.openWrite('x/race.txt', { ifNotExists: true, metadata: { writer: 'a' } });
      const b = await target.openWrite('x/race.txt', { ifNotExists: true, metadata: { writer: 'b' } });
      await pipeline(Readable.from([Buffer.from('writer a')]), a.stream);
      await pipeline(Readable.from([Buffer.from('writer b, longer')]), b.stream);
      await a.commit();
      await expectHoldfastError(b.commit(), 'STORAGE_FAILED', /already exists/);
      await b.abort();
      expect((await readAll(await target.read('x/race.txt'))).toString()).toBe('writer a');
      expect(await target.stat('x/race.txt')).toMatchObject({ bytes: 8 });
      // a plain write still replaces
      await target.put('x/once.txt', 'replaced');
      expect((await readAll(await target.read('x/once.txt'))).toString()).toBe('replaced');
    });

    it('lists by prefix, recursively, in key order', async () => {
      const target = await fresh();
      // `a/b/x/c` sorts before `a/b1`: `/` is 0x2f, `1` is 0x31 (a directory walk must not put it first or last).
      const keys = ['b', 'a/b1', 'a-c', 'a/a/z', 'ab', 'a/b2', 'a/b/x/c', 'A', 'a/0', 'z/y/x/w'];
      for (const key of [...keys].reverse()) await target.put(key, key);
      const sorted = [...keys].sort(compareKeys);
      expect(sorted).toEqual(['A', 'a-c', 'a/0', 'a/a/z', 'a/b/x/c', 'a/b1', 'a/b2', 'ab', 'b', 'z/y/x/w']);
      expect(await listKeys(target, '')).toEqual(sorted);
      expect(await listKeys(target, 'a/')).toEqual(sorted.filter((k) => k.startsWith('a/')));
      expect(await listKeys(target, 'a/b')).toEqual(['a/b/x/c', 'a/b1', 'a/b2']);
      expect(await listKeys(target, 'a')).toEqual(sorted.filter((k) => k.startsWith('a')));
      expect(await listKeys(target, 'z/y/')).toEqual(['z/y/x/w']);
      expect(await listKeys(target, 'nothing/')).toEqual([]);
      const listed = [];
      for await (const obj of target.list('a/b2')) listed.push(obj);
      expect(listed).toEqual([expect.objectContaining({ key: 'a/b2', bytes: 4, sha256: sha256('a/b2') })]);
    });

    it('stat of a missing key is undefined; read of a missing key is NOT_FOUND', async () => {
      const target = await fresh();
      expect(await target.stat('no/such/key')).toBeUndefined();
      const err = await expectHoldfastError(target.read('no/such/key'), 'NOT_FOUND', /no\/such\/key/);
      expect(err.target).toBe(target.name);
      await target.put('no/such/other', 'x');
      expect(await target.stat('no/such')).toBeUndefined();
      await expectHoldfastError(target.read('no/such'), 'NOT_FOUND');
    });

    it('deletes idempotently, leaving other objects alone', async () => {
      const target = await fresh();
      await target.put('d/1/keep.bin', 'keep');
      await target.put('d/1/drop.bin', 'drop');
      await target.put('d/2/deep/only.bin', 'only');
      await target.delete('d/1/drop.bin');
      await target.delete('d/1/drop.bin');
      await target.delete('d/never/was.bin');
      await target.delete('d/2/deep/only.bin');
      expect(await target.stat('d/1/drop.bin')).toBeUndefined();
      expect(await listKeys(target, '')).toEqual(['d/1/keep.bin']);
      await target.delete('d/1/keep.bin');
      expect(await listKeys(target, '')).toEqual([]);
      await target.put('d/2/deep/only.bin', 'again');
      expect(await listKeys(target, 'd/')).toEqual(['d/2/deep/only.bin']);
    });

    it('validates keys with checkKey in every method', async () => {
      const target = await fresh();
      const bad = ['', '/abs', 'a//b', 'a/../b', './a', 'a\\b', 'trailing/', 'ctl\u0001', 'x'.repeat(1025)];
      for (const key of bad) {
        const problem = checkKey(key)!;
        expect(problem).toBeDefined();
        const pattern = new RegExp(problem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
        await expectHoldfastError(target.openWrite(key), 'STORAGE_FAILED', pattern);
        await expectHoldfastError(target.put(key, 'x'), 'STORAGE_FAILED', pattern);
        await expectHoldfastError(target.read(key), 'STORAGE_FAILED', pattern);
        await expectHoldfastError(target.stat(key), 'STORAGE_FAILED', pattern);
        await expectHoldfastError(target.delete(key), 'STORAGE_FAILED', pattern);
        expect(() => target.locate(key)).toThrow(pattern);
      }
      expect(await listKeys(target, '')).toEqual([]);
      await expectHoldfastError(
        target.put('k', 'x', { metadata: { 'not-an-identifier': 'v' } }),
        'STORAGE_FAILED',
        /identifier/,
      );
      await expectHoldfastError(
        target.put('k', 'x', { metadata: { holdfast_sha256: 'v' } }),
        'STORAGE_FAILED',
        /reserved/,
      );
      await expectHoldfastError(
        target.put('k', 'x', { metadata: { note: 'café' } }),
        'STORAGE_FAILED',
        /printable ASCII/,
      );
      await expectHoldfastError(
        target.put('k', 'x', { metadata: { a: '1', A: '2' } }),
        'STORAGE_FAILED',
        /differ only in case/,
      );
      expect(await target.stat('k')).toBeUndefined();
    });

    it('stores, lists and reads unicode keys and keys with URL-special characters', async () => {
      const target = await fresh();
      const keys = [
        'données/été 2026/rapport.bak',
        '日本/ファイル.json',
        'emoji/📦 box.bin',
        'odd/a b#c%20d+e?f&g=h;i.txt',
        'Ünïcode/Ω',
      ];
      for (const key of keys) await target.put(key, `content of ${key}`);
      expect(await listKeys(target, '')).toEqual([...keys].sort(compareKeys));
      for (const key of keys) {
        expect((await readAll(await target.read(key))).toString()).toBe(`content of ${key}`);
        expect(await target.stat(key)).toMatchObject({ key, sha256: sha256(`content of ${key}`) });
      }
      expect(await listKeys(target, 'données/')).toEqual(['données/été 2026/rapport.bak']);
      expect(target.locate('日本/ファイル.json')).not.toBe(target.locate('odd/a b#c%20d+e?f&g=h;i.txt'));
      for (const key of keys) await target.delete(key);
      expect(await listKeys(target, '')).toEqual([]);
    });

    it('runs concurrent writes of different keys without mixing their bytes', async () => {
      const target = await fresh();
      const contents = Array.from({ length: 8 }, (_, i) => randomBytes(200_000 + i * 150_000));
      const writes = await Promise.all(contents.map((_, i) => target.openWrite(`conc/${i}.bin`)));
      await Promise.all(writes.map((w, i) => pipeline(Readable.from(splitInto(contents[i]!, 7)), w.stream)));
      const committed = await Promise.all(writes.map((w) => w.commit()));
      committed.forEach((obj, i) =>
        expect(obj).toMatchObject({
          key: `conc/${i}.bin`,
          bytes: contents[i]!.length,
          sha256: sha256(contents[i]!),
        }),
      );
      const back = await Promise.all(
        contents.map(async (_, i) => readAll(await target.read(`conc/${i}.bin`))),
      );
      back.forEach((buf, i) => expect(sha256(buf)).toBe(sha256(contents[i]!)));
      expect(await listKeys(target, 'conc/')).toEqual(contents.map((_, i) => `conc/${i}.bin`));
    });

    it('check() succeeds on a writable target and leaves nothing behind', async () => {
      const target = await fresh();
      await target.put('c/existing', 'x');
      await target.check();
      await target.check();
      expect(await listKeys(target, '')).toEqual(['c/existing']);
    });

    it('locates keys for people without secrets', async () => {
      const target = await fresh();
      const where = target.locate('loc/backup_2026.bak');
      expect(where).toMatch(/loc[/\\]backup_2026\.bak$/);
      expect(where).not.toMatch(/sig=|AccountKey|SharedAccessSignature/i);
      expect(typeof target.name).toBe('string');
      expect(['local', 'azure-blob', 'memory']).toContain(target.type);
    });
  });
}

function splitInto(buf: Buffer, parts: number): Buffer[] {
  const size = Math.ceil(buf.length / parts);
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}
