import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DW_PARTIAL_SPEC, outcome, startEstate, type Estate } from './estate.ts';

/** Bad input found before any backup starts: each problem names the job, the database and the value. */
describe('preflight against the simulator', () => {
  let estate: Estate;
  beforeEach(async () => {
    estate = await startEstate();
  });
  afterEach(async () => estate?.close());

  it('an unknown database gets a failing step naming it; the databases that exist are still backed up', async () => {
    const job = estate.writeJob(
      'dw-partial',
      DW_PARTIAL_SPEC.replace('databases: [DW]', 'databases: [DW, DW_Archive]'),
    );
    const { plan, result } = await estate.run(job);
    const pre = plan.steps.find((s) => s.action === 'preflight')!;
    expect(pre.target).toBe(`${estate.sim.host}:${estate.sim.port}/DW_Archive`);
    expect(pre.reason).toBe(
      `job dw-partial, database DW_Archive: database DW_Archive does not exist on SIM01`,
    );
    expect(pre.command).toContain('-- not run: preflight found problems');
    expect(result.status).toBe('partly-failed');
    expect(result.steps.find((s) => s.action === 'preflight')!.error?.message).toContain(
      'job dw-partial, database DW_Archive: database DW_Archive does not exist on SIM01',
    );
    expect(outcome(result).filter((o) => o.startsWith('backup'))).toHaveLength(4);
  });

  it('a filegroup named in the job that does not exist: no backup of that database, the plan says why', async () => {
    const job = estate.writeJob('dw-partial', `${DW_PARTIAL_SPEC}\nfileGroups: [DW.FG_2019, DW.FG_2099]`);
    const plan = await estate.plan(job);
    expect(plan.steps.map((s) => s.action)).toEqual(['preflight']);
    expect(plan.steps[0]!.reason).toMatch(
      /^job dw-partial, database DW: filegroup DW\.FG_2099 named in fileGroups does not exist in database DW \(it has PRIMARY, FG_2019, FG_2020, FG_2021, FG_CURRENT\)$/,
    );
    expect(plan.notes.some((n) => n.level === 'warning' && n.message.includes('DW.FG_2099'))).toBe(true);
    const { result } = await estate.run(job);
    expect(result.status).toBe('failed');
    expect(estate.msdbTypes()).toEqual([]);
  });

  it('a directory the server cannot reach (drive offline) and LiteSpeed missing are reported together, before any backup', async () => {
    estate.sim.sim.setDriveOffline('Y');
    estate.sim.server.options.liteSpeedInstalled = false;
    const job = estate.writeJob('dw-partial', DW_PARTIAL_SPEC);
    const { plan, result } = await estate.run(job);
    expect(plan.steps).toHaveLength(1);
    const reason = plan.steps[0]!.reason;
    expect(reason).toContain('job dw-partial, database DW: ');
    expect(reason).toContain(
      'LiteSpeed is not installed on SIM01: master.dbo.xp_backup_database does not exist',
    );
    expect(reason).toContain('directory Y:\\SQL_BACKUPS is not reachable from SIM01');
    expect(result.status).toBe('failed');
    expect(estate.msdbTypes()).toEqual([]);
  });

  it('a directory that does not exist yet but whose parent does is created by the backup (noted in the plan)', async () => {
    const job = estate.writeJob(
      'dw-partial',
      DW_PARTIAL_SPEC.replace('directory: Y:\\SQL_BACKUPS', 'directory: Y:\\SQL_BACKUPS\\DW_NEW'),
    );
    const { plan, result } = await estate.run(job);
    expect(plan.notes.map((n) => n.message)).toContain(
      'directory Y:\\SQL_BACKUPS\\DW_NEW does not exist on SIM01 yet; it will be created with the first backup',
    );
    expect(result.status).toBe('succeeded');
  });

  it('a server that cannot be reached is a problem of the job (nothing planned, nothing run)', async () => {
    const job = estate.writeJob('dw-partial', DW_PARTIAL_SPEC);
    estate.env.SQL_PASSWORD = 'wrong';
    const plan = await estate.plan(job);
    expect(plan.steps).toEqual([]);
    expect(plan.problems).toHaveLength(1);
    expect(plan.problems[0]!.message).toMatch(
      /^plugin litespeed \(discover\): cannot read SQL Server 127\.0\.0\.1:\d+: .*Login failed for user 'sa'/,
    );
    expect(plan.problems[0]!.message).not.toContain('wrong');
  });
});
