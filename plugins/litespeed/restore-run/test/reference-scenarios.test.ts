import { afterEach, describe, expect, it } from 'vitest';
import { renderRestoreScript, type RestorePlan, type RestoreRequest } from '../../restore/index.ts';
import { executeRestore, type RestoreRunResult } from '../execute-restore.ts';
import { planServerRestore } from '../plan-server-restore.ts';
import { readMsdbHistory } from '../read-msdb-history.ts';
import {
  DB,
  historyS1,
  historyS3,
  historyS5,
  historyS6,
  historyS7,
  historyS9,
  historyS11,
  S11_MIRRORS,
  S11_STRIPES,
} from './reference-histories.ts';
import { startSimServer, type SimServer } from './sim-server.ts';

/**
 * The reference's example scenarios, end to end on the SQL Server simulator: real LiteSpeed backups
 * make the history, the plan is made from msdb read live, and the plan is executed into a new database
 * on the same server (files relocated). A wrong order of the same steps fails there with SQL Server's
 * documented error.
 */

const servers: SimServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function server(): Promise<SimServer> {
  const s = await startSimServer();
  servers.push(s);
  return s;
}

async function plan(s: SimServer, as: string, extra: Partial<RestoreRequest> = {}): Promise<RestorePlan> {
  const history = await readMsdbHistory(s.session, { database: DB });
  const r = planServerRestore(history, { database: DB, as, moveDataTo: 'D:\\restore', ...extra });
  if (!r.ok) throw new Error(`no plan: ${r.failure.rule}: ${r.failure.message}`);
  return r.plan;
}

/** Each step as "kind[+partial] file,file RECOVERY|NORECOVERY" (file names only). */
function shape(p: RestorePlan): string[] {
  return p.steps.map((st) => {
    const files = st.files.map((f) => f.split('\\').pop()).join(',');
    return `${st.kind}${st.partial ? '+partial' : ''} ${files} ${st.recovery ? 'RECOVERY' : 'NORECOVERY'}`;
  });
}

function run(s: SimServer, p: RestorePlan): Promise<RestoreRunResult> {
  return executeRestore({ session: s.session, plan: p, engine: 'litespeed', replace: false });
}

function online(r: RestoreRunResult): Record<string, string> {
  return Object.fromEntries(r.state.filegroups.map((f) => [f.name, f.state]));
}

/** Runs a rendered DBA script in one batch; returns the error numbers the server sent, in order. */
async function scriptErrors(s: SimServer, p: RestorePlan): Promise<number[]> {
  try {
    await s.exec(renderRestoreScript(p, { engine: 'litespeed' }));
    return [];
  } catch (err) {
    const e = err as { number?: number; precedingErrors?: Array<{ number?: number }> };
    return [...(e.precedingErrors ?? []), e].map((x) => x.number ?? -1);
  }
}

function swap(p: RestorePlan, i: number, j: number): RestorePlan {
  const steps = [...p.steps];
  [steps[i], steps[j]] = [steps[j]!, steps[i]!];
  return { ...p, steps };
}

describe('restore plans from live msdb, executed on the simulator', () => {
  it('S1 (piecemeal, SIMPLE): partial P1 WITH RECOVERY, then B from F_B; swapped, the filegroup step cannot create the database (3118)', async () => {
    const s = await server();
    await historyS1(s);
    const p = await plan(s, 'PM_Copy');
    expect(shape(p)).toEqual(['database+partial P1.bak RECOVERY', 'filegroup F_B.bak RECOVERY']);
    expect(p.steps[0]!.filegroups).toEqual(['PRIMARY', 'A', 'C']);
    const r = await run(s, p);
    expect(r.failure).toBeNull();
    expect(r.ok).toBe(true);
    expect(r.state.state).toBe('ONLINE');
    expect(online(r)).toEqual({ PRIMARY: 'ONLINE', A: 'ONLINE', B: 'ONLINE', C: 'ONLINE' });
    expect(await scriptErrors(s, swap(await plan(s, 'PM_Wrong'), 0, 1))).toContain(3118);
  });

  it('S3 (piecemeal, FULL): stage 1 PRIMARY + A + logs, stage 2 C + the same logs, stage 3 B; two logs swapped are a gap (4305)', async () => {
    const s = await server();
    await historyS3(s);
    const p = await plan(s, 'PM_Copy', { firstStage: ['A'] });
    const logs = [
      'log L3.trn NORECOVERY',
      'log L4.trn NORECOVERY',
      'log L5.trn NORECOVERY',
      'log T.trn RECOVERY',
    ];
    expect(shape(p)).toEqual([
      'database+partial backup1.bak NORECOVERY',
      'filegroup backup2.bak NORECOVERY',
      ...logs,
      'filegroup backup2a.bak NORECOVERY',
      ...logs,
      'filegroup backup2b.bak RECOVERY',
    ]);
    const r = await run(s, p);
    expect(r.failure).toBeNull();
    expect(r.ok).toBe(true);
    expect(online(r)).toEqual({ PRIMARY: 'ONLINE', A: 'ONLINE', B: 'ONLINE', C: 'ONLINE' });
    expect(await scriptErrors(s, swap(await plan(s, 'PM_Wrong', { firstStage: ['A'] }), 2, 3))).toContain(
      4305,
    );
  });

  it('S5 (differential partial): P1 PARTIAL, Q2 (Q1 skipped), then B; swapped, the differential cannot start (3118)', async () => {
    const s = await server();
    await historyS5(s);
    const p = await plan(s, 'PM_Copy');
    expect(shape(p)).toEqual([
      'database+partial P1.bak NORECOVERY',
      'database Q2.bak RECOVERY',
      'filegroup F_B.bak RECOVERY',
    ]);
    const r = await run(s, p);
    expect(r.ok).toBe(true);
    expect(online(r)).toEqual({ PRIMARY: 'ONLINE', A: 'ONLINE', B: 'ONLINE', C: 'ONLINE' });
    expect(await scriptErrors(s, swap(await plan(s, 'PM_Wrong'), 0, 1))).toContain(3118);
  });

  it('S6 (a new base invalidates the old differentials): P2 + Q3; Q3 on P1 fails (3136)', async () => {
    const s = await server();
    await historyS6(s);
    const p = await plan(s, 'PM_Copy');
    expect(shape(p)).toEqual([
      'database+partial P2.bak NORECOVERY',
      'database Q3.bak RECOVERY',
      'filegroup F_B.bak RECOVERY',
    ]);
    const r = await run(s, p);
    expect(r.ok).toBe(true);
    expect(r.state.state).toBe('ONLINE');
    const wrong = await plan(s, 'PM_Wrong');
    const p1 = wrong.steps[0]!.files.map((f) => f.replace('P2.bak', 'P1.bak'));
    expect(
      await scriptErrors(s, {
        ...wrong,
        steps: [{ ...wrong.steps[0]!, files: p1 }, ...wrong.steps.slice(1)],
      }),
    ).toContain(3136);
  });

  it('S7 (copy-only full): F1 + D1, never C1; swapped, the differential cannot start (3118)', async () => {
    const s = await server();
    await historyS7(s);
    const p = await plan(s, 'PM_Copy');
    expect(shape(p)).toEqual(['database F1.bak NORECOVERY', 'database D1.bak RECOVERY']);
    const r = await run(s, p);
    expect(r.ok).toBe(true);
    expect(online(r)).toEqual({ PRIMARY: 'ONLINE', A: 'ONLINE', B: 'ONLINE', C: 'ONLINE' });
    expect(await scriptErrors(s, swap(await plan(s, 'PM_Wrong'), 0, 1))).toContain(3118);
  });

  it('S9 (a log that overlaps the full): F, L1, L2 by LSN containment; L1 and L2 swapped is a gap (4305)', async () => {
    const s = await server();
    await historyS9(s);
    const history = await readMsdbHistory(s.session, { database: DB });
    const [, , f, l1] = history.backupsets;
    expect(BigInt(l1!.first_lsn)).toBeLessThan(BigInt(f!.last_lsn));
    expect(l1!.database_backup_lsn).not.toBe(f!.checkpoint_lsn);
    const p = await plan(s, 'PM_Copy');
    expect(shape(p)).toEqual(['database F.bak NORECOVERY', 'log L1.trn NORECOVERY', 'log L2.trn RECOVERY']);
    const r = await run(s, p);
    expect(r.ok).toBe(true);
    expect(r.state.state).toBe('ONLINE');
    expect(await scriptErrors(s, swap(await plan(s, 'PM_Wrong'), 1, 2))).toContain(4305);
  });

  it('S11 (stripes and a mirror): one call with the 4 families of one mirror; a missing family fails (3132)', async () => {
    const s = await server();
    await historyS11(s);
    const p = await plan(s, 'PM_Copy');
    expect(p.steps).toHaveLength(1);
    expect([S11_STRIPES, S11_MIRRORS]).toContainEqual(p.steps[0]!.files);
    const r = await run(s, p);
    expect(r.ok).toBe(true);
    expect(online(r)).toEqual({ PRIMARY: 'ONLINE', A: 'ONLINE', B: 'ONLINE', C: 'ONLINE' });
    const wrong = await plan(s, 'PM_Wrong');
    expect(
      await scriptErrors(s, {
        ...wrong,
        steps: [{ ...wrong.steps[0]!, files: wrong.steps[0]!.files.slice(0, 3) }],
      }),
    ).toContain(3132);
  });
});
