import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../transport/buffer-pool.ts';

const KB = 1024;

describe('BufferPool', () => {
  it('hands a returned buffer out again for a page of the same or a smaller size, never to two users', () => {
    const pool = new BufferPool({ maxIdleBytes: 4 * 1024 * KB });
    const a = pool.take(900 * KB);
    expect(a.length).toBe(900 * KB);
    pool.give(a);
    pool.give(a); // twice: ignored
    expect(pool.idleBytes).toBe(960 * KB); // rounded up to 64 KiB
    const b = pool.take(700 * KB);
    expect(b.buffer).toBe(a.buffer);
    expect(pool.idleBytes).toBe(0);
    const c = pool.take(700 * KB);
    expect(c.buffer).not.toBe(b.buffer);
  });

  it('frees what is returned beyond maxIdleBytes, and frees everything on clear', () => {
    const pool = new BufferPool({ maxIdleBytes: 1024 * KB });
    const a = pool.take(1000 * KB);
    const b = pool.take(1000 * KB);
    pool.give(a);
    pool.give(b);
    expect(pool.idleBytes).toBe(1024 * KB);
    expect((b.buffer as ArrayBuffer).detached).toBe(true);
    pool.clear();
    expect(pool.idleBytes).toBe(0);
    expect((a.buffer as ArrayBuffer).detached).toBe(true);
  });

  it('frees its idle buffers once unused for idleMs (a service keeps connections between runs, not pages)', async () => {
    const pool = new BufferPool({ maxIdleBytes: 4 * 1024 * KB, idleMs: 500 });
    const a = pool.take(512 * KB);
    pool.give(a);
    await sleep(100);
    pool.give(pool.take(512 * KB)); // still in use: the clock restarts
    await sleep(100);
    expect(pool.idleBytes).toBe(512 * KB);
    await sleep(800);
    expect(pool.idleBytes).toBe(0);
    expect((a.buffer as ArrayBuffer).detached).toBe(true);
  });
});
