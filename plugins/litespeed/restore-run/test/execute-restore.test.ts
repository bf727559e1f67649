import { afterEach, describe, expect, it } from 'vitest';
import { executeRestore, type RestoreRunEvent } from '../execute-restore.ts';
import { filegroupsOfFiles } from '../history-source.ts';
import { planServerRestore } from '../plan-server-restore.ts';
import { readMsdbHistory } from '../read-msdb-history.ts';
import { DB, historyS5 } from './reference-histories.ts';
import { startSimServer, type SimServer } from './sim-server.ts';

/** The executor's own behaviour on the simulator: events in order, cancellation, the state it reads back. */

const servers: SimServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function s5() {
  const s = await startSimServer();
  servers.push(s);
  await historyS5(s);
  return { s, plan: await planOf(s) };
}

async function planOf(s: SimServer) {
  const history = await readMsdbHistory(s.session, { database: DB });
  const r = planServerRestore(history, { database: DB, as: 'PM_Exec', moveDataTo: 'D:\\restore' });
  if (!r.ok) throw new Error(r.failure.message);
  return { plan: r.plan, filegroupOf: filegroupsOfFiles(history) };
}

describe('executeRestore', () => {
  it('reports each step as it starts, the server INFO messages, and each step done, in order', async () => {
    const { s, plan } = await s5();
    const events: RestoreRunEvent[] = [];
    const r = await executeRestore({
      session: s.session,
      plan: plan.plan,
      engine: 'litespeed',
      replace: false,
      onEvent: (e) => events.push(e),
    });
    expect(r.ok).toBe(true);
    const kinds = events.filter((e) => e.kind !== 'info').map((e) => `${e.kind} ${e.step}`);
    expect(kinds).toEqual([
      'step-start 1',
      'step-done 1',
      'step-start 2',
      'step-done 2',
      'step-start 3',
      'step-done 3',
    ]);
    const infos = events
      .filter((e) => e.kind === 'info' && e.step === 3)
      .map((e) => (e.kind === 'info' ? e.number : 0));
    expect(infos).toContain(4356); // "Restore is complete on database ..."
    expect(r.steps.map((st) => st.status)).toEqual(['done', 'done', 'done']);
  });

  it('a cancelled run stops in the running step, runs nothing after it, and reports the state left', async () => {
    const { s, plan } = await s5();
    s.sim.faults.engine.slow({ operation: 'xp_restore_database', nth: 2 }, 5_000);
    const controller = new AbortController();
    const r = await executeRestore({
      session: s.session,
      plan: plan.plan,
      engine: 'litespeed',
      replace: false,
      filegroupOf: plan.filegroupOf,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.kind === 'step-start' && e.step === 2) setTimeout(() => controller.abort(), 200);
      },
    });
    expect(r.ok).toBe(false);
    expect(r.failure?.step).toBe(2);
    expect(r.steps.map((st) => st.status)).toEqual(['done', 'failed', 'not-run']);
    expect(r.state.state).toBe('RESTORING');
    expect(r.state.filegroups.map((f) => f.name).sort()).toEqual(['A', 'B', 'C', 'PRIMARY']);
  });
});
