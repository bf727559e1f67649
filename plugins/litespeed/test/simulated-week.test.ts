import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metadataOf } from '../backup-artifact.ts';
import { DW_KEY, DW_PARTIAL_SPEC, outcome, startEstate, type Estate } from './estate.ts';

/**
 * The data warehouse of the source documents (DW, SIMPLE, read-only years, read-write FG_CURRENT) across a
 * simulated week and a day: weekly partial, daily differential partial, data written between runs.
 */
describe('DW across a simulated week (SIMPLE, partial strategy) against the simulator over TLS', () => {
  let estate: Estate;
  let job: string;
  beforeAll(async () => {
    estate = await startEstate();
    job = estate.writeJob('dw-partial', DW_PARTIAL_SPEC);
  });
  afterAll(async () => estate?.close());

  it('Sunday: the three read-only filegroups, then the partial that needs them', async () => {
    const { plan, result } = await estate.run(job);
    expect(result.status).toBe('succeeded');
    expect(outcome(result)).toEqual([
      'backup-filegroup:FG_2019 succeeded',
      'backup-filegroup:FG_2020 succeeded',
      'backup-filegroup:FG_2021 succeeded',
      'backup-partial succeeded',
    ]);
    expect(plan.steps.map((s) => s.dependsOn.length)).toEqual([0, 1, 1, 1]);
    expect(
      plan.steps.every(
        (s) =>
          s.concurrency?.group === `sqlserver:${estate.sim.host}:${estate.sim.port}` &&
          s.concurrency.limit === 2,
      ),
    ).toBe(true);
    expect(JSON.stringify(plan)).not.toContain(DW_KEY);
    expect(plan.steps[3]!.command).toContain("@encryptionkey = N'********'");
    expect(estate.msdbTypes()).toEqual(['F', 'F', 'F', 'P']);

    const artifacts = estate.artifacts();
    expect(artifacts.map((a) => a.type)).toEqual(['F', 'F', 'F', 'P']);
    const partial = artifacts[3]!;
    expect([...partial.dependsOn].sort()).toEqual(
      artifacts
        .slice(0, 3)
        .map((a) => a.id)
        .sort(),
    );
    const m = metadataOf(partial);
    expect(m.backupSetUuid).toBe(estate.sim.server.msdb.backupset[3]!.backup_set_uuid);
    expect(typeof m.firstLsn).toBe('string');
    expect(m.firstLsn).toMatch(/^\d{17,25}$/);
    expect(m.verified).toBe(true);
    expect(m.filegroups.filter((g) => g.present).map((g) => g.name)).toEqual(['PRIMARY', 'FG_CURRENT']);
    expect(partial.storage).toBe('server');
    expect(partial.locations).toEqual([
      'Y:\\SQL_BACKUPS\\SIM01\\DW\\FULL_PARTIAL\\SIM01_DW_FULL_PARTIAL_20260301_010000.bak',
    ]);
    expect(existsSync(estate.sim.sim.hostPath(partial.locations[0]!))).toBe(true);
  });

  it("Monday to Saturday: one differential partial a day on Sunday's base; a run in between finds nothing due", async () => {
    const base = estate.artifacts().find((a) => a.type === 'P')!;
    for (const day of [2, 3, 4, 5, 6, 7]) {
      estate.clock.set(`2026-03-0${day - 1}T14:00:00Z`);
      estate.sim.sim.write('DW', 'FG_CURRENT', '300MB');
      estate.clock.set(`2026-03-0${day}T01:00:00Z`);
      const { result } = await estate.run(job);
      expect(outcome(result)).toEqual(['backup-differential-partial succeeded']);
    }
    estate.clock.set('2026-03-07T13:00:00Z');
    const idle = await estate.plan(job);
    expect(idle.steps).toEqual([]);
    expect(idle.notes.map((n) => n.message).join('\n')).toMatch(
      /DW: nothing is due \(next: full at 2026-03-08T01:00:00.000Z, differential at 2026-03-09T01:00:00.000Z\)/,
    );

    const diffs = estate.artifacts().filter((a) => a.type === 'Q');
    expect(diffs).toHaveLength(6);
    for (const d of diffs) {
      expect(d.dependsOn).toEqual([base.id]);
      expect(metadataOf(d).differentialBaseGuid).toBe(metadataOf(base).backupSetUuid);
    }
  });

  it('the next Sunday: a new partial (the filegroup backups still match), then Monday a differential on it', async () => {
    estate.clock.set('2026-03-08T01:00:00Z');
    const { plan, result } = await estate.run(job);
    expect(outcome(result)).toEqual(['backup-partial succeeded']);
    expect(plan.steps[0]!.reason).toMatch(
      /^the full schedule \(0 1 \* \* 0\) fired at 2026-03-08T01:00:00Z, after the current base, backup set 4 \(partial, 2026-03-01T01:00:00Z\)$/,
    );
    estate.clock.set('2026-03-09T01:00:00Z');
    expect(outcome((await estate.run(job)).result)).toEqual(['backup-differential-partial succeeded']);

    expect(estate.msdbTypes()).toEqual(['F', 'F', 'F', 'P', 'Q', 'Q', 'Q', 'Q', 'Q', 'Q', 'P', 'Q']);
    const artifacts = estate.artifacts();
    expect(artifacts.map((a) => a.type)).toEqual([
      'F',
      'F',
      'F',
      'P',
      'Q',
      'Q',
      'Q',
      'Q',
      'Q',
      'Q',
      'P',
      'Q',
    ]);
    const [newBase, lastDiff] = artifacts.slice(-2);
    expect([...newBase!.dependsOn].sort()).toEqual(
      artifacts
        .slice(0, 3)
        .map((a) => a.id)
        .sort(),
    );
    expect(lastDiff!.dependsOn).toEqual([newBase!.id]);
    // every recorded set is the one msdb has, in order
    expect(artifacts.map((a) => metadataOf(a).backupSetUuid)).toEqual(
      estate.sim.server.msdb.backupset.map((b) => b.backup_set_uuid),
    );
    // a week of runs logged, and the key in none of it
    expect(estate.logs.length).toBeGreaterThan(20);
    expect(estate.logs.join('')).not.toContain(DW_KEY);
  });
});
