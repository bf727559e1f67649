import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Secret } from '../../../src/core/secret.ts';
import { planRestore } from '../restore/index.ts';
import { readMsdbHistory } from '../restore-run/read-msdb-history.ts';
import { SqlServerSession } from '../restore-run/sql-server-session.ts';
import { DW_PARTIAL_SPEC, startEstate, type Estate } from './estate.ts';

/**
 * What holdfast took must restore: the restore planner (an independent implementation of the chain rules)
 * reads msdb live and must find the latest chain among the backups the catalog records as good.
 */
describe('the backups taken form a chain the restore planner accepts', () => {
  let estate: Estate;
  beforeEach(async () => {
    estate = await startEstate();
  });
  afterEach(async () => estate?.close());

  async function latestRestore(): Promise<{ sets: number[]; stages: number[] }> {
    const session = new SqlServerSession({
      label: 'sim',
      timeZone: 'UTC',
      secrets: [],
      connection: {
        host: estate.sim.host,
        port: estate.sim.port,
        database: 'master',
        auth: { type: 'sql', user: 'sa', password: new Secret(estate.sim.password, 'test') },
        encrypt: true,
        trustServerCertificate: true,
        connectTimeoutMs: 15_000,
        queryTimeoutMs: 60_000,
        maxConnections: 2,
      },
    });
    try {
      const history = await readMsdbHistory(session, { database: 'DW' });
      const result = planRestore(history, { database: 'DW', as: 'DW_restored' });
      if (!result.ok) throw new Error(`no restore plan: ${result.failure.message}`);
      return {
        sets: result.plan.steps.map((s) => s.backup_set_id!),
        stages: result.plan.steps.map((s) => s.stage),
      };
    } finally {
      await session.close();
    }
  }

  it('after a week and a filegroup flipped read-write and back: the newest partial, its last differential, and the matching filegroup backups', async () => {
    const job = estate.writeJob('dw-partial', DW_PARTIAL_SPEC);
    await estate.run(job);
    estate.clock.set('2026-03-02T01:00:00Z');
    estate.sim.sim.write('DW', 'FG_CURRENT', '100MB');
    await estate.run(job);
    estate.clock.set('2026-03-02T10:00:00Z');
    estate.sim.sim.setFilegroupReadOnly('DW', 'FG_2020', false);
    estate.sim.sim.write('DW', 'FG_2020', '1GB');
    estate.sim.sim.setFilegroupReadOnly('DW', 'FG_2020', true);
    estate.clock.set('2026-03-03T01:00:00Z');
    await estate.run(job);
    estate.clock.set('2026-03-04T01:00:00Z');
    estate.sim.sim.write('DW', 'FG_CURRENT', '100MB');
    await estate.run(job);

    // msdb: F F F P Q | F(FG_2020) P | Q
    expect(estate.msdbTypes()).toEqual(['F', 'F', 'F', 'P', 'Q', 'F', 'P', 'Q']);
    const good = new Set(estate.artifacts().map((a) => Number(a.metadata.backupSetId)));
    const plan = await latestRestore();
    expect(plan.sets.slice(0, 2)).toEqual([7, 8]);
    expect([...plan.sets.slice(2)].sort()).toEqual([1, 3, 6]);
    expect(plan.sets.every((id) => good.has(id))).toBe(true);
    expect(plan.stages.slice(0, 2)).toEqual([1, 1]);
  });
});
