/**
 * Storage write benchmark: streams a generated object (512 MiB by default) into a local directory and into
 * Azure Blob on Azurite, each in its own Node process so that its peak RSS is its own, and prints a Markdown
 * table. Usage: `node bench/storage.ts [--mib 512] [--runs 2] [--chunk-kib 64] [--gc-every 0]`. Azurite runs as a separate process (its
 * memory is not counted) on the same machine, so the Blob figure includes Azurite's CPU and disk work.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { Secret } from '../src/core/secret.ts';
import type { StorageTarget } from '../src/storage/contract.ts';
import { createStorageTarget } from '../src/storage/create-storage-target.ts';

const MiB = 1024 * 1024;

interface RunResult {
  target: string;
  bytes: number;
  writeSeconds: number;
  readSeconds: number;
  chunkKiB: number;
  gcEvery: number;
  baselineRssMiB: number;
  /** Peak RSS up to the end of the write (commit included). */
  writePeakRssMiB: number;
  /** Peak RSS up to the end of the read-back. */
  peakRssMiB: number;
  sha256: string;
}

const { values } = parseArgs({
  options: {
    worker: { type: 'string' },
    dir: { type: 'string' },
    'connection-string': { type: 'string' },
    account: { type: 'string' },
    mib: { type: 'string', default: '512' },
    runs: { type: 'string', default: '2' },
    'chunk-kib': { type: 'string', default: '64' },
    /** Run a full GC every N source chunks (0: never). Shows what is really retained, apart from garbage not yet collected. */
    'gc-every': { type: 'string', default: '0' },
  },
});

/** Peak resident set size of this process so far (VmHWM), in MiB; sampled RSS where /proc is missing. */
function peakRssMiB(sampledPeak: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux
  }
  return sampledPeak / MiB;
}

/** `mib` MiB in chunks of `chunkKiB` KiB (64 KiB is what a file read stream yields), generated as read. */
function generated(mib: number, chunkKiB: number): Readable {
  const count = (mib * 1024) / chunkKiB;
  return Readable.from(
    (function* () {
      const gcEvery = Number(values['gc-every']);
      const gc = (globalThis as { gc?: () => void }).gc;
      for (let i = 0; i < count; i++) {
        if (gcEvery > 0 && gc && i % gcEvery === 0) gc();
        const chunk = Buffer.allocUnsafe(chunkKiB * 1024);
        chunk.fill(i % 251);
        chunk.writeUInt32BE(i, 0);
        yield chunk;
      }
    })(),
  );
}

/** The control: the same source into a Writable that drops everything, to show what the source alone costs. */
async function sourceOnly(mib: number, chunkKiB: number): Promise<RunResult> {
  const baseline = process.memoryUsage().rss;
  const started = performance.now();
  const hash = createHash('sha256');
  await pipeline(
    generated(mib, chunkKiB),
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        callback();
      },
    }),
  );
  const writeSeconds = (performance.now() - started) / 1000;
  const peak = peakRssMiB(baseline);
  return {
    target: 'source',
    bytes: mib * MiB,
    writeSeconds,
    readSeconds: 0,
    chunkKiB,
    gcEvery: Number(values['gc-every']),
    baselineRssMiB: baseline / MiB,
    writePeakRssMiB: peak,
    peakRssMiB: peak,
    sha256: hash.digest('hex'),
  };
}

async function worker(): Promise<void> {
  const mib = Number(values.mib);
  if (values.worker === 'source') {
    process.stdout.write(JSON.stringify(await sourceOnly(mib, Number(values['chunk-kib']))) + '\n');
    return;
  }
  const resolveSecret = async () => new Secret(values['connection-string'] ?? '', 'bench:connection-string');
  const target: StorageTarget =
    values.worker === 'local'
      ? await createStorageTarget(
          'bench-local',
          { type: 'local', path: values.dir! },
          { baseDir: '/', resolveSecret },
        )
      : await createStorageTarget(
          'bench-blob',
          {
            type: 'azure-blob',
            account: values.account!,
            container: 'bench',
            auth: { type: 'connection-string', connectionString: { secretRef: 'bench:cs' } },
          },
          { baseDir: '/', resolveSecret },
        );
  const baseline = process.memoryUsage().rss;
  let sampled = baseline;
  const sampler = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage().rss)), 20);
  const started = performance.now();
  const write = await target.openWrite('bench/object.bin');
  await pipeline(generated(mib, Number(values['chunk-kib'])), write.stream);
  const obj = await write.commit();
  const writeSeconds = (performance.now() - started) / 1000;
  const writePeak = peakRssMiB(sampled);
  const readStarted = performance.now();
  let readBytes = 0;
  for await (const chunk of await target.read('bench/object.bin')) readBytes += (chunk as Buffer).length;
  const readSeconds = (performance.now() - readStarted) / 1000;
  clearInterval(sampler);
  if (readBytes !== obj.bytes || obj.bytes !== mib * MiB)
    throw new Error(`size mismatch: wrote ${obj.bytes}, read ${readBytes}`);
  await target.delete('bench/object.bin');
  const result: RunResult = {
    target: values.worker!,
    bytes: obj.bytes,
    writeSeconds,
    readSeconds,
    chunkKiB: Number(values['chunk-kib']),
    gcEvery: Number(values['gc-every']),
    baselineRssMiB: baseline / MiB,
    writePeakRssMiB: writePeak,
    peakRssMiB: peakRssMiB(sampled),
    sha256: obj.sha256!,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

function runWorker(args: string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        ...(values['gc-every'] !== '0' ? ['--expose-gc'] : []),
        import.meta.filename,
        ...args,
        '--gc-every',
        values['gc-every']!,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as RunResult)
        : reject(new Error(`worker ${args.join(' ')} exited ${code}`)),
    );
  });
}

async function main(): Promise<void> {
  const mib = values.mib!;
  const chunk = values['chunk-kib']!;
  const runs = Number(values.runs);
  // Loaded here, not at the top, so that the workers' baseline RSS holds only what a target needs.
  const { startAzurite } = await import('../test/harness/azurite.ts');
  const { BlobServiceClient } = await import('@azure/storage-blob');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'holdfast-bench-'));
  const azurite = await startAzurite();
  const results: RunResult[] = [];
  try {
    await BlobServiceClient.fromConnectionString(azurite.connectionString).createContainer('bench');
    for (let run = 0; run < runs; run++) {
      results.push(await runWorker(['--worker', 'source', '--mib', mib, '--chunk-kib', chunk]));
      results.push(
        await runWorker([
          '--worker',
          'local',
          '--dir',
          path.join(dir, 'local'),
          '--mib',
          mib,
          '--chunk-kib',
          chunk,
        ]),
      );
      results.push(
        await runWorker([
          '--worker',
          'azure',
          '--account',
          azurite.blobEndpoint,
          '--connection-string',
          azurite.connectionString,
          '--mib',
          mib,
          '--chunk-kib',
          chunk,
        ]),
      );
    }
  } finally {
    await azurite.stop();
    await rm(dir, { recursive: true, force: true });
  }
  const cpu = os.cpus();
  console.log(
    `Machine: ${cpu[0]?.model ?? 'unknown CPU'} x${cpu.length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}, temp dir ${os.tmpdir()}`,
  );
  console.log('');
  console.log(
    '| target | size | chunk | write s | write MiB/s | read MiB/s | RSS before MiB | peak RSS, write MiB | peak RSS, write + read MiB |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    const size = r.bytes / MiB;
    const label = {
      source: 'source only (sha256, no target)',
      local: 'local directory',
      azure: 'Azure Blob (Azurite)',
    }[r.target];
    console.log(
      `| ${label} | ${size} MiB | ${r.chunkKiB} KiB${r.gcEvery ? `, GC every ${r.gcEvery}` : ''} | ${r.writeSeconds.toFixed(2)} | ${(size / r.writeSeconds).toFixed(0)} | ${r.readSeconds === 0 ? '–' : (size / r.readSeconds).toFixed(0)} | ${r.baselineRssMiB.toFixed(0)} | ${r.writePeakRssMiB.toFixed(0)} | ${r.peakRssMiB.toFixed(0)} |`,
    );
  }
  const worst = Math.max(...results.map((r) => r.writePeakRssMiB));
  console.log('');
  console.log(
    `Highest peak RSS during a write: ${worst.toFixed(0)} MiB (bound: 150 MiB) — ${worst < 150 ? 'within' : 'OVER'} the bound.`,
  );
}

if (values.worker) await worker();
else await main();
