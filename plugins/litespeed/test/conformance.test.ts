import { afterAll, beforeAll, describe } from 'vitest';
import { silentLogger } from '../../../src/core/logger.ts';
import { Secret } from '../../../src/core/secret.ts';
import type { Job } from '../../../src/core/job.ts';
import type { PluginContext } from '../../../src/plugin/contract.ts';
import { describePluginConformance } from '../../../test/plugin/conformance.ts';
import { liteSpeedPlugin } from '../litespeed-plugin.ts';
import { liteSpeedBackupSpecSchema } from '../job-spec-schema.ts';
import { DW_KEY, startEstate, type Estate } from './estate.ts';

describe('LiteSpeed plugin conformance (against the simulator)', () => {
  let estate: Estate;
  beforeAll(async () => {
    estate = await startEstate();
  });
  afterAll(async () => estate?.close());

  describePluginConformance(liteSpeedPlugin, async () => {
    const spec = liteSpeedBackupSpecSchema.parse({
      server: {
        host: estate.sim.host,
        port: estate.sim.port,
        trustServerCertificate: true,
        auth: { type: 'sql', user: 'sa', password: { secretRef: 'env:SQL_PASSWORD' } },
      },
      databases: ['USER_DATABASES', 'NoSuchDatabase'],
      readWriteFileGroups: true,
      directory: 'Y:\\SQL_BACKUPS',
      encryption: { level: 8, key: { secretRef: 'env:DW_BACKUP_KEY' } },
      verify: true,
    });
    const job: Job = {
      apiVersion: 'holdfast/v1',
      kind: 'LiteSpeedBackup',
      metadata: { name: 'dw-conformance', labels: {} },
      spec,
      source: { file: 'x.yaml', line: 1, column: 1 },
      baseDir: estate.dir,
    };
    const ctx: PluginContext = {
      clock: estate.clock,
      logger: silentLogger(),
      resolveSecret: async (ref) =>
        new Secret(estate.env[ref.secretRef.replace(/^env:/, '')]!, ref.secretRef),
      storage: () => {
        throw new Error('no storage');
      },
      catalog: estate.catalog,
      manifests: [job],
      options: { dryRun: true },
      signal: new AbortController().signal,
    };
    return { job, ctx, secretValues: [DW_KEY, estate.sim.password] };
  });
});
