import path from 'node:path';
import { describe, it } from 'vitest';
import type { Plan } from '../../src/core/plan.ts';
import { renderPlan } from '../../src/engine/render-plan.ts';
import { expectGolden } from '../helpers/golden.ts';

const GOLDEN = path.join(import.meta.dirname, 'golden');

/** A plan like the LiteSpeed and Cosmos plugins make, with every part a reviewer reads. */
const plan: Plan = {
  formatVersion: 1,
  createdAt: '2026-03-01T01:00:00.000Z',
  command: 'plan',
  jobs: [
    { name: 'dw-partial', kind: 'LiteSpeedBackup', plugin: 'litespeed', file: 'jobs/dw.yaml', targets: ['sql01/DW'] },
    { name: 'orders-nightly', kind: 'CosmosBackup', plugin: 'cosmos', file: 'jobs/cosmos.yaml', targets: [] },
  ],
  steps: [
    {
      id: 'dw-partial/sql01/DW/filegroup/FG_2020',
      job: 'dw-partial',
      plugin: 'litespeed',
      target: 'sql01/DW',
      action: 'backup-filegroup',
      command: "EXEC @rc = master.dbo.xp_backup_database @database = N'DW', @filename = N'Y:\\SQL_BACKUPS\\DW_FG_2020.bak', @filegroup = N'FG_2020', @encryptionkey = N'********';",
      reason: 'filegroup FG_2020 changed since its last backup (read_only_lsn moved from 34000000012300001 to 35000000000100001)',
      dependsOn: [],
      params: {},
    },
    {
      id: 'dw-partial/sql01/DW/partial',
      job: 'dw-partial',
      plugin: 'litespeed',
      target: 'sql01/DW',
      action: 'backup-partial',
      command: "EXEC @rc = master.dbo.xp_backup_database @database = N'DW', @read_write_filegroups = 1, @with = N'CHECKSUM';",
      reason: 'weekly partial base is due (schedule 0 1 * * 0) | pipes | and *stars*',
      dependsOn: ['dw-partial/sql01/DW/filegroup/FG_2020'],
      concurrency: { group: 'sqlserver:sql01:1433', limit: 2 },
      params: { database: 'DW' },
    },
  ],
  notes: [
    { level: 'warning', plugin: 'cosmos', job: 'orders-nightly', message: 'container shop/audit exists but no job covers it' },
    { level: 'info', message: 'a note of no job' },
  ],
  retention: [
    { job: 'dw-partial', artifactId: 'a1', target: 'sql01/DW', type: 'F', location: 'Y:\\SQL_BACKUPS\\DW_FG_2019.bak', createdAt: '2026-01-04T01:00:00.000Z', decision: 'keep', reasons: ['older than 14 days', 'needed by kept partial P 2026-02-22'] },
    { job: 'dw-partial', artifactId: 'a2', target: 'sql01/DW', type: 'Q', location: 'Y:\\SQL_BACKUPS\\DW_Q_0203.bak', createdAt: '2026-02-03T01:00:00.000Z', decision: 'remove', reasons: ['older than 14 days', 'nothing kept depends on it'] },
  ],
  problems: [{ job: 'orders-nightly', plugin: 'cosmos', hook: 'discover', message: 'plugin cosmos (discover): account https://cosno-orders.documents.azure.com unreachable', code: 'SERVER_ERROR' }],
};

describe('plan rendering', () => {
  for (const format of ['text', 'markdown', 'json'] as const) {
    it(`renders ${format} like the golden file`, () => {
      expectGolden(path.join(GOLDEN, `plan.${format === 'markdown' ? 'md' : format === 'json' ? 'json' : 'txt'}`), renderPlan(plan, format));
    });
  }
});
