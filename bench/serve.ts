/**
 * `holdfast serve` with 1,000 jobs: start-up time, idle CPU over a minute, and memory.
 *
 *   ./node_modules/.bin/node bench/serve.ts [jobs=1000] [idle-seconds=60] [history-runs-per-job=0,10] [node-options=;--max-semi-space-size=2]
 *
 * Generates job files into a temp dir (the scheduled FileCopy test kind: half with a cron per backup type
 * over 20 SQL Servers, half with one cron in Europe/London over 10 Cosmos accounts), none due within the
 * measured window, then runs `serve` as its own process (test/schedule/serve-entry.ts) once per catalog size
 * ("history": runs, steps and artifacts per job recorded before start, as after weeks in production), and once
 * per NODE_OPTIONS variant (`;`-separated; empty: Node's defaults; the image sets --max-semi-space-size=2).
 * Start-up: spawn until /readyz answers 200. Idle CPU: utime+stime from /proc over the idle window.
 * Writes bench/results/serve.md. Goals: start-up under 2 s, idle CPU under 1%, RSS under 150 MB.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { openCatalog } from '../src/catalog/sqlite-catalog.ts';

const JOBS = Number(process.argv[2] ?? 1000);
const IDLE_S = Number(process.argv[3] ?? 60);
const HISTORIES = (process.argv[4] ?? '0,10').split(',').map(Number);
const VARIANTS = (process.argv[5] ?? ';--max-semi-space-size=2').split(';');
const ROOT = path.resolve(import.meta.dirname, '..');
const ENTRY = path.join(ROOT, 'test', 'schedule', 'serve-entry.ts');
const CLK_TCK = 100; // USER_HZ on Linux

/** Hours of the day (UTC) at least two hours away from now, so no job fires while we measure. */
function quietHours(): number[] {
  const now = new Date().getUTCHours();
  return Array.from({ length: 24 }, (_, h) => h).filter(
    (h) => ![now, (now + 1) % 24, (now + 2) % 24, (now + 23) % 24].includes(h),
  );
}

function writeJobs(dir: string, jobs: number): void {
  const hours = quietHours();
  writeFileSync(
    path.join(dir, 'storage.yaml'),
    'apiVersion: holdfast/v1\nkind: Storage\nmetadata: { name: out }\nspec: { type: local, path: ./out }\n',
  );
  mkdirSync(path.join(dir, 'data'));
  writeFileSync(path.join(dir, 'data', 'a.txt'), 'a');
  for (let i = 0; i < jobs; i++) {
    const h = hours[i % hours.length]!;
    const m = (i * 7) % 60;
    const spec =
      i % 2 === 0
        ? {
            source: './data',
            storage: 'out',
            prefix: `j${i}`,
            server: { host: `sql${String(i % 20).padStart(2, '0')}.corp.example` },
            rpo: '26h',
            schedule: {
              full: `${m} ${h} * * 0`,
              differential: `${m} ${h} * * 1-6`,
              log: `${m} ${hours.slice(0, 4).join(',')} * * *`,
            },
            notify: [],
          }
        : {
            source: './data',
            storage: 'out',
            prefix: `j${i}`,
            account: { endpoint: `https://cosno-${i % 10}.documents.azure.com` },
            rpo: '26h',
            schedule: { cron: `${m} ${h} * * *`, timezone: 'Europe/London', catchUp: true },
          };
    writeFileSync(
      path.join(dir, `job-${String(i).padStart(4, '0')}.yaml`),
      `apiVersion: holdfast/v1\nkind: FileCopy\nmetadata: { name: job-${i} }\nspec: ${JSON.stringify(spec)}\n`,
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
      const job = `job-${i}`;
      const target = 'data/a.txt';
      const runId = catalog.startRun({ command: 'serve', jobs: [job], startedAt: at });
      const artifactId = catalog.addArtifact({
        runId,
        stepId: `${job}/${target}`,
        job,
        plugin: 'file-copy',
        target,
        kind: 'file-copy',
        type: 'full',
        storage: 'out',
        locations: [`j${i}/a-${r}`],
        bytes: 1,
        createdAt: at,
        dependsOn: [],
        metadata: {},
      });
      catalog.recordStep(runId, {
        stepId: `${job}/${target}`,
        job,
        plugin: 'file-copy',
        target,
        action: 'copy-file',
        status: 'succeeded',
        startedAt: at.toISOString(),
        finishedAt: at.toISOString(),
        durationMs: 10,
        summary: 'copied 1 bytes',
        metrics: { bytes: 1 },
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

interface Result {
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

async function measure(dir: string, jobs: number, history: number, nodeOptions: string): Promise<Result> {
  const state = mkdtempSync(path.join(tmpdir(), 'hf-bench-state-'));
  const catalogFile = path.join(state, 'catalog.db');
  const seededRuns = history > 0 ? seedCatalog(catalogFile, jobs, history) : 0;
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [ENTRY, 'serve', dir, '--port', '0', '--host', '127.0.0.1', '--catalog', catalogFile, '--no-watch'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, HOLDFAST_LOG_LEVEL: 'info', NODE_OPTIONS: nodeOptions },
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
try {
  // What the process costs with no job at all: Node, the CLI's modules, the HTTP server.
  for (const variant of VARIANTS) {
    const r = await measure(none, 0, 0, variant);
    console.log(JSON.stringify(r));
    results.push(r);
  }
  for (const history of HISTORIES) {
    for (const variant of VARIANTS) {
      const r = await measure(dir, JOBS, history, variant);
      console.log(JSON.stringify(r));
      results.push(r);
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
    `| ${r.jobs.toLocaleString('en')} | ${r.history === 0 ? 'empty' : `${r.history} runs/job (${r.seededRuns.toLocaleString('en')} runs, steps, artifacts)`} | ${r.nodeOptions ? `\`${r.nodeOptions}\`` : 'defaults'} | ${r.lines} | **${f(r.startupMs)} ms** | ${f(r.configLoadedMs)} ms | ${f(r.startupCpuS, 2)} s | **${f(r.idleCpuPct, 2)}%** | **${f(r.rssMb)} MB** | ${f(r.peakRssMb)} MB | ${f(r.metricsMs)} ms / ${f(r.metricsKb)} KB | ${f(r.stopMs)} ms |`,
);
const md = `# holdfast serve: ${JOBS.toLocaleString('en')} jobs loaded and scheduled

Goals: start-up under 2 s, idle CPU under 1%, RSS under 150 MB.

| jobs | catalog | NODE_OPTIONS | schedule lines | start-up (spawn → /readyz 200) | config loaded | CPU during start-up | idle CPU (${IDLE_S} s) | RSS after idle | peak RSS | one /metrics scrape | SIGTERM → exit |
|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

## Method

- \`./node_modules/.bin/node bench/serve.ts ${JOBS} ${IDLE_S} ${HISTORIES.join(',')} '${VARIANTS.join(';')}'\` (${new Date().toISOString().slice(0, 10)}).
- ${JOBS.toLocaleString('en')} job files (one manifest each) plus one Storage file, generated into a temp dir. Kind: the
  scheduled FileCopy test kind (test/schedule/scheduled-file-copy.ts): the job spec keys \`holdfast serve\`
  reads are the real ones (\`schedule\`, \`rpo\`, \`server.host\` / \`account.endpoint\`). Even jobs: \`{ full,
  differential, log }\` in UTC over 20 SQL Server hosts (3 schedule lines each); odd jobs: \`{ cron, timezone:
  Europe/London, catchUp: true }\` over 10 Cosmos accounts. No fire time falls within two hours of the run, so
  the idle window measures the scheduler alone.
- \`serve\` runs as its own process (\`node test/schedule/serve-entry.ts serve DIR --port 0 --no-watch\`: the CLI
  with the test plugin registered), log level info, logs on stderr. Start-up is measured from spawn (Node
  start, loading the TypeScript sources through type stripping, loading and validating every file, reading the
  schedules, missed-run detection against the catalog, seeding the last-success metrics) until \`/readyz\`
  answers 200 (which also probes that the catalog is writable).
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
