/**
 * RPC round trips per second over one mssql connection (TLS) against the TDS simulator with a
 * trivial engine. Client and server run in this one Node process, so both share one core.
 *
 *   ./node_modules/.bin/node bench/tds-rpc.ts [seconds-per-case]
 *
 * Writes bench/results/tds-rpc.md. Target: >= 1,000 RPC/s.
 */
import { cpus, loadavg, totalmem, platform, release } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sql from 'mssql';
import { startTdsServer } from '../sim/sqlserver/server.ts';
import { EchoEngine } from '../sim/sqlserver/tds/testing/echo-engine.ts';

const seconds = Number(process.argv[2] ?? 5);
const engine = new EchoEngine();
const server = await startTdsServer({ engine });

interface Case {
  name: string;
  validateConnection: boolean;
  call: (pool: sql.ConnectionPool) => Promise<unknown>;
}

const cases: Case[] = [
  {
    name: 'execute dbo.noop, no parameters (pool validateConnection: false)',
    validateConnection: false,
    call: (pool) => pool.request().execute('dbo.noop'),
  },
  {
    name: 'execute dbo.echo_proc, 3 inputs + 1 OUTPUT, 2 result sets back (validateConnection: false)',
    validateConnection: false,
    call: (pool) =>
      pool
        .request()
        .input('count', sql.Int, 42)
        .input('label', sql.NVarChar(100), 'nightly full backup')
        .input('lsn', sql.Numeric(25, 0), 1234567890)
        .output('doubled', sql.Int)
        .execute('dbo.echo_proc'),
  },
  {
    name: "execute dbo.noop with mssql's default pool (a SELECT 1 probe before every call)",
    validateConnection: true,
    call: (pool) => pool.request().execute('dbo.noop'),
  },
];

interface Row {
  name: string;
  calls: number;
  perSecond: number;
  p50: number;
  p99: number;
  cpuPercent: number;
}

const rows: Row[] = [];
const loadBefore = loadavg()[0]!;
for (const c of cases) {
  const pool = new sql.ConnectionPool({
    server: server.host,
    port: server.port,
    user: 'sa',
    password: 'Str0ng!Passw0rd',
    pool: { max: 1, min: 1 },
    validateConnection: c.validateConnection,
    options: { encrypt: true, trustServerCertificate: true },
  } as sql.config);
  await pool.connect();
  for (let i = 0; i < 1000; i++) await c.call(pool); // warm-up
  const latencies: number[] = [];
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const deadline = start + seconds * 1000;
  while (performance.now() < deadline) {
    const t = performance.now();
    await c.call(pool);
    latencies.push(performance.now() - t);
  }
  const elapsed = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  latencies.sort((a, b) => a - b);
  const row: Row = {
    name: c.name,
    calls: latencies.length,
    perSecond: Math.round((latencies.length / elapsed) * 1000),
    p50: latencies[Math.floor(latencies.length * 0.5)]!,
    p99: latencies[Math.floor(latencies.length * 0.99)]!,
    cpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / elapsed) * 100),
  };
  rows.push(row);
  console.log(
    `${row.name}: ${row.perSecond}/s (p50 ${row.p50.toFixed(2)} ms, p99 ${row.p99.toFixed(2)} ms, CPU ${row.cpuPercent}%)`,
  );
  await pool.close();
}
await server.close();

const cpu = cpus()[0];
const report = `# TDS simulator: RPC round trips per second

Target: at least 1,000 RPC round trips per second over one mssql connection on one core.

| case | calls | RPC/s | p50 ms | p99 ms | process CPU |
|---|---:|---:|---:|---:|---:|
${rows.map((r) => `| ${r.name} | ${r.calls} | **${r.perSecond}** | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.cpuPercent}% |`).join('\n')}

## Method

- \`./node_modules/.bin/node bench/tds-rpc.ts ${seconds}\` (${new Date().toISOString().slice(0, 10)}).
- One Node ${process.version} process runs both the client (mssql ${pkgVersion('mssql')} on tedious ${pkgVersion('tedious')}) and
  \`startTdsServer\` with the test \`EchoEngine\` on 127.0.0.1, so client and server share one core
  (process CPU 100% = one core busy).
- One \`ConnectionPool\` with \`max: 1\`, encrypted (\`encrypt: true, trustServerCertificate: true\`, TLS 1.2).
- Calls are issued one after another (each awaits the previous), for ${seconds} s per case after 1,000 warm-up calls.
  RPC/s counts \`request.execute\` calls completed; latency is per call as the application sees it.
- With mssql's default \`validateConnection: true\` every pooled request is preceded by a \`SELECT 1;\`
  round trip (answered by the protocol layer), so one \`execute\` costs two round trips.

## Machine

- ${cpu?.model ?? 'unknown CPU'}, ${cpus().length} cores visible, ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${release()}
- Shared with other work: 1-minute load average ${loadBefore.toFixed(2)} when the run started, ${loadavg()[0]!.toFixed(2)} at its end
  (2 cores). Figures are indicative, not a lab measurement.
`;
const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'tds-rpc.md');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, report);
console.log(`written ${out}`);

function pkgVersion(name: string): string {
  try {
    return (
      process.getBuiltinModule('node:module').createRequire(import.meta.url)(`${name}/package.json`) as {
        version: string;
      }
    ).version;
  } catch {
    return '?';
  }
}
