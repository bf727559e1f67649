import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import {
  BlockStagingStream,
  blockSizeAt,
  MAX_BLOCKS,
  maxObjectBytes,
} from '../../src/storage/block-staging-stream.ts';

const MiB = 1024 * 1024;

/** A stage function that keeps blocks in a map and answers after `delayMs`, tracking how much is in flight. */
function recordingStage(delayMs = 2) {
  const blocks = new Map<string, Buffer>();
  let inFlight = 0;
  let peakInFlight = 0;
  return {
    blocks,
    get peakInFlight() {
      return peakInFlight;
    },
    stage: async (id: string, body: Buffer) => {
      inFlight += body.length;
      peakInFlight = Math.max(peakInFlight, inFlight);
      await new Promise((r) => setTimeout(r, delayMs));
      blocks.set(id, Buffer.from(body));
      inFlight -= body.length;
    },
  };
}

describe('block staging stream', () => {
  it('grows the block size every 10,000 blocks so 8 MiB blocks reach about 2.3 TiB', () => {
    expect(blockSizeAt(8 * MiB, 0)).toBe(8 * MiB);
    expect(blockSizeAt(8 * MiB, 9_999)).toBe(8 * MiB);
    expect(blockSizeAt(8 * MiB, 10_000)).toBe(16 * MiB);
    expect(blockSizeAt(8 * MiB, 49_999)).toBe(128 * MiB);
    expect(maxObjectBytes(8 * MiB)).toBe(10_000 * (8 + 16 + 32 + 64 + 128) * MiB);
    expect(maxObjectBytes(8 * MiB) / 2 ** 40).toBeGreaterThan(2.3);
    expect(blockSizeAt(1000 * MiB, 40_000)).toBe(4000 * MiB);
    expect(MAX_BLOCKS).toBe(50_000);
  });

  it('cuts the input into equal blocks plus a tail, with unique same-length ids in order, and hashes it', async () => {
    const rec = recordingStage();
    const stream = new BlockStagingStream({
      blockSize: 100_000,
      maxInFlightBytes: 300_000,
      stage: rec.stage,
    });
    const data = randomBytes(1_234_567);
    const pieces = [
      data.subarray(0, 1),
      data.subarray(1, 250_000),
      data.subarray(250_000, 250_001),
      data.subarray(250_001),
    ];
    await pipeline(Readable.from(pieces), stream);
    const staged = stream.staged!;
    expect(staged.bytes).toBe(data.length);
    expect(staged.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    expect(staged.blockIds).toHaveLength(13);
    expect(new Set(staged.blockIds).size).toBe(13);
    expect(new Set(staged.blockIds.map((id) => id.length)).size).toBe(1);
    const sizes = staged.blockIds.map((id) => rec.blocks.get(id)!.length);
    expect(sizes).toEqual([...Array(12).fill(100_000), 34_567]);
    expect(Buffer.concat(staged.blockIds.map((id) => rec.blocks.get(id)!))).toEqual(data);
  });

  it('keeps uploads within the in-flight budget and holds the writer back (bounded memory)', async () => {
    const rec = recordingStage(5);
    const stream = new BlockStagingStream({
      blockSize: 64 * 1024,
      maxInFlightBytes: 256 * 1024,
      stage: rec.stage,
    });
    await pipeline(
      Readable.from(
        (function* () {
          for (let i = 0; i < 200; i++) yield Buffer.alloc(16 * 1024, i);
        })(),
      ),
      stream,
    );
    expect(stream.staged!.bytes).toBe(200 * 16 * 1024);
    expect(rec.peakInFlight).toBeLessThanOrEqual(256 * 1024);
    expect(rec.peakInFlight).toBeGreaterThan(64 * 1024); // uploads really overlap
    expect(stream.peakBufferedBytes).toBeLessThanOrEqual(256 * 1024 + 64 * 1024);
  });

  it('stages nothing for an empty stream', async () => {
    const rec = recordingStage();
    const stream = new BlockStagingStream({ blockSize: 10, maxInFlightBytes: 10, stage: rec.stage });
    await pipeline(Readable.from([]), stream);
    expect(stream.staged).toMatchObject({ blockIds: [], bytes: 0 });
    expect(rec.blocks.size).toBe(0);
  });

  it('fails the stream with the first upload error and does not finish', async () => {
    let calls = 0;
    const stream = new BlockStagingStream({
      blockSize: 1000,
      maxInFlightBytes: 2000,
      stage: async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 1));
        if (calls === 3) throw new Error('put block refused');
      },
    });
    await expect(pipeline(Readable.from([randomBytes(50_000)]), stream)).rejects.toThrow('put block refused');
    expect(stream.staged).toBeUndefined();
    expect(calls).toBeLessThan(10);
  });

  it('waits for uploads in progress before it reports destroyed', async () => {
    let finished = 0;
    const stream = new BlockStagingStream({
      blockSize: 1000,
      maxInFlightBytes: 4000,
      stage: async () => {
        await new Promise((r) => setTimeout(r, 30));
        finished++;
      },
    });
    stream.write(randomBytes(3500));
    await new Promise((r) => setImmediate(r));
    const closed = new Promise((r) => stream.once('close', r));
    stream.destroy();
    await closed;
    expect(finished).toBe(3);
  });
});
