// `holdfast demo`: the whole product on one machine. Starts the SQL Server simulator (DW estate), Azurite and the
// Cosmos DB server on the fixed loopback ports the example jobs in jobs/ name, then drives the real CLI through a
// few simulated days: validate, plan, run, a differential after changes, a read-only filegroup that changed, the
// catalog, a restore script for DW, and a Cosmos restore into a new container. Stops everything and exits 0 when
// every step behaved. Started by the CLI as a child process (product code never imports sim/).
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { CosmosClient } from '@azure/cosmos';
import { main } from '../../src/cli/main.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { startDemoServices, type DemoServices } from './demo-services.ts';
import { seedCosmos } from './seed-cosmos.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const JOBS = path.join(ROOT, 'jobs');
const started = Date.now();
const bold = (s: string) => (process.stdout.isTTY && !('NO_COLOR' in process.env) ? `\u001b[1m${s}\u001b[22m` : s);

function heading(text: string): void {
  process.stdout.write(`\n${bold(`━━ ${text} `.padEnd(100, '━'))}\n\n`);
}

const problems: string[] = [];

async function holdfast(args: string[], catalog: string, clock: ManualClock, expect: number[] = [0]): Promise<string> {
  process.stdout.write(`$ holdfast ${args.join(' ')}\n`);
  let out = '';
  const io: CliIo = {
    stdout: { write: (s: string) => ((out += s), process.stdout.write(s)) },
    stderr: { write: (s: string) => process.stderr.write(s), isTTY: false },
    env: { ...process.env, HOLDFAST_LOG_LEVEL: process.env.HOLDFAST_LOG_LEVEL ?? 'silent' },
    cwd: ROOT,
  };
  const code = await main([...args, '--catalog', catalog], io, { clock });
  if (!expect.includes(code)) problems.push(`holdfast ${args.join(' ')} exited ${code} (expected ${expect.join(' or ')})`);
  process.stdout.write(`(exit ${code})\n`);
  return out;
}

async function run(services: DemoServices, clock: ManualClock): Promise<void> {
  const catalog = path.join(services.workDir, 'catalog.db');
  const cosmos = new CosmosClient({ endpoint: services.cosmosEndpoint, key: 'demo', connectionPolicy: { enableEndpointDiscovery: false } });
  try {
    heading('The estate');
    const seeded = await seedCosmos(cosmos);
    // What a DBA and a platform engineer set up once: the backup share on the SQL Server, the blob container.
    mkdirSync(services.sql.sim.hostPath('Y:\\SQL_BACKUPS'), { recursive: true });
    await BlobServiceClient.fromConnectionString(readFileSync(path.join(JOBS, 'secrets', 'azurite-connection-string.txt'), 'utf8').trim())
      .getContainerClient('holdfast-backups')
      .createIfNotExists();
    process.stdout.write(`SQL Server simulator on 127.0.0.1:${services.sql.port}: databases ${services.sql.sim.databases().filter((d) => !['master', 'tempdb', 'model', 'msdb'].includes(d)).join(', ')}\n`);
    process.stdout.write(`  DW: SIMPLE recovery, read-only FG_2019 FG_2020 FG_2021, read-write FG_CURRENT (the source documents' data warehouse)\n`);
    process.stdout.write(`Cosmos DB server on ${services.cosmosEndpoint}: ${seeded.map((s) => `${s.database}/${s.container} (${s.documents} docs)`).join(', ')}\n`);
    process.stdout.write(`Azurite (Blob) on ${services.blobEndpoint}\n`);

    heading(`Sunday ${clock.now().toISOString()}: validate and plan`);
    await holdfast(['validate', 'jobs'], catalog, clock);
    await holdfast(['plan', 'jobs'], catalog, clock);

    heading('Sunday: run every job (filegroup backups, the weekly partial, the Cosmos export)');
    await holdfast(['run', 'jobs'], catalog, clock);

    heading('Monday: FG_CURRENT changed overnight; the daily run takes a differential partial');
    services.sql.sim.write('DW', 'FG_CURRENT', '300MB');
    clock.advance(24 * 3600_000);
    await holdfast(['run', 'jobs', '--job', 'dw-partial'], catalog, clock);

    heading('Tuesday: someone made FG_2020 read-write, changed it, and set it read-only again');
    services.sql.sim.setFilegroupReadOnly('DW', 'FG_2020', false);
    services.sql.sim.write('DW', 'FG_2020', '50MB');
    services.sql.sim.setFilegroupReadOnly('DW', 'FG_2020', true);
    services.sql.sim.write('DW', 'FG_CURRENT', '100MB');
    clock.advance(24 * 3600_000);
    await holdfast(['plan', 'jobs', '--job', 'dw-partial'], catalog, clock);
    await holdfast(['run', 'jobs', '--job', 'dw-partial'], catalog, clock);

    heading('Where everything landed');
    await holdfast(['catalog', 'list'], catalog, clock);

    heading('Restore DW: the order is computed from msdb, not remembered');
    await holdfast(['restore', 'plan', '--job', 'dw-partial', 'jobs', '--database', 'DW', '--as', 'DW_restored', '--move-data-to', 'F:\\restore'], catalog, clock);
    await holdfast(['restore', 'script', '--job', 'dw-partial', 'jobs', '--database', 'DW', '--as', 'DW_restored', '--move-data-to', 'F:\\restore'], catalog, clock);
    await holdfast(['restore', 'run', '--job', 'dw-partial', 'jobs', '--database', 'DW', '--as', 'DW_restored', '--move-data-to', 'F:\\restore'], catalog, clock);

    heading('Restore a Cosmos container into a new one');
    await holdfast(['restore', 'cosmos', 'jobs', '--job', 'cosmos-nightly', '--database', 'shop', '--container', 'orders', '--to-database', 'shop-restored', '--to-container', 'orders'], catalog, clock);

    heading('Notifications the dba-team webhook received');
    process.stdout.write(`${services.notifications.length} message(s)\n`);
  } finally {
    cosmos.dispose();
  }
}

// The example LiteSpeed job takes its server and key from the environment (jobs/dw-partial.yaml): point it at the simulator.
Object.assign(process.env, {
  DW_SQL_HOST: '127.0.0.1',
  DW_SQL_PORT: '14330',
  DW_SQL_PASSWORD: 'Holdfast!Sim1',
  DW_BACKUP_KEY: 'demo-only-encryption-key',
});
const clock = new ManualClock('2026-03-01T01:00:00Z');
let services: DemoServices | undefined;
try {
  heading('holdfast demo: starting the SQL Server simulator, Azurite and the Cosmos DB server');
  services = await startDemoServices(clock);
  await run(services, clock);
} catch (err) {
  problems.push(err instanceof Error ? (err.stack ?? err.message) : String(err));
} finally {
  await services?.stop();
}
heading(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s; everything the demo started is stopped`);
if (problems.length > 0) {
  process.stdout.write(`The demo did not go as it should:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write('Every step behaved. Next: read jobs/, then `npx holdfast plan jobs/ --format markdown`.\n');
process.exit(0);
