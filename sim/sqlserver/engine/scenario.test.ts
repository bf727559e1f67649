import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadScenario } from './scenario.ts';
import { errorNumbers, newTestSim, xp, type TestSim } from './test-helpers.ts';

const sims: TestSim[] = [];
afterEach(async () => {
  for (const s of sims.splice(0)) await s.cleanup();
});

describe('scenario files', () => {
  it('every bundled scenario loads and runs', async () => {
    const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'scenarios');
    const names = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5));
    expect(names).toEqual(expect.arrayContaining(['default', 'empty', 'dw-history', 'sales-full']));
    for (const name of names) {
      const t = await newTestSim(name);
      sims.push(t);
      expect(t.sim.databases()).toEqual(expect.arrayContaining(['master', 'tempdb', 'model', 'msdb']));
    }
  });

  it('dw-history: filegroup backups, weekly partials, daily differentials; the old FG_2021 backup is stale', async () => {
    const t = await newTestSim('dw-history');
    sims.push(t);
    expect(t.server.msdb.backupset.map((b) => b.type).join('')).toBe('FFFPQQFPQ');
    const [, , v1, p1, , , v2, p2, q3] = t.server.msdb.backupset;
    expect(q3!.differential_base_guid).toBe(p2!.backup_set_uuid);
    expect(p2!.backup_start_date.toISOString()).toBe('2026-03-08T01:00:00.000Z');
    const ro = (id: number) =>
      t.server.msdb.backupfile.find((f) => f.backup_set_id === id && f.filegroup_name === 'FG_2021')!
        .read_only_lsn;
    expect(ro(v1!.backup_set_id)).toBe(ro(p1!.backup_set_id));
    expect(ro(v2!.backup_set_id)).toBe(ro(p2!.backup_set_id));
    expect(ro(v1!.backup_set_id)).not.toBe(ro(v2!.backup_set_id));
    const n = await newTestSim('empty', t.dataDir);
    sims.push(n);
    const f = (name: string) => `Y:\\SQL_BACKUPS\\DW\\${name}`;
    expect(
      errorNumbers(
        await n.sim.run(
          xp('xp_restore_database', {
            database: 'DW',
            filename: f('DW_P_20260308.bak'),
            read_write_filegroups: 1,
            with: 'NORECOVERY',
          }),
        ),
      ),
    ).toEqual([]);
    expect(
      errorNumbers(
        await n.sim.run(
          xp('xp_restore_database', { database: 'DW', filename: f('DW_Q_20260309.bak'), with: 'RECOVERY' }),
        ),
      ),
    ).toEqual([]);
    expect(
      errorNumbers(
        await n.sim.run(
          xp('xp_restore_database', {
            database: 'DW',
            filename: f('DW_FG_2021_v1.bak'),
            filegroup: 'FG_2021',
            with: 'RECOVERY',
          }),
        ),
      ),
    ).toEqual([3125, 3013]);
    expect(
      errorNumbers(
        await n.sim.run(
          xp('xp_restore_database', {
            database: 'DW',
            filename: f('DW_FG_2021_v2.bak'),
            filegroup: 'FG_2021',
            with: 'RECOVERY',
          }),
        ),
      ),
    ).toEqual([]);
  });

  it('sales-full: a striped full, logs chained, a differential on the full', async () => {
    const t = await newTestSim('sales-full');
    sims.push(t);
    const sets = t.server.msdb.backupset;
    expect(sets.map((b) => b.type).join('')).toBe('DLLLIL');
    for (let i = 2; i < sets.length; i++)
      if (sets[i]!.type === 'L' && sets[i - 1]!.type === 'L')
        expect(sets[i]!.first_lsn).toBe(sets[i - 1]!.last_lsn);
    expect(sets[4]!.differential_base_guid).toBe(sets[0]!.backup_set_uuid);
    expect(
      t.server.msdb.backupmediafamily.filter((m) => m.media_set_id === sets[0]!.media_set_id),
    ).toHaveLength(2);
  });

  it('rejects invalid scenarios with every problem and where it is', async () => {
    await expect(
      loadScenario({
        databases: [
          {
            name: 'X',
            recoveryModel: 'PARTIAL' as never,
            filegroups: [],
            log: { logicalName: 'l', physicalName: 'p', size: 'big' },
          },
        ],
      }),
    ).rejects.toThrow(
      /databases\.0\.recoveryModel[\s\S]*databases\.0\.filegroups[\s\S]*databases\.0\.log\.size/,
    );
    await expect(loadScenario('no-such-scenario')).rejects.toThrow(/cannot read scenario "no-such-scenario"/);
  });
});
