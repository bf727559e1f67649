/**
 * Cosmos DB export benchmark: throughput against a raw SDK drain of the same container on the same server in
 * the same run, peak RSS at 100,000 and 1,000,000 documents, and the seed-style export (read everything, write
 * one prettified JSON array) beside it.
 *
 *   ./node_modules/.bin/node bench/cosmos-export.ts [--runs 3] [--small 100000] [--large 1000000] [--emulator 5000]
 *     [--modes raw-changefeed,export-gzip,...]   (--large 0 skips the size scaling and the emulator runs)
 *     [--large-runs 1]   (repeats the raw / export-gzip / export-zstd runs at the large size, interleaved)
 *
 * How: 10,000 order documents (~1 KB each) are written to the npm Cosmos server and read back with their
 * system properties: those are the recorded documents. A replay server (plugins/cosmos/testing/replay-server.ts,
 * in its own process) serves containers of any size from them at line speed, with 4 partition key ranges, a
 * change feed per range and queries, so the cost of a page does not grow with the container (the npm server's
 * query engine is quadratic). Every measurement runs in a fresh child process, whose peak RSS is read from
 * process.resourceUsage().maxRSS. A child imports only what its mode needs: the raw and seed-style modes the
 * SDK, the export modes the plugin, the catalog and the local storage target (the plugin loads the SDK itself
 * with its first connection, as `holdfast run` does, so that cost lands inside the export's peak). Exports
 * write to a local directory under the OS temp dir. Each child also samples process.memoryUsage() every 10 ms and
 * reports the highest V8 heap and ArrayBuffer (page buffer) figures, to show where the peak goes.
 */
import { spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  createWriteStream,
  readdirSync,
} from 'node:fs';
import { once } from 'node:events';
import { tmpdir, cpus, totalmem, loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { AddressInfo } from 'node:net';
import type { ExecuteContext } from '../src/plugin/contract.ts';
import type { ReplayContainer } from '../plugins/cosmos/testing/replay-server.ts';

const KEY = 'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';
const SELF = import.meta.filename;

interface Measurement {
  mode: string;
  container: string;
  documents: number;
  seconds: number;
  bytesRaw?: number;
  bytesOut?: number;
  maxRssMb: number;
  /**
   * RSS when the measurement started: Node and the modules the mode imports, before any document was read (the
   * SDK included for raw and seed-style modes; an export's plugin loads it with its first connection).
   */
  rssStartMb?: number;
  /** Highest V8 heap (committed) and highest ArrayBuffer bytes seen, sampled every 10 ms. */
  peakHeapMb?: number;
  peakArrayBuffersMb?: number;
  error?: string;
}

function orderDocument(i: number): Record<string, unknown> {
  const lines = Array.from({ length: 3 + (i % 6) }, (_, k) => ({
    sku: `SKU-${(i * 7 + k) % 9973}`,
    name: `Product ${(i + k) % 500} – ${['blue', 'grün', '红色', 'noir'][k % 4]}`,
    qty: 1 + ((i + k) % 4),
    price: Math.round(((i * 31 + k * 17) % 10_000) + 99) / 100,
  }));
  return {
    id: `order-${i}`,
    pk: `customer-${i % 997}`,
    type: 'order',
    status: ['open', 'paid', 'shipped', 'delivered', 'returned'][i % 5],
    createdAt: new Date(Date.UTC(2025, 0, 1) + i * 61_000).toISOString(),
    customer: {
      id: `customer-${i % 997}`,
      name: `Customer ${i % 997}`,
      email: `c${i % 997}@example.com`,
      tier: i % 3 === 0 ? 'gold' : 'standard',
    },
    shipping: {
      street: `${i % 300} Harbour Road`,
      city: ['Leeds', 'Zürich', 'Osaka', 'Lyon'][i % 4],
      postcode: `LS${i % 90} ${i % 9}AB`,
      country: ['GB', 'CH', 'JP', 'FR'][i % 4],
    },
    lines,
    total: lines.reduce((n, l) => n + l.qty * l.price, 0),
    tags: ['web', i % 2 ? 'promo' : 'full-price', `batch-${i % 40}`],
    notes: i % 4 === 0 ? 'Leave at the door; ring twice. "Fragile" items inside.' : null,
    _schemaVersion: 3,
  };
}

async function recordDocuments(count: number): Promise<string[]> {
  const { createHttpServer } = await import('@vercel/cosmosdb-server');
  const { CosmosClient } = await import('@azure/cosmos');
  const server = createHttpServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const client = new CosmosClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    key: KEY,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  try {
    const { database } = await client.databases.createIfNotExists({ id: 'record' });
    const { container } = await database.containers.createIfNotExists({
      id: 'orders',
      partitionKey: { paths: ['/pk'] },
    });
    const docs = Array.from({ length: count }, (_, i) => orderDocument(i));
    for (let i = 0; i < docs.length; i += 250) {
      await container.items.executeBulkOperations(
        docs.slice(i, i + 250).map((d) => ({
          operationType: 'Create' as const,
          resourceBody: d as { id: string },
          partitionKey: d.pk as string,
        })),
      );
    }
    const out: string[] = [];
    for await (const page of container.items.readAll({ maxItemCount: 1000 }).getAsyncIterator())
      out.push(...page.resources.map((d) => JSON.stringify(d)));
    return out;
  } finally {
    client.dispose();
    server.closeAllConnections();
    server.close();
  }
}

/** Runs this file as a child with arguments; resolves with its last stdout line parsed as JSON. */
function child<T>(
  args: string[],
  options: { onLine?: (line: string) => void } = {},
): { result: Promise<T>; kill(): void } {
  const proc = spawn(process.execPath, [SELF, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    for (const line of d.toString().split('\n')) if (line.trim()) options.onLine?.(line.trim());
  });
  const result = new Promise<T>((resolve, reject) => {
    proc.on('exit', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`child ${args.join(' ')} exited ${code}: ${out.slice(-500)}`));
      }
    });
  });
  return { result, kill: () => proc.kill('SIGTERM') };
}

// ---------------------------------------------------------------- the product's own process
/**
 * `holdfast run` itself, as a user runs it, exporting the large container: the whole CLI (job files, plan,
 * catalog, retention, the plugin loading the SDK on first use) from the compiled build (what services run) and
 * from the sources (type stripping, `npx holdfast`). Peak RSS is the child's own maxRSS, written by a preload
 * at exit; seconds are the whole process, start-up included.
 */
async function measureCli(
  endpoint: string,
  runs: number,
  documents: number,
  work: string,
  nodeOptions: string,
): Promise<void> {
  if (runs <= 0 || documents <= 0) return;
  const root = path.resolve(import.meta.dirname, '..');
  const { build } = await import('../scripts/build.ts');
  const compiled = path.join(root, 'bench', '.work', 'dist');
  build(compiled);
  // The two Storage kinds: a local directory, and Azure Blob (Azurite here; the container made beforehand, as
  // the demo does).
  const { startAzurite } = await import('../test/harness/azurite.ts');
  const { BlobServiceClient } = await import('@azure/storage-blob');
  const azurite = await startAzurite();
  await BlobServiceClient.fromConnectionString(azurite.connectionString)
    .getContainerClient('bench')
    .createIfNotExists();
  const storages = {
    local: `spec: { type: local, path: ${JSON.stringify(path.join(work, 'cli-out'))} }`,
    'azure-blob': `spec: { type: azure-blob, account: ${JSON.stringify(azurite.blobEndpoint)}, container: bench, auth: { type: connection-string, connectionString: { secretRef: env:BENCH_BLOB_CONNECTION } } }`,
  };
  const preload = path.join(work, 'max-rss.mjs');
  writeFileSync(
    preload,
    "process.on('exit', () => process.stderr.write(`\\nMAXRSS ${process.resourceUsage().maxRSS}\\n`));\n",
  );
  console.log(
    `\nholdfast run (the CLI process), ${documents} documents, gzip, NODE_OPTIONS=${JSON.stringify(nodeOptions)}:`,
  );
  try {
    for (let r = 0; r < runs; r++) {
      for (const [storage, storageSpec] of Object.entries(storages)) {
        const jobs = path.join(work, `cli-jobs-${storage}`);
        mkdirSync(jobs, { recursive: true });
        writeFileSync(
          path.join(jobs, 'bench.yaml'),
          [
            'apiVersion: holdfast/v1',
            'kind: Storage',
            'metadata: { name: out }',
            storageSpec,
            '---',
            'apiVersion: holdfast/v1',
            'kind: CosmosBackup',
            'metadata: { name: bench-export }',
            'spec:',
            `  account: { endpoint: ${JSON.stringify(endpoint)}, auth: { type: emulator } }`,
            "  include: ['bench/large']",
            '  storage: out',
            `  fileName: '${storage}-${r}/{Database}/{Container}_{Hour}{Minute}{Second}'`,
            '',
          ].join('\n'),
        );
        for (const [entry, bin] of [
          ['compiled', path.join(compiled, 'bin', 'holdfast.js')],
          ['sources', path.join(root, 'bin', 'holdfast.js')],
        ] as const) {
          rmSync(path.join(work, 'cli-out'), { recursive: true, force: true });
          const catalog = path.join(work, `cli-${storage}-${entry}-${r}.db`);
          const started = performance.now();
          const proc = spawn(
            process.execPath,
            ['--import', preload, bin, 'run', jobs, '--job', 'bench-export', '--catalog', catalog],
            {
              stdio: ['ignore', 'pipe', 'pipe'],
              env: {
                ...process.env,
                NODE_OPTIONS: nodeOptions,
                BENCH_BLOB_CONNECTION: azurite.connectionString,
              },
            },
          );
          let stdout = '';
          let stderr = '';
          proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
          proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          const [code] = (await once(proc, 'exit')) as [number];
          const seconds = (performance.now() - started) / 1000;
          const maxRss = Number(/MAXRSS (\d+)/.exec(stderr)?.[1] ?? 0) / 1024;
          const exported = /exported (\d+) documents/.exec(stdout)?.[1];
          console.log(
            `cli-run ${storage.padEnd(10)} ${entry.padEnd(9)} exit ${code}, ${exported ?? '?'} documents in ${seconds.toFixed(1)} s (${Math.round(Number(exported ?? 0) / seconds)} docs/s, start-up included), peak RSS ${Math.round(maxRss)} MB`,
          );
          if (code !== 0) console.log(stdout.slice(-800), stderr.slice(-800));
        }
      }
    }
  } finally {
    await azurite.stop();
  }
}

// ---------------------------------------------------------------- child: replay server
async function serve(configFile: string): Promise<void> {
  const config = JSON.parse(readFileSync(configFile, 'utf8')) as {
    recorded: string[];
    containers: ReplayContainer[];
    cachePages: boolean;
  };
  const { startReplayServer } = await import('../plugins/cosmos/testing/replay-server.ts');
  const server = await startReplayServer(config);
  process.stdout.write(`${JSON.stringify({ endpoint: server.endpoint })}\n`);
  process.stdin.resume();
  await Promise.race([once(process.stdin, 'end'), once(process, 'SIGTERM')]);
  await server.stop();
  process.exit(0);
}

// ---------------------------------------------------------------- child: one measurement
async function measure(mode: string, endpoint: string, container: string): Promise<Measurement> {
  const exporting = mode.startsWith('export');
  // What the mode needs, and nothing else, before "at start" is taken.
  const sdk = exporting ? undefined : await import('@azure/cosmos');
  const product = exporting
    ? {
        ...(await import('../src/catalog/sqlite-catalog.ts')),
        ...(await import('../src/core/clock.ts')),
        ...(await import('../src/core/logger.ts')),
        ...(await import('../src/storage/local-directory.ts')),
        ...(await import('../plugins/cosmos/cosmos-plugin.ts')),
        ...(await import('../plugins/cosmos/schema.ts')),
      }
    : undefined;
  const started = performance.now();
  const rssStartMb = Math.round(process.memoryUsage().rss / 2 ** 20);
  let peakHeap = 0;
  let peakArrayBuffers = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapTotal);
    peakArrayBuffers = Math.max(peakArrayBuffers, m.arrayBuffers);
  };
  setInterval(sample, 10).unref();
  const done = (documents: number, extra: Partial<Measurement> = {}): Measurement => {
    sample();
    return {
      mode,
      container,
      documents,
      seconds: (performance.now() - started) / 1000,
      maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      rssStartMb,
      peakHeapMb: Math.round(peakHeap / 2 ** 20),
      peakArrayBuffersMb: Math.round(peakArrayBuffers / 2 ** 20),
      ...extra,
    };
  };
  const plain = () =>
    new sdk!.CosmosClient({ endpoint, key: KEY, connectionPolicy: { enableEndpointDiscovery: false } });
  const [database, id] = container.split('/') as [string, string];

  if (mode === 'raw-changefeed') {
    const client = plain();
    const c = client.database(database).container(id);
    const ranges = await c.getFeedRanges();
    let documents = 0;
    await Promise.all(
      ranges.map(async (range) => {
        const it = c.items.getChangeFeedIterator({
          changeFeedStartFrom: sdk!.ChangeFeedStartFrom.Beginning(range),
          maxItemCount: 1000,
        });
        for (;;) {
          const r = await it.readNext();
          if (r.statusCode === 304) break;
          documents += r.result.length;
        }
      }),
    );
    client.dispose();
    return done(documents);
  }
  if (mode === 'raw-readall') {
    const client = plain();
    let documents = 0;
    for await (const page of client
      .database(database)
      .container(id)
      .items.readAll({ maxItemCount: 1000 })
      .getAsyncIterator())
      documents += page.resources.length;
    client.dispose();
    return done(documents);
  }
  if (mode === 'seed-style') {
    // What the source documents do: one query, everything in memory, one prettified JSON array (dt.exe /t.Prettify).
    const client = plain();
    const dir = mkdtempSync(path.join(tmpdir(), 'hf-bench-seed-'));
    const file = path.join(dir, 'export.json');
    try {
      const { resources } = await client.database(database).container(id).items.readAll().fetchAll();
      const out = createWriteStream(file);
      out.write('[\n');
      for (let i = 0; i < resources.length; i++) {
        if (!out.write(`${JSON.stringify(resources[i], null, 2)}${i < resources.length - 1 ? ',' : ''}\n`))
          await once(out, 'drain');
      }
      out.end(']\n');
      await once(out, 'finish');
      return done(resources.length, { bytesOut: statSync(file).size });
    } finally {
      client.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (product) {
    const {
      LocalDirectoryTarget,
      cosmosPlugin,
      cosmosBackupSpecSchema,
      systemClock,
      silentLogger,
      openCatalog,
    } = product;
    // export-<compression>[-<level>][-reserialize]
    const [, compression = 'gzip', level] = mode.split('-');
    const rawPages = !mode.endsWith('-reserialize');
    const dir = mkdtempSync(path.join(tmpdir(), 'hf-bench-export-'));
    const storage = new LocalDirectoryTarget('bench', dir);
    const plugin = cosmosPlugin({ rawPages });
    const spec = cosmosBackupSpecSchema.parse({
      account: { endpoint, name: 'bench', auth: { type: 'emulator' } },
      storage: 'bench',
      include: [container],
      compression,
      ...(level && /^\d+$/.test(level) ? { compressionLevel: Number(level) } : {}),
      pageSize: 1000,
      maxParallelRanges: 4,
    });
    const job = {
      apiVersion: 'holdfast/v1' as const,
      kind: 'CosmosBackup',
      metadata: { name: 'bench', labels: {} },
      spec,
      source: { file: SELF, line: 1, column: 1 },
      baseDir: dir,
    };
    const ctx: ExecuteContext = {
      clock: systemClock,
      logger: silentLogger(),
      resolveSecret: () => Promise.reject(new Error('no secrets')),
      storage: () => storage,
      catalog: openCatalog(':memory:'),
      manifests: [job],
      options: { dryRun: false },
      signal: new AbortController().signal,
      runId: 'bench',
      progress: () => undefined,
    };
    try {
      const { steps } = await plugin.plan(job, await plugin.discover(job, ctx), ctx);
      const t0 = performance.now();
      const outcome = await plugin.execute(steps[0]!, job, ctx);
      const seconds = (performance.now() - t0) / 1000;
      const m = JSON.parse(readFileSync(path.join(dir, outcome.artifacts![0]!.locations[1]!), 'utf8')) as {
        data: { documentCount: number; bytesRaw: number; bytesCompressed: number };
      };
      return {
        ...done(m.data.documentCount, { bytesRaw: m.data.bytesRaw, bytesOut: m.data.bytesCompressed }),
        seconds,
      };
    } finally {
      await plugin.dispose!();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  throw new Error(`unknown mode ${mode}`);
}

// ---------------------------------------------------------------- parent
async function runMeasure(mode: string, endpoint: string, container: string): Promise<Measurement> {
  try {
    return await child<Measurement>(['--measure', mode, '--endpoint', endpoint, '--container', container])
      .result;
  } catch (err) {
    return {
      mode,
      container,
      documents: 0,
      seconds: 0,
      maxRssMb: 0,
      error: (err as Error).message.split('\n').find((l) => /Error|heap|memory/i.test(l)) ?? 'failed',
    };
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      measure: { type: 'string' },
      endpoint: { type: 'string' },
      container: { type: 'string' },
      serve: { type: 'string' },
      runs: { type: 'string', default: '3' },
      small: { type: 'string', default: '100000' },
      large: { type: 'string', default: '1000000' },
      'large-runs': { type: 'string', default: '1' },
      emulator: { type: 'string', default: '5000' },
      modes: { type: 'string' },
      'cli-runs': { type: 'string', default: '2' },
      'cli-only': { type: 'boolean', default: false },
      'cli-node-options': { type: 'string', default: '' },
    },
  });
  if (values.serve) return serve(values.serve);
  if (values.measure) {
    process.stdout.write(
      `${JSON.stringify(await measure(values.measure, values.endpoint!, values.container!))}\n`,
    );
    process.exit(0);
  }

  const runs = Number(values.runs);
  const small = Number(values.small);
  const large = Number(values.large);
  const recorded = await recordDocuments(10_000);
  const avg = recorded.reduce((n, d) => n + Buffer.byteLength(d), 0) / recorded.length;
  const work = mkdtempSync(path.join(tmpdir(), 'hf-bench-cosmos-'));
  const configFile = path.join(work, 'replay.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      recorded,
      cachePages: true,
      containers: [
        { database: 'bench', id: 'small', documents: small, ranges: 4 },
        { database: 'bench', id: 'large', documents: large, ranges: 4 },
      ],
    }),
  );
  let endpoint = '';
  const server = child<unknown>(['--serve', configFile], {
    onLine: (l) => (endpoint = (JSON.parse(l) as { endpoint: string }).endpoint),
  });
  while (!endpoint) await new Promise((r) => setTimeout(r, 20));

  console.log(
    `machine: ${cpus().length} cores (${cpus()[0]?.model}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  );
  console.log(
    `recorded documents: ${recorded.length}, average ${Math.round(avg)} bytes as JSON with system properties`,
  );
  console.log(
    `load average before: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}\n`,
  );
  // Fill the server's page cache (one untimed drain per container), so timed runs measure the client.
  await runMeasure('raw-changefeed', endpoint, 'bench/small');
  await runMeasure('raw-changefeed', endpoint, 'bench/large');
  await measureCli(endpoint, Number(values['cli-runs']), large, work, values['cli-node-options']);
  if (values['cli-only']) {
    server.kill();
    return;
  }
  const modes = values.modes?.split(',') ?? [
    'raw-changefeed',
    'raw-readall',
    'export-gzip',
    'export-gzip-6',
    'export-gzip-3',
    'export-zstd',
    'export-none',
    'export-gzip-reserialize',
  ];
  // Runs are interleaved (every mode once, then again), so a busy neighbour on the machine hits all modes alike.
  const byMode = new Map<string, Measurement[]>(modes.map((m) => [m, []]));
  for (let r = 0; r < runs; r++) {
    for (const mode of modes) byMode.get(mode)!.push(await runMeasure(mode, endpoint, 'bench/small'));
  }
  for (const mode of modes) {
    const results = byMode.get(mode)!;
    const m = results.map((x) => x.documents / x.seconds);
    console.log(
      `${mode.padEnd(26)} ${small} docs  median ${Math.round(median(m))} docs/s (${(median(results.map((x) => (x.bytesRaw ?? avg * x.documents) / x.seconds)) / 2 ** 20).toFixed(1)} MiB/s)  runs ${m.map((x) => Math.round(x)).join(', ')}  peak RSS ${results.map((x) => x.maxRssMb).join('/')} MB (at start ${results.map((x) => x.rssStartMb).join('/')}; V8 heap ≤ ${results.map((x) => x.peakHeapMb).join('/')}, ArrayBuffers ≤ ${results.map((x) => x.peakArrayBuffersMb).join('/')})${results[0]!.bytesOut ? `  out ${(results[0]!.bytesOut / 2 ** 20).toFixed(1)} MiB` : ''}`,
    );
  }
  const rate = (mode: string) => median(byMode.get(mode)!.map((x) => x.documents / x.seconds));
  for (const mode of modes.filter((m) => m.startsWith('export'))) {
    console.log(`${mode} / raw-changefeed = ${(rate(mode) / rate('raw-changefeed')).toFixed(2)}`);
  }
  console.log(
    `load average after the runs: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );

  if (Number(values.large) <= 0) {
    server.kill();
    return;
  }
  const largeRuns = Math.max(1, Number(values['large-runs']));
  console.log(`\nsize scaling (${largeRuns} run${largeRuns > 1 ? 's' : ''} each, seed-style once):`);
  const scaling: [string, string][] = [];
  for (let r = 0; r < largeRuns; r++)
    scaling.push(
      ['raw-changefeed', 'bench/large'],
      ['export-gzip', 'bench/large'],
      ['export-zstd', 'bench/large'],
    );
  scaling.push(['seed-style', 'bench/small'], ['seed-style', 'bench/large']);
  for (const [mode, c] of scaling) {
    const m = await runMeasure(mode, endpoint, c);
    console.log(
      `${mode.padEnd(26)} ${c.padEnd(12)} ${m.error ? `FAILED: ${m.error}` : `${m.documents} docs in ${m.seconds.toFixed(1)} s (${Math.round(m.documents / m.seconds)} docs/s), peak RSS ${m.maxRssMb} MB (at start ${m.rssStartMb}; V8 heap ≤ ${m.peakHeapMb}, ArrayBuffers ≤ ${m.peakArrayBuffersMb})${m.bytesOut ? `, output ${(m.bytesOut / 2 ** 20).toFixed(1)} MiB` : ''}${m.bytesRaw ? ` (raw ${(m.bytesRaw / 2 ** 20).toFixed(1)} MiB)` : ''}`}`,
    );
  }
  server.kill();

  const emulatorDocs = Number(values.emulator);
  if (emulatorDocs > 0) {
    console.log(`\nthe npm Cosmos server itself (${emulatorDocs} documents, one range, query reader):`);
    const { createHttpServer } = await import('@vercel/cosmosdb-server');
    const emu = createHttpServer();
    await new Promise<void>((r) => emu.listen(0, '127.0.0.1', () => r()));
    const emuEndpoint = `http://127.0.0.1:${(emu.address() as AddressInfo).port}`;
    const { CosmosClient } = await import('@azure/cosmos');
    const client = new CosmosClient({
      endpoint: emuEndpoint,
      key: KEY,
      connectionPolicy: { enableEndpointDiscovery: false },
    });
    const { database } = await client.databases.createIfNotExists({ id: 'bench' });
    const { container } = await database.containers.createIfNotExists({
      id: 'small',
      partitionKey: { paths: ['/pk'] },
    });
    for (let i = 0; i < emulatorDocs; i += 250) {
      await container.items.executeBulkOperations(
        Array.from({ length: Math.min(250, emulatorDocs - i) }, (_, k) => orderDocument(i + k)).map((d) => ({
          operationType: 'Create' as const,
          resourceBody: d as { id: string },
          partitionKey: d.pk as string,
        })),
      );
    }
    client.dispose();
    for (const mode of ['raw-readall', 'export-gzip', 'raw-readall', 'export-gzip']) {
      const m = await runMeasure(mode, emuEndpoint, 'bench/small');
      console.log(
        `${mode.padEnd(26)} ${m.documents} docs in ${m.seconds.toFixed(2)} s (${Math.round(m.documents / m.seconds)} docs/s), peak RSS ${m.maxRssMb} MB`,
      );
    }
    emu.closeAllConnections();
    emu.close();
  }
  rmSync(work, { recursive: true, force: true });
  for (const d of readdirSync(tmpdir()).filter((n) => n.startsWith('hf-bench-')))
    rmSync(path.join(tmpdir(), d), { recursive: true, force: true });
}

await main();
