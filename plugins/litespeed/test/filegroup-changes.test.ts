import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { metadataOf } from '../backup-artifact.ts';
import { DW_PARTIAL_SPEC, outcome, startEstate, type Estate } from './estate.ts';

describe("read-only filegroups that change (the source documents' warning) and FULL recovery", () => {
  let estate: Estate;
  beforeEach(async () => {
    estate = await startEstate();
  });
  afterEach(async () => estate?.close());

  it('FG_2020 made read-write, changed and read-only again: a new filegroup backup on the next run, then a partial that matches it', async () => {
    const job = estate.writeJob('dw-partial', DW_PARTIAL_SPEC);
    await estate.run(job);
    const before = estate.artifacts();
    const oldFg2020 = before.find((a) => metadataOf(a).filegroup === 'FG_2020')!;

    estate.clock.set('2026-03-01T10:00:00Z');
    estate.sim.sim.setFilegroupReadOnly('DW', 'FG_2020', false);
    estate.sim.sim.write('DW', 'FG_2020', '2GB');
    estate.sim.sim.setFilegroupReadOnly('DW', 'FG_2020', true);

    estate.clock.set('2026-03-02T01:00:00Z');
    const { plan, result } = await estate.run(job);
    expect(outcome(result)).toEqual(['backup-filegroup:FG_2020 succeeded', 'backup-partial succeeded']);
    expect(plan.steps[0]!.reason).toMatch(
      /^filegroup FG_2020 changed since its last backup, backup set 2 \(filegroup, 2026-03-01T01:00:00Z\): its read_only_lsn moved from \d+ to \d+ \(it was made read-write and read-only again\)$/,
    );
    expect(plan.steps[1]!.reason).toMatch(
      /read-only filegroup FG_2020 was made read-write and read-only again after backup set 4/,
    );
    expect(plan.steps[1]!.dependsOn).toEqual([plan.steps[0]!.id]);
    expect(estate.msdbTypes()).toEqual(['F', 'F', 'F', 'P', 'F', 'P']);

    const after = estate.artifacts();
    const newFg2020 = after[4]!;
    const newBase = after[5]!;
    expect(metadataOf(newFg2020).filegroup).toBe('FG_2020');
    expect(metadataOf(newFg2020).filegroups.find((g) => g.name === 'FG_2020')!.readOnlyLsn).not.toBe(
      metadataOf(oldFg2020).filegroups.find((g) => g.name === 'FG_2020')!.readOnlyLsn,
    );
    // the new partial needs the new FG_2020 backup and the unchanged FG_2019 and FG_2021 backups, not the old FG_2020 one
    expect([...newBase.dependsOn].sort()).toEqual([before[0]!.id, newFg2020.id, before[2]!.id].sort());
    expect(newBase.dependsOn).not.toContain(oldFg2020.id);

    estate.clock.set('2026-03-03T01:00:00Z');
    expect(outcome((await estate.run(job)).result)).toEqual(['backup-differential-partial succeeded']);
  });

  it('a FULL-recovery database gets log backups on the log schedule, each after the one before', async () => {
    estate.sim.sim.setRecoveryModel('DW', 'FULL');
    const job = estate.writeJob(
      'dw-full',
      `${DW_PARTIAL_SPEC.replace('timezone: UTC }', 'log: "*/15 * * * *", timezone: UTC }')}`,
    );
    const first = await estate.run(job);
    expect(outcome(first.result)).toEqual([
      'backup-filegroup:FG_2019 succeeded',
      'backup-filegroup:FG_2020 succeeded',
      'backup-filegroup:FG_2021 succeeded',
      'backup-partial succeeded',
      'backup-log succeeded',
    ]);
    for (const at of ['01:15', '01:30']) {
      estate.sim.sim.write('DW', 'FG_CURRENT', '50MB');
      estate.clock.set(`2026-03-01T${at}:00Z`);
      expect(outcome((await estate.run(job)).result)).toEqual(['backup-log succeeded']);
    }
    estate.clock.set('2026-03-01T01:40:00Z');
    expect((await estate.plan(job)).steps).toEqual([]);
    expect(estate.msdbTypes()).toEqual(['F', 'F', 'F', 'P', 'L', 'L', 'L']);
    const a = estate.artifacts();
    const [base, l1, l2, l3] = a.slice(3);
    expect(l1!.dependsOn).toEqual([base!.id]);
    // Replay after the partial starts at the log whose range holds the partial's last LSN (here l2: nothing was
    // logged between the partial and l1), so l2 needs the partial, not l1; later logs need the one before.
    const holdsBaseEnd = (l: typeof l1) => BigInt(metadataOf(l!).firstLsn) <= BigInt(metadataOf(base!).lastLsn) && BigInt(metadataOf(base!).lastLsn) < BigInt(metadataOf(l!).lastLsn);
    expect(l2!.dependsOn).toEqual([holdsBaseEnd(l2) ? base!.id : l1!.id]);
    expect(l3!.dependsOn).toEqual([l2!.id]);
    expect(metadataOf(l2!).firstLsn).toBe(metadataOf(l1!).lastLsn);
    expect(l3!.locations[0]).toMatch(/\\LOG\\SIM01_DW_LOG_20260301_013000\.trn$/);
  });

  it('--type log on a SIMPLE database is refused with the reason; --type full takes a new base', async () => {
    const job = estate.writeJob('dw-partial', DW_PARTIAL_SPEC);
    await estate.run(job);
    estate.clock.set('2026-03-01T05:00:00Z');
    const log = await estate.run(job, { forceType: 'log' });
    expect(log.plan.steps).toEqual([]);
    expect(log.plan.notes.map((n) => `${n.level}: ${n.message}`)).toContain(
      `warning: ${estate.sim.host}:${estate.sim.port}/DW: --type log: log backups need the FULL or BULK_LOGGED recovery model; DW uses SIMPLE`,
    );
    const full = await estate.run(job, { forceType: 'full' });
    expect(outcome(full.result)).toEqual(['backup-partial succeeded']);
    expect(full.plan.steps[0]!.reason).toBe('--type full asks for a partial backup');
  });
});
