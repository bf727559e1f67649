import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HoldfastError } from '../../src/core/errors.ts';
import { createStorageTarget } from '../../src/storage/create-storage-target.ts';
import { LocalDirectoryTarget } from '../../src/storage/local-directory.ts';
import { mapFsError } from '../../src/storage/map-fs-error.ts';
import { expectHoldfastError, listKeys, readAll, sha256, storageConformance } from './conformance.ts';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'holdfast-local-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function freshDir(): Promise<string> {
  return mkdtemp(path.join(scratch, 't-'));
}

/** Every file and directory under `dir`, hidden ones included, relative and sorted. */
async function allEntries(dir: string): Promise<string[]> {
  return ((await readdir(dir, { recursive: true })) as string[])
    .map((p) => p.split(path.sep).join('/'))
    .sort();
}

storageConformance('local directory', async () => {
  const dir = await freshDir();
  return { target: new LocalDirectoryTarget('local-test', path.join(dir, 'root')) };
});

describe('local directory specifics', () => {
  it('resolves a relative path against the job file directory and creates the root on first write', async () => {
    const base = await freshDir();
    const target = await createStorageTarget(
      'rel',
      { type: 'local', path: './backups' },
      { baseDir: base, resolveSecret: () => Promise.reject(new Error('no secrets here')) },
    );
    expect(target.locate('a/b.bak')).toBe(path.join(base, 'backups', 'a', 'b.bak'));
    expect(await listKeys(target, '')).toEqual([]);
    await target.put('a/b.bak', 'x');
    expect((await stat(path.join(base, 'backups', 'a', 'b.bak'))).size).toBe(1);
    const absolute = await createStorageTarget(
      'abs',
      { type: 'local', path: path.join(base, 'backups') },
      { baseDir: '/somewhere/else', resolveSecret: () => Promise.reject(new Error('unused')) },
    );
    expect(await listKeys(absolute, '')).toEqual(['a/b.bak']);
  });

  it('writes to a hidden temp file beside the object, then leaves only the object and its sidecar', async () => {
    const root = await freshDir();
    const target = new LocalDirectoryTarget('tmp', root);
    const write = await target.openWrite('x/data.bin', { metadata: { origin: 'test' } });
    write.stream.write(randomBytes(10_000));
    await new Promise((r) => setImmediate(r));
    const during = await allEntries(root);
    expect(during).toHaveLength(2);
    expect(during[0]).toBe('x');
    expect(during[1]).toMatch(/^x\/\.data\.bin\.[0-9a-f]{12}\.partial$/);
    expect(await listKeys(target, '')).toEqual([]);
    write.stream.end();
    await write.commit();
    expect(await allEntries(root)).toEqual(['x', 'x/.data.bin.meta.json', 'x/data.bin']);
    expect(await listKeys(target, '')).toEqual(['x/data.bin']);
  });

  it('removes the temp file when the source fails, even before abort is called', async () => {
    const root = await freshDir();
    const target = new LocalDirectoryTarget('fail', root);
    const write = await target.openWrite('f/x.bin');
    const source = Readable.from(
      (async function* () {
        yield randomBytes(100_000);
        throw new Error('boom');
      })(),
    );
    await expect(pipeline(source, write.stream)).rejects.toThrow('boom');
    expect(await allEntries(root)).toEqual(['f']);
    await write.abort();
    expect(await allEntries(root)).toEqual(['f']);
  });

  it('lets the later of two writers of one key replace the earlier, whole', async () => {
    const target = new LocalDirectoryTarget('two', await freshDir());
    const a = await target.openWrite('same.bin');
    const b = await target.openWrite('same.bin');
    await pipeline(Readable.from([Buffer.from('from writer a')]), a.stream);
    await pipeline(Readable.from([Buffer.from('from writer b')]), b.stream);
    await a.commit();
    await b.commit();
    expect(await target.stat('same.bin')).toMatchObject({ bytes: 13, sha256: sha256('from writer b') });
    expect((await readAll(await target.read('same.bin'))).toString()).toBe('from writer b');
  });

  it('ignores a sidecar that no longer matches its file: metadata goes missing, never wrong', async () => {
    const root = await freshDir();
    const target = new LocalDirectoryTarget('side', root);
    await target.put('s/file.txt', 'original', { metadata: { v: '1' } });
    expect(await target.stat('s/file.txt')).toMatchObject({
      sha256: sha256('original'),
      metadata: { v: '1' },
    });
    await new Promise((r) => setTimeout(r, 20));
    await writeFile(path.join(root, 's', 'file.txt'), 'changed by hand');
    const after = await target.stat('s/file.txt');
    expect(after).toMatchObject({ key: 's/file.txt', bytes: 15 });
    expect(after?.sha256).toBeUndefined();
    expect(after?.metadata).toBeUndefined();
  });

  it('prunes directories that a delete empties, but never the root', async () => {
    const root = await freshDir();
    const target = new LocalDirectoryTarget('prune', root);
    await target.put('a/b/c/one.bin', '1');
    await target.put('a/two.bin', '2');
    await target.delete('a/b/c/one.bin');
    expect(await allEntries(root)).toEqual(['a', 'a/.two.bin.meta.json', 'a/two.bin']);
    await target.delete('a/two.bin');
    expect(await allEntries(root)).toEqual([]);
    expect((await stat(root)).isDirectory()).toBe(true);
  });

  it('reserves the temp and sidecar name patterns', async () => {
    const target = new LocalDirectoryTarget('names', await freshDir());
    await expectHoldfastError(target.put('a/.x.partial', 'x'), 'STORAGE_FAILED', /reserved/);
    await expectHoldfastError(target.put('.y.meta.json', 'x'), 'STORAGE_FAILED', /reserved/);
    await target.put('a/.hidden-but-fine', 'x');
    expect(await listKeys(target, '')).toEqual(['a/.hidden-but-fine']);
  });

  it('reports a root whose parent does not exist, without creating anything', async () => {
    const base = await freshDir();
    const target = new LocalDirectoryTarget('nas', path.join(base, 'not-mounted', 'backups'));
    const err = await expectHoldfastError(
      target.check(),
      'STORAGE_FAILED',
      /cannot create .*not-mounted.backups: its parent directory .*not-mounted does not exist/,
    );
    expect(err.message).not.toMatch(/\n\s+at /);
    await expectHoldfastError(target.put('k', 'v'), 'STORAGE_FAILED', /parent directory/);
    expect(await allEntries(base)).toEqual([]);
  });

  it('reports a root that is a file, and a key whose directory is a file, in words', async () => {
    const base = await freshDir();
    await writeFile(path.join(base, 'plain-file'), 'x');
    const onFile = new LocalDirectoryTarget('onfile', path.join(base, 'plain-file'));
    await expectHoldfastError(onFile.check(), 'STORAGE_FAILED', /plain-file.*(not a directory|is a file)/);
    const target = new LocalDirectoryTarget('nested', path.join(base, 'root'));
    await target.put('a', 'file named a');
    const err = await expectHoldfastError(
      target.put('a/b', 'x'),
      'STORAGE_FAILED',
      /cannot create directory .*root.a: a file is in the way .*\(E(NOTDIR|EXIST)\)$/,
    );
    expect(err.details).toMatchObject({ path: expect.stringContaining(path.join('root', 'a')) });
    await target.put('dir/inner', 'x');
    await expectHoldfastError(
      target.put('dir', 'x'),
      'STORAGE_FAILED',
      /cannot write .*root.dir: a directory of other keys is in the way \(EISDIR\)$/,
    );
    await expectHoldfastError(
      target.put('dir', 'x', { ifNotExists: true }),
      'STORAGE_FAILED',
      /a directory of other keys is in the way \(EEXIST\)$/,
    );
    expect(await listKeys(target, '')).toEqual(['a', 'dir/inner']);
    expect(await allEntries(path.join(base, 'root'))).toEqual([
      '.a.meta.json',
      'a',
      'dir',
      'dir/.inner.meta.json',
      'dir/inner',
    ]);
  });

  it('names the path and the reason for a directory it may not write (EACCES), as the unprivileged user it runs as', async () => {
    const base = await freshDir();
    const locked = path.join(base, 'locked');
    await mkdir(locked);
    await chmod(locked, 0o555);
    await chmod(base, 0o755);
    await chmod(scratch, 0o755);
    if (process.getuid?.() !== 0) {
      const target = new LocalDirectoryTarget('ro', locked);
      await expectHoldfastError(
        target.check(),
        'STORAGE_FAILED',
        /cannot write .*locked.*: permission denied \(EACCES\)/,
      );
      await expectHoldfastError(target.put('k', 'v'), 'STORAGE_FAILED', /permission denied \(EACCES\)/);
      return;
    }
    // root ignores permissions: run the same calls in a child process as "nobody".
    const module = pathToFileURL(
      path.resolve(import.meta.dirname, '../../src/storage/local-directory.ts'),
    ).href;
    const script = `
      const { LocalDirectoryTarget } = await import(${JSON.stringify(module)});
      const t = new LocalDirectoryTarget('ro', ${JSON.stringify(locked)});
      const out = [];
      for (const call of [() => t.check(), () => t.put('k', 'v')]) {
        try { await call(); out.push('ok'); } catch (e) { out.push({ code: e.code, message: e.message }); }
      }
      console.log(JSON.stringify(out));`;
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
        uid: 65534,
        gid: 65534,
        cwd: '/',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(result.stderr).toBe('');
    const [check, put] = JSON.parse(result.stdout) as { code: string; message: string }[];
    expect(check).toEqual({
      code: 'STORAGE_FAILED',
      message: expect.stringMatching(
        /^storage ro: cannot write .*locked\/\.holdfast-check\.[0-9a-f]+\.partial: permission denied \(EACCES\)$/,
      ),
    });
    expect(put).toEqual({
      code: 'STORAGE_FAILED',
      message: expect.stringMatching(
        /^storage ro: cannot create a file in .*locked: permission denied \(EACCES\)$/,
      ),
    });
  });

  it('turns a real ENOSPC into STORAGE_FAILED with the path and the reason', async () => {
    const full = await open('/dev/full', 'w').catch(() => undefined);
    expect(full, '/dev/full is needed for a real ENOSPC').toBeDefined();
    let raw: unknown;
    try {
      await full!.write(Buffer.alloc(4096));
      await full!.sync();
    } catch (err) {
      raw = err;
    } finally {
      await full!.close();
    }
    expect((raw as NodeJS.ErrnoException).code).toBe('ENOSPC');
    const mapped = mapFsError(raw, 'nas', 'write', '/backups/db.bak');
    expect(mapped).toBeInstanceOf(HoldfastError);
    expect(mapped.message).toBe(
      'storage nas: cannot write /backups/db.bak: no space left on the device (ENOSPC)',
    );
    expect(mapped.toJSON()).toMatchObject({
      code: 'STORAGE_FAILED',
      target: 'nas',
      retryable: false,
      details: { path: '/backups/db.bak', errno: 'ENOSPC' },
    });
  });

  it('reads a file through a stream and says NOT_FOUND for a directory', async () => {
    const root = await freshDir();
    const target = new LocalDirectoryTarget('dirs', root);
    await target.put('dir/inner.txt', 'inner');
    await expectHoldfastError(target.read('dir'), 'NOT_FOUND');
    expect((await readAll(await target.read('dir/inner.txt'))).toString()).toBe('inner');
    await target.delete('dir');
    expect(await listKeys(target, '')).toEqual(['dir/inner.txt']);
  });
});
