import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineEventBus } from '../../../src/engine/events.ts';
import { startEstate, type Estate } from './estate.ts';

/** At most N backups per SQL Server at once (the steps' concurrency group), never two for one database. */
describe('concurrency per server and per database', () => {
  let estate: Estate;
  beforeAll(async () => {
    estate = await startEstate({ scenario: 'empty' });
    for (const name of ['Alpha', 'Bravo', 'Charlie', 'Delta']) {
      estate.sim.sim.createDatabase({
        name,
        recoveryModel: 'FULL',
        filegroups: [
          {
            name: 'PRIMARY',
            files: [{ logicalName: name, physicalName: `E:\\data\\${name}.mdf`, size: '1GB', used: '200MB' }],
          },
        ],
        log: { logicalName: `${name}_log`, physicalName: `L:\\log\\${name}_log.ldf`, size: '256MB' },
      });
    }
  });
  afterAll(async () => estate?.close());

  it("runs two backups at a time on the server, each database's full before its log", async () => {
    const job = estate.writeJob(
      'oltp',
      `databases: [USER_DATABASES]
       schedule: { full: "0 1 * * 0", log: "*/15 * * * *" }
       directory: Y:\\SQL_BACKUPS
       checksum: true
       maxConcurrentBackupsPerServer: 2`,
    );
    estate.sim.faults.engine.slow({ operation: 'xp_backup_database' }, 150);
    estate.sim.faults.engine.slow({ operation: 'xp_backup_log' }, 150);
    const events = new EngineEventBus();
    let running = 0;
    let peak = 0;
    const perDatabase = new Map<string, number>();
    const order: string[] = [];
    events.on('step:start', ({ step }) => {
      running += 1;
      peak = Math.max(peak, running);
      perDatabase.set(step.target, (perDatabase.get(step.target) ?? 0) + 1);
      expect(perDatabase.get(step.target)).toBe(1);
      order.push(`${step.target.split('/').pop()} ${step.action}`);
    });
    events.on('step:end', ({ step }) => {
      running -= 1;
      perDatabase.set(step.target, perDatabase.get(step.target)! - 1);
    });
    const { plan, result } = await estate.run(job, { events });
    expect(result.status).toBe('succeeded');
    expect(plan.steps).toHaveLength(8);
    expect(peak).toBe(2);
    for (const name of ['Alpha', 'Bravo', 'Charlie', 'Delta']) {
      expect(order.indexOf(`${name} backup-full`)).toBeLessThan(order.indexOf(`${name} backup-log`));
      expect(estate.msdbTypes(name)).toEqual(['D', 'L']);
    }
  });
});
