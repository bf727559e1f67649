import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHttpServer } from '@vercel/cosmosdb-server';
import type { Clock } from '../../src/core/clock.ts';
import { startChildService, requireFreePort, type ChildService } from '../../src/demo/child-service.ts';
import { startSqlServerSim, type SqlServerSim } from '../sqlserver/index.ts';

/** The fixed loopback ports the example jobs in jobs/ point at. */
export const DEMO_PORTS = { sqlserver: 14330, azurite: 10400, cosmos: 18081, webhook: 18090 } as const;

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface DemoServices {
  sql: SqlServerSim;
  cosmosEndpoint: string;
  blobEndpoint: string;
  /** JSON bodies the webhook channel received. */
  notifications: unknown[];
  workDir: string;
  stop(): Promise<void>;
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

/**
 * Starts everything the example jobs need, on the fixed ports they name: the SQL Server simulator (DW estate),
 * Azurite (blob), the Cosmos DB server, and a webhook receiver standing in for the team's channel.
 * Everything is stopped (and the temp directory removed) by stop(), also when starting fails half-way.
 */
export async function startDemoServices(clock: Clock): Promise<DemoServices> {
  const workDir = mkdtempSync(path.join(tmpdir(), 'holdfast-demo-'));
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    rmSync(workDir, { recursive: true, force: true });
  };
  try {
    for (const [what, port] of Object.entries(DEMO_PORTS)) await requireFreePort('127.0.0.1', port, `the demo's ${what}`);

    const sql = await startSqlServerSim({ dataDir: path.join(workDir, 'sqlserver'), port: DEMO_PORTS.sqlserver, clock });
    stops.push(() => sql.close());

    const azurite: ChildService = await startChildService({
      name: 'Azurite',
      args: [
        path.join(ROOT, 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js'),
        '--blobHost', '127.0.0.1', '--blobPort', String(DEMO_PORTS.azurite), '--location', path.join(workDir, 'azurite'),
        '--skipApiVersionCheck', '--disableTelemetry', '--silent',
      ],
      port: DEMO_PORTS.azurite,
      cwd: workDir,
    });
    stops.push(() => azurite.stop());

    const cosmos = createHttpServer({ keepAlive: true } as Parameters<typeof createHttpServer>[0]);
    await listen(cosmos, DEMO_PORTS.cosmos);
    stops.push(async () => {
      cosmos.closeAllConnections();
      await new Promise<void>((r) => cosmos.close(() => r()));
    });

    const notifications: unknown[] = [];
    const webhook = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        try {
          notifications.push(JSON.parse(body));
        } catch {
          notifications.push(body);
        }
        res.writeHead(202).end();
      });
    });
    await listen(webhook, DEMO_PORTS.webhook);
    stops.push(() => new Promise<void>((r) => webhook.close(() => r())));

    return {
      sql,
      cosmosEndpoint: `http://127.0.0.1:${DEMO_PORTS.cosmos}`,
      blobEndpoint: `http://127.0.0.1:${DEMO_PORTS.azurite}/devstoreaccount1`,
      notifications,
      workDir,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
