import { afterEach, describe, expect, it } from 'vitest';
import { checkRestorePlan } from '../../restore/testing/check-restore-plan.ts';
import { generateHistory, type GenerateHistoryOptions } from '../../restore/testing/generate-history.ts';
import type { RestoreRequest } from '../../restore/index.ts';
import { executeRestore } from '../execute-restore.ts';
import { filegroupsOfFiles } from '../history-source.ts';
import { planServerRestore } from '../plan-server-restore.ts';
import { readMsdbHistory } from '../read-msdb-history.ts';
import { replayHistory } from './replay-history.ts';
import { startSimServer, type SimServer } from './sim-server.ts';

/**
 * Generated histories (a few seeds, small), replayed on the simulator: the backups are real LiteSpeed
 * backups taken on the generator's timeline. The latest restore is planned from live msdb, checked with
 * the independent plan checker, and executed into a new database: every chosen chain must restore and
 * leave the database ONLINE with the planned filegroups online.
 */

/**
 * Chaos the simulator replays: every option the generator has except recovery forks (not replayed) and
 * defects. A new gap between the planner and SQL Server's rules (as the simulator enforces them) goes to
 * known-planner-gaps.test.ts as `it.fails`.
 */
const CHAOS: GenerateHistoryOptions['chaos'] = {
  copyOnlyFullPerDay: 0.3,
  copyOnlyLog: 0.05,
  stripes: 0.4,
  mirror: 0.4,
};

const CONFIGS: Array<{ name: string; options: Omit<GenerateHistoryOptions, 'seed'> }> = [
  {
    name: 'SIMPLE, partial bases and differential partials',
    options: {
      recoveryModel: 'SIMPLE',
      days: 4,
      schedule: { baseEveryDays: 2, base: 'partial', differentialEveryHours: 12, logEveryMinutes: null },
      chaos: { ...CHAOS, readOnlyFlipPerDay: 0.4, refreshAfterFlip: 0.5, archivePerDay: 0.3 },
    },
  },
  {
    name: 'FULL, full bases, differentials and logs',
    options: {
      recoveryModel: 'FULL',
      days: 2,
      schedule: { baseEveryDays: 1, base: 'full', differentialEveryHours: 8, logEveryMinutes: 120 },
      chaos: {
        ...CHAOS,
        archivePerDay: 0.3,
        filegroupBackupPerDay: 0.3,
        readOnlyFlipPerDay: 0.4,
        refreshAfterFlip: 0.5,
      },
    },
  },
  {
    name: 'FULL, partial bases and logs',
    options: {
      recoveryModel: 'FULL',
      days: 2,
      schedule: { baseEveryDays: 1, base: 'partial', differentialEveryHours: 12, logEveryMinutes: 180 },
      chaos: {
        ...CHAOS,
        archivePerDay: 0.3,
        readOnlyFlipPerDay: 0.4,
        refreshAfterFlip: 0.5,
        filegroupBackupPerDay: 0.3,
      },
    },
  },
];

const SEEDS = [11, 23, 37, 41];

const servers: SimServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

describe('generated histories replayed on the simulator: the latest restore plan executes', () => {
  for (const config of CONFIGS) {
    for (const seed of SEEDS) {
      it(`${config.name}, seed ${seed}`, async () => {
        const generated = generateHistory({ ...config.options, seed });
        const s = await startSimServer({ start: '2026-01-01T00:00:00Z' });
        servers.push(s);
        await replayHistory(s, generated);
        const database = generated.history.database_name;
        const history = await readMsdbHistory(s.session, { database });
        expect(history.backupsets.length).toBe(generated.history.backupsets.length);
        const request: RestoreRequest = { database, as: `${database}_Restored`, moveDataTo: 'R:\\restore' };
        const planned = planServerRestore(history, request);
        if (!planned.ok)
          throw new Error(`seed ${seed}: no plan: ${planned.failure.rule}: ${planned.failure.message}`);
        expect(checkRestorePlan(history, request, planned.plan)).toEqual([]);
        const result = await executeRestore({
          session: s.session,
          plan: planned.plan,
          engine: 'litespeed',
          replace: false,
          filegroupOf: filegroupsOfFiles(history),
        });
        expect(result.failure, JSON.stringify(result.failure)).toBeNull();
        expect(result.problems).toEqual([]);
        expect(result.state.state).toBe('ONLINE');
        const online = result.state.filegroups.filter((f) => f.state === 'ONLINE').map((f) => f.name);
        expect(online.sort()).toEqual([...planned.plan.target.filegroups_online].sort());
      });
    }
  }
});
