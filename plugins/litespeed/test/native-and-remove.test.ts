import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger.ts';
import { Secret } from '../../../src/core/secret.ts';
import type { Job } from '../../../src/core/job.ts';
import type { ExecuteContext } from '../../../src/plugin/contract.ts';
import { liteSpeedPlugin } from '../litespeed-plugin.ts';
import { liteSpeedBackupSpecSchema } from '../job-spec-schema.ts';
import { DW_PARTIAL_SPEC, outcome, startEstate, type Estate } from './estate.ts';

function removeContext(estate: Estate): ExecuteContext {
  return {
    clock: estate.clock,
    logger: silentLogger(),
    resolveSecret: async (ref) => new Secret(estate.env[ref.secretRef.replace(/^env:/, '')]!, ref.secretRef),
    storage: () => {
      throw new Error('no storage');
    },
    catalog: estate.catalog,
    manifests: [],
    options: { dryRun: false },
    signal: new AbortController().signal,
    runId: 'retention',
    progress: () => undefined,
  };
}

function jobOf(estate: Estate, name: string, spec: Record<string, unknown>): Job {
  const server = {
    host: estate.sim.host,
    port: estate.sim.port,
    trustServerCertificate: true,
    auth: { type: 'sql', user: 'sa', password: { secretRef: 'env:SQL_PASSWORD' } },
  };
  return {
    apiVersion: 'holdfast/v1',
    kind: 'LiteSpeedBackup',
    metadata: { name, labels: {} },
    spec: liteSpeedBackupSpecSchema.parse({ server, ...spec }),
    source: { file: 'x.yaml', line: 1, column: 1 },
    baseDir: estate.dir,
  };
}

describe('native engine, backups taken outside holdfast, and removal for retention', () => {
  let estate: Estate;
  beforeEach(async () => {
    estate = await startEstate({ scenario: 'sales-full', start: '2026-03-03T01:00:00Z' });
  });
  afterEach(async () => estate?.close());

  it('native BACKUP, striped over two folders, verified; a base taken outside holdfast is replaced; files removed through a mounted path', async () => {
    const job = estate.writeJob(
      'sales-native',
      `databases: [Sales]
       engine: native
       schedule: { full: "0 1 * * 0", differential: "0 1 * * 1-6", log: "0 */4 * * *" }
       directory: ['Y:\\SQL_BACKUPS\\native1', 'Y:\\SQL_BACKUPS\\native2']
       compressionLevel: 1
       checksum: true
       verify: true
       retention: { keepDays: 7, deleteVia: path }
       mountedPaths: { 'Y:\\SQL_BACKUPS': '${estate.sim.sim.hostPath('Y:\\SQL_BACKUPS').replaceAll('\\', '/')}' }`,
    );
    const before = estate.msdbTypes('Sales');
    const { plan, result } = await estate.run(job);
    expect(outcome(result)).toEqual(['backup-full succeeded', 'backup-log succeeded']);
    expect(plan.steps[0]!.reason).toMatch(
      /^the differential schedule \(0 1 \* \* 1-6\) fired at 2026-03-03T01:00:00Z, but the current base, backup set \d+ \(full, .*\), is not recorded as good in holdfast's catalog \(taken outside holdfast, or not verified\); taking a full backup instead$/,
    );
    expect(plan.steps[0]!.command).toMatch(
      /BACKUP DATABASE \[Sales\]\nTO DISK = N'Y:\\SQL_BACKUPS\\native1\\SIM01\\Sales\\FULL\\SIM01_Sales_FULL_20260303_010000_1\.bak', DISK = N'Y:\\SQL_BACKUPS\\native2\\/,
    );
    expect(plan.steps[0]!.command).toContain('WITH STATS = 10, CHECKSUM, COMPRESSION, NOINIT');
    expect(plan.steps[0]!.command).toContain('RESTORE VERIFYONLY FROM DISK');
    expect(estate.msdbTypes('Sales')).toEqual([...before, 'D', 'L']);

    const [full, log] = estate.artifacts();
    expect(full!.locations).toHaveLength(2);
    expect(log!.dependsOn).toEqual([full!.id]);
    for (const f of full!.locations) expect(existsSync(estate.sim.sim.hostPath(f))).toBe(true);

    const plugin = liteSpeedPlugin();
    const manifest = jobOf(estate, 'sales-native', {
      databases: ['Sales'],
      engine: 'native',
      directory: ['Y:\\SQL_BACKUPS\\native1', 'Y:\\SQL_BACKUPS\\native2'],
      retention: { keepDays: 7, deleteVia: 'path' },
      mountedPaths: { 'Y:\\SQL_BACKUPS': estate.sim.sim.hostPath('Y:\\SQL_BACKUPS') },
    });
    try {
      await plugin.remove!(full!, manifest, removeContext(estate));
      for (const f of full!.locations) expect(existsSync(estate.sim.sim.hostPath(f))).toBe(false);
      await plugin.remove!(full!, manifest, removeContext(estate));
    } finally {
      await plugin.dispose?.();
    }
  });

  it('LiteSpeed files are removed through the server (xp_slssqlmaint), and removing them again succeeds', async () => {
    estate.clock.set('2026-03-01T01:00:00Z');
    await estate.sim.sim.runChecked("EXEC master.dbo.xp_create_subdir N'Y:\\SQL_BACKUPS\\dw'");
    const job = estate.writeJob(
      'sales-litespeed',
      `databases: [Sales]\ndirectory: Y:\\SQL_BACKUPS\\dw\nchecksum: true\nschedule: { full: "0 1 * * 0" }`,
    );
    estate.clock.set('2026-03-04T01:00:00Z');
    const { result } = await estate.run(job, { forceType: 'full' });
    expect(outcome(result)).toEqual(['backup-full succeeded']);
    const [full] = estate.artifacts();
    const host = estate.sim.sim.hostPath(full!.locations[0]!);
    expect(existsSync(host)).toBe(true);
    const plugin = liteSpeedPlugin();
    const manifest = jobOf(estate, 'sales-litespeed', {
      databases: ['Sales'],
      directory: 'Y:\\SQL_BACKUPS\\dw',
    });
    try {
      await plugin.remove!(full!, manifest, removeContext(estate));
      expect(existsSync(host)).toBe(false);
      await plugin.remove!(full!, manifest, removeContext(estate));
    } finally {
      await plugin.dispose?.();
    }
  });

  it('the script a plan shows runs as it is on the server (key masked as ********, which then is the key)', async () => {
    estate.clock.set('2026-03-01T01:00:00Z');
    const dw = estate.writeJob(
      'dw-script',
      DW_PARTIAL_SPEC.replace('databases: [DW]', 'databases: [Sales]').replace(
        'readWriteFileGroups: true',
        'readWriteFileGroups: false',
      ),
    );
    const plan = await estate.plan(dw, { forceType: 'full' });
    expect(plan.steps.map((s) => s.action)).toEqual(['backup-full']);
    const script = plan.steps[0]!.command;
    const before = estate.msdbTypes('Sales').length;
    const r = await estate.sim.sim.run(script);
    expect(r.errors).toEqual([]);
    expect(r.infos.join('\n')).toMatch(/The backup set on file 1 is valid/);
    expect(estate.msdbTypes('Sales').slice(before)).toEqual(['D']);
  });
});
