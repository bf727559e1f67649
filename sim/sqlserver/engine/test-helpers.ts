import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../src/core/clock.ts';
import { createSimEngine, type SimEngine } from './create-sim-engine.ts';
import type { Scenario } from './scenario.ts';
import type { RunResult } from './simulation-api.ts';

/** Test support for the simulator's own tests (not used by product code). */

export interface TestSim extends SimEngine {
  dataDir: string;
  manual: ManualClock;
  cleanup(): Promise<void>;
}

export async function newTestSim(
  scenario: string | Scenario = 'default',
  dataDir?: string,
): Promise<TestSim> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'hf-sqlsim-')));
  const manual = new ManualClock('2026-03-01T00:00:00Z');
  const built = await createSimEngine({ dataDir: dir, scenario, clock: manual });
  return {
    ...built,
    dataDir: dir,
    manual,
    cleanup: () => (dataDir ? Promise.resolve() : rm(dir, { recursive: true, force: true })),
  };
}

type ParamValue = string | number | null;

/** `N'...'` with quotes doubled. */
export function n(value: string): string {
  return `N'${value.replaceAll("'", "''")}'`;
}

/**
 * Builds `EXEC @rc = master.dbo.<proc> @a = ..., @b = ...; SELECT @rc AS rc;` from a parameter object;
 * arrays repeat the parameter (stripes, @with, @filegroup).
 */
export function xp(proc: string, params: Record<string, ParamValue | ParamValue[]>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      parts.push(`@${name} = ${v === null ? 'NULL' : typeof v === 'number' ? String(v) : n(v)}`);
    }
  }
  return `DECLARE @rc int; EXEC @rc = master.dbo.${proc} ${parts.join(', ')}; SELECT @rc AS rc;`;
}

/** The error numbers of a run, in order. */
export function errorNumbers(r: RunResult): number[] {
  return r.errors.map((e) => e.number);
}

/** The value of `SELECT @rc AS rc` in a run built with {@link xp}. */
export function returnCode(r: RunResult): number {
  const rs = [...r.items].reverse().find((i) => i.kind === 'resultSet');
  if (!rs || rs.kind !== 'resultSet') throw new Error('no result set');
  return rs.resultSet.rows[0]![0] as number;
}

/** Result-set rows as objects by column name. */
export function rows(r: RunResult, index = 0): Array<Record<string, unknown>> {
  const sets = r.items.filter((i) => i.kind === 'resultSet');
  const rs = sets[index];
  if (!rs || rs.kind !== 'resultSet') throw new Error(`no result set #${index}`);
  return rs.resultSet.rows.map((row) =>
    Object.fromEntries(rs.resultSet.columns.map((c, i) => [c.name, row[i]])),
  );
}

/** Runs a batch and throws with the messages if it reported an error or a non-zero @rc. */
export async function ok(sim: SimEngine['sim'], sql: string): Promise<RunResult> {
  const r = await sim.run(sql);
  if (r.errors.length > 0)
    throw new Error(`expected success: ${r.errors.map((e) => `${e.number} ${e.message}`).join(' | ')}`);
  return r;
}
