// Runs the SQL Server simulator in the foreground until SIGINT/SIGTERM: `holdfast sim sqlserver` starts this
// file as a child process (product code never imports sim/). Usage:
//   node sim/sqlserver/main.ts [--port N] [--host H] [--data-dir DIR] [--user NAME] [--password PW] [--scenario NAME|FILE] [--clock system|scenario]
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { systemClock } from '../../src/core/clock.ts';
import { startSqlServerSim } from './index.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '14330' },
    host: { type: 'string', default: '127.0.0.1' },
    'data-dir': { type: 'string', default: path.join('.holdfast', 'sim-sqlserver') },
    user: { type: 'string' },
    password: { type: 'string' },
    scenario: { type: 'string', default: 'default' },
    clock: { type: 'string', default: 'system' },
  },
  strict: true,
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port ${values.port}: expected a port number 0-65535`);
  process.exit(2);
}
if (values.clock !== 'system' && values.clock !== 'scenario') {
  console.error(`--clock ${values.clock}: expected system or scenario`);
  process.exit(2);
}
const dataDir = path.resolve(values['data-dir']);
mkdirSync(dataDir, { recursive: true });
const sim = await startSqlServerSim({
  dataDir,
  host: values.host,
  port,
  scenario: values.scenario,
  ...(values.user ? { user: values.user } : {}),
  ...(values.password ? { password: values.password } : {}),
  ...(values.clock === 'system' ? { clock: systemClock } : {}),
});
console.log(
  `SQL Server simulator listening on ${sim.host}:${sim.port} (login ${sim.user}, TLS with a self-signed certificate: connect with trustServerCertificate)`,
);
console.log(`databases: ${sim.sim.databases().join(', ') || '(none)'}; backup files under ${dataDir}`);
const stop = async () => {
  await sim.close();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
