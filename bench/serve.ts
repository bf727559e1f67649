/**
 * `holdfast serve` with 1,000 jobs: start-up time, idle CPU over a minute, and memory.
 *
 *   ./node_modules/.bin/node bench/serve.ts [jobs=1000] [idle-seconds=60] [history-runs-per-job=0,10]
 *     [node-options=;--max-semi-space-size=2] [entries=compiled,sources]
 *
 * Generates job files of the real kinds into a temp dir (half LiteSpeedBackup with a cron per backup type over
 * 20 SQL Servers, half CosmosBackup with one cron in Europe/London over 10 accounts), none due within the
 * measured window, then runs `holdfast serve` as its own process once per catalog size ("history": runs, steps
 * and artifacts per job recorded before start, as after weeks in production), per entry (`compiled`: the build
 * of scripts/build.ts, what the image and the service units run; `sources`: bin/holdfast.js through type
 * stripping, what `npx holdfast` runs) and per NODE_OPTIONS variant (`;`-separated; empty: Node's defaults; the
 * image sets --max-semi-space-size=2). Start-up: spawn until /readyz answers 200. Idle CPU: utime+stime from
 * /proc over the idle window. Writes bench/results/serve.md. Goals: start-up under 2 s, idle CPU under 1%,
 * RSS under 150 MB.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { openCatalog } from '../src/catalog/sqlite-catalog.ts';
import { build } from '../scripts/build.ts';

const JOBS = Number(process.argv[2] ?? 1000);
const IDLE_S = Number(process.argv[3] ?? 60);
const HISTORIES = (process.argv[4] ?? '0,10').split(',').map(Number);
const VARIANTS = (process.argv[5] ?? ';--max-semi-space-size=2').split(';');
const ENTRY_NAMES = (process.argv[6] ?? 'compiled,sources').split(',') as ('compiled' | 'sources')[];
const ROOT = path.resolve(import.meta.dirname, '..');
const COMPILED = path.join(ROOT, 'bench', '.work', 'dist');
const ENTRIES = {
  compiled: { bin: path.join(COMPILED, 'bin', 'holdfast.js'), label: 'compiled (`npm run build`)' },
  sources: { bin: path.join(ROOT, 'bin', 'holdfast.js'), label: 'sources (type stripping)' },
};
const CLK_TCK = 100; // USER_HZ on Linux

/** Hours of the day (UTC) at least two hours away from now, so no job fires while we measure. */
function quietHours(): number[] {
  const now = new Date().getUTCHours();
  return Array.from({ length: 24 }, (_, h) => h).filter(
    (h) => ![now, (now + 1) % 24, (now + 2) % 24, (now + 23) % 24].includes(h),
  );
}

const SQL_SERVERS = 20;
const COSMOS_ACCOUNTS = 10;
const jobName = (i: number) => `job-${i}`;
const sqlHost = (i: number) => `sql${String(i % SQL_SERVERS).padStart(2, '0')}.corp.example`;
const targetOf = (i: number) =>
  i % 2 === 0 ? `${sqlHost(i)}/DW${i}` : `cosno-${i % COSMOS_ACCOUNTS}/shop/orders`;

/** Job files as a DBA would write them: the example jobs' settings (jobs/), one job a file. */
function writeJobs(dir: string, jobs: number): void {
  const hours = quietHours();
  writeFileSync(
    path.join(dir, 'storage.yaml'),
    'apiVersion: holdfast/v1\nkind: Storage\nmetadata: { name: out }\nspec: { type: local, path: ./out }\n',
  );
  for (let i = 0; i < jobs; i++) {
    const h = hours[i % hours.length]!;
    const m = (i * 7) % 60;
    const [kind, spec] =
      i % 2 === 0
        ? [
            'LiteSpeedBackup',
            {
              server: {
                host: sqlHost(i),
                auth: {
                  type: 'sql',
                  user: 'holdfast_backup',
                  password: { secretRef: 'env:BENCH_SQL_PASSWORD' },
                },
              },
              databases: [`DW${i}`],
              readWriteFileGroups: true,
              schedule: {
                full: `${m} ${h} * * 0`,
                differential: `${m} ${h} * * 1-6`,
                log: `${m} ${hours.slice(0, 4).join(',')} * * *`,
                timezone: 'UTC',
              },
              directory: 'Y:\\SQL_BACKUPS',
              compressionLevel: 4,
              encryption: { level: 8, key: { secretRef: 'env:BENCH_BACKUP_KEY' } },
              checksum: true,
              verify: true,
              retention: { keepDays: 14 },
              rpo: '26h',
            },
          ]
        : [
            'CosmosBackup',
            {
              schedule: { cron: `${m} ${h} * * *`, timezone: 'Europe/London', catchUp: true },
              account: { endpoint: `https://cosno-${i % COSMOS_ACCOUNTS}.documents.azure.com` },
              include: ['*/*'],
              exclude: ['scratch*/*'],
              storage: 'out',
              fileName: `j${i}/{Database}/{Container}/{Container}_{Year}{Month}{Day}_{Hour}{Minute}{Second}`,
              maxRequestUnitsPerSecond: 2000,
              retention: { keepDays: 14 },
              rpo: '26h',
            },
          ];
    writeFileSync(
      path.join(dir, `job-${String(i).padStart(4, '0')}.yaml`),
      `apiVersion: holdfast/v1\nkind: ${kind}\nmetadata: { name: ${jobName(i)} }\nspec: ${JSON.stringify(spec)}\n`,
    );
  }
}

/**
 * Runs, steps and artifacts per job, recorded as an earlier process would have: the newest a minute ago (after
 * every line's previous fire time, so nothing is missed and no catch-up run starts), then one a day before that.
 */
function seedCatalog(file: string, jobs: number, runsPerJob: number): number {
  const catalog = openCatalog(file);
  const t0 = Date.now() - 60_000;
  let n = 0;
  for (let i = 0; i < jobs; i++) {
    for (let r = 0; r < runsPerJob; r++) {
      const at = new Date(t0 - r * 86_400_000);
      const job = jobName(i);
      const target = targetOf(i);
      const sql = i % 2 === 0;
      const plugin = sql ? 'litespeed' : 'cosmos';
      const type = sql ? (r % 7 === 0 ? 'partial' : 'differential-partial') : 'export';
      const runId = catalog.startRun({ command: 'serve', jobs: [job], startedAt: at });
      const artifactId = catalog.addArtifact({
        runId,
        stepId: `${job}/${target}/${type}`,
        job,
        plugin,
        target,
        kind: sql ? 'litespeed-backup' : 'cosmos-export',
        type,
        storage: sql ? 'server' : 'out',
        locations: [sql ? `Y:\\SQL_BACKUPS\\${type}-${r}.bak` : `j${i}/shop/orders/orders_${r}.jsonl.gz`],
        bytes: 1_000_000,
        createdAt: at,
        dependsOn: [],
        metadata: {},
      });
      catalog.recordStep(runId, {
        stepId: `${job}/${target}/${type}`,
        job,
        plugin,
        target,
        action: sql ? `backup-${type}` : 'export-container',
        status: 'succeeded',
        startedAt: at.toISOString(),
        finishedAt: at.toISOString(),
        durationMs: 10_000,
        summary: sql ? `${type} backup` : 'exported',
        metrics: { bytes: 1_000_000 },
        artifactIds: [artifactId],
      });
      catalog.finishRun(runId, 'succeeded', at);
      n++;
    }
  }
  catalog.close();
  return n;
}

function procStat(pid: number): { cpuTicks: number; rssKb: number; hwmKb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuTicks = Number(fields[11]) + Number(fields[12]); // utime, stime
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { cpuTicks, rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
}

type Entry = keyof typeof ENTRIES;

interface Result {
  entry: Entry;
  jobs: number;
  nodeOptions: string;
  history: number;
  seededRuns: number;
  startupMs: number;
  configLoadedMs: number;
  startupCpuS: number;
  idleCpuPct: number;
  rssMb: number;
  peakRssMb: number;
  metricsMs: number;
  metricsKb: number;
  stopMs: number;
  lines: number;
}

async function measure(
  entry: Entry,
  dir: string,
  jobs: number,
  history: number,
  nodeOptions: string,
): Promise<Result> {
  const state = mkdtempSync(path.join(tmpdir(), 'hf-bench-state-'));
  const catalogFile = path.join(state, 'catalog.db');
  const seededRuns = history > 0 ? seedCatalog(catalogFile, jobs, history) : 0;
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      ENTRIES[entry].bin,
      'serve',
      dir,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--catalog',
      catalogFile,
      '--no-watch',
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...process.env,
        HOLDFAST_LOG_LEVEL: 'info',
        NODE_OPTIONS: nodeOptions,
        BENCH_SQL_PASSWORD: 'bench-password',
        BENCH_BACKUP_KEY: 'bench-key',
      },
    },
  );
  let port = 0;
  let configLoadedMs = 0;
  let lines = 0;
  let buffered = '';
  child.stderr!.on('data', (d: Buffer) => {
    buffered += d;
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const l of parts) {
      try {
        const j = JSON.parse(l) as { port?: number; event?: string; lines?: number };
        if (j.port) port = j.port;
        if (j.event === 'config-loaded' && !configLoadedMs) {
          configLoadedMs = performance.now() - started;
          lines = j.lines ?? 0;
        }
      } catch {
        process.stderr.write(`${l}\n`);
      }
    }
  });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  for (;;) {
    if (port) {
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
    }
    if (performance.now() - started > 60_000) throw new Error('serve did not become ready in 60 s');
    await new Promise((r) => setTimeout(r, 10));
  }
  const startupMs = performance.now() - started;
  const pid = child.pid!;
  await new Promise((r) => setTimeout(r, 2000)); // settle (GC after start-up)
  const a = procStat(pid);
  const t = performance.now();
  await new Promise((r) => setTimeout(r, IDLE_S * 1000));
  const b = procStat(pid);
  const idleCpuPct = ((b.cpuTicks - a.cpuTicks) / CLK_TCK / ((performance.now() - t) / 1000)) * 100;
  const m0 = performance.now();
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const metricsMs = performance.now() - m0;
  const stop0 = performance.now();
  child.kill('SIGTERM');
  await exited;
  const stopMs = performance.now() - stop0;
  rmSync(state, { recursive: true, force: true });
  return {
    entry,
    jobs,
    nodeOptions,
    history,
    seededRuns,
    startupMs,
    configLoadedMs,
    startupCpuS: a.cpuTicks / CLK_TCK,
    idleCpuPct,
    rssMb: b.rssKb / 1024,
    peakRssMb: b.hwmKb / 1024,
    metricsMs,
    metricsKb: metrics.length / 1024,
    stopMs,
    lines,
  };
}

const dir = mkdtempSync(path.join(tmpdir(), 'hf-bench-jobs-'));
const none = mkdtempSync(path.join(tmpdir(), 'hf-bench-none-'));
const load0 = loadavg()[0]!;
writeJobs(dir, JOBS);
writeJobs(none, 0);
const results: Result[] = [];
if (ENTRY_NAMES.includes('compiled')) build(COMPILED);
try {
  for (const entry of ENTRY_NAMES) {
    // What the process costs with no job at all: Node, the CLI's modules, the HTTP server.
    for (const variant of VARIANTS) {
      const r = await measure(entry, none, 0, 0, variant);
      console.log(JSON.stringify(r));
      results.push(r);
    }
    for (const history of HISTORIES) {
      for (const variant of VARIANTS) {
        const r = await measure(entry, dir, JOBS, history, variant);
        console.log(JSON.stringify(r));
        results.push(r);
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  rmSync(none, { recursive: true, force: true });
}
const load1 = loadavg()[0]!;

const f = (n: number, d = 0) => n.toFixed(d);
const rows = results.map(
  (r) =>
    `| ${ENTRIES[r.entry].label} | ${r.jobs.toLocaleString('en')} | ${r.history === 0 ? 'empty' : `${r.history} runs/job (${r.seededRuns.toLocaleString('en')} runs, steps, artifacts)`} | ${r.nodeOptions ? `\`${r.nodeOptions}\`` : 'defaults'} | ${r.lines} | **${f(r.startupMs)} ms** | ${f(r.configLoadedMs)} ms | ${f(r.startupCpuS, 2)} s | **${f(r.idleCpuPct, 2)}%** | **${f(r.rssMb)} MB** | ${f(r.peakRssMb)} MB | ${f(r.metricsMs)} ms / ${f(r.metricsKb)} KB | ${f(r.stopMs)} ms |`,
);
const md = `# holdfast serve: ${JOBS.toLocaleString('en')} jobs loaded and scheduled

Goals: start-up under 2 s, idle CPU under 1%, RSS under 150 MB.

| entry | jobs | catalog | NODE_OPTIONS | schedule lines | start-up (spawn → /readyz 200) | config loaded | CPU during start-up | idle CPU (${IDLE_S} s) | RSS after idle | peak RSS | one /metrics scrape | SIGTERM → exit |
|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

## Method

- \`./node_modules/.bin/node bench/serve.ts ${JOBS} ${IDLE_S} ${HISTORIES.join(',')} '${VARIANTS.join(';')}' ${ENTRY_NAMES.join(',')}\` (${new Date().toISOString().slice(0, 10)}).
- ${JOBS.toLocaleString('en')} job files of the real kinds (one manifest each) plus one Storage file, generated into a
  temp dir, written like the example jobs in jobs/. Even jobs: \`LiteSpeedBackup\` of one database each, with
  \`{ full, differential, log }\` crons in UTC over 20 SQL Server hosts (3 schedule lines each), encryption key
  and password from the environment; odd jobs: \`CosmosBackup\` with \`{ cron, timezone: Europe/London,
  catchUp: true }\` over 10 accounts (Entra auth). No fire time falls within two hours of the run, so the idle
  window measures the scheduler alone, and no server is contacted (none is needed to load and schedule).
- \`holdfast serve DIR --port 0 --no-watch\` runs as its own process, log level info, logs on stderr, from
  one of two entries: **compiled**, the output of \`npm run build\` (scripts/build.ts; built by the bench into
  bench/.work/dist), which the container image and the service units in docs/deployment.md run; **sources**,
  bin/holdfast.js, which Node runs through type stripping (\`npx holdfast\`). Start-up is measured from spawn
  (Node start, loading the CLI's modules, loading and validating every file, reading the schedules, missed-run
  detection against the catalog, seeding the last-success metrics) until \`/readyz\` answers 200 (which also
  probes that the catalog is writable).
- Idle CPU: utime + stime of the process from \`/proc/PID/stat\` over ${IDLE_S} s, 2 s after it became ready, as
  a percentage of one core. RSS and peak RSS (VmHWM) from \`/proc/PID/status\` at the end of the idle window.
- "History" rows record runs, steps and artifacts per job in the catalog before start (as after weeks in
  production), so start-up includes reading them for missed-run detection and \`holdfast_last_success_timestamp_seconds\`.

## Machine

- ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores visible, ${f(totalmem() / 2 ** 30)} GiB, ${platform()} ${release()}, Node ${process.version}
- Shared with other work: 1-minute load average ${f(load0, 2)} when the run started, ${f(load1, 2)} at its end.
  Figures are indicative, not a lab measurement.
`;
mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(path.join(ROOT, 'bench', 'results', 'serve.md'), md);
console.log(md);
