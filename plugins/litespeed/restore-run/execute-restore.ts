import { redact, type Secret } from '../../../src/core/secret.ts';
import type { RestorePlan, RestoreStep } from '../restore/restore-plan.ts';
import type { RestoreScriptEngine } from '../restore/render-restore-script.ts';
import { readDatabaseState, type DatabaseState } from './read-database-state.ts';
import { ENCRYPTION_KEY_PARAMETER, renderRestoreStep } from './render-restore-step.ts';
import { loadedDriver, unlimitedRequest } from '../sql-connection.ts';
import type { SqlServerSession } from './sql-server-session.ts';

/** What the executor reports while it works (progress, the server's INFO messages). */
export type RestoreRunEvent =
  | { kind: 'step-start'; step: number; total: number; summary: string }
  | { kind: 'info'; step: number; number: number; message: string }
  | { kind: 'step-done'; step: number; ms: number }
  | { kind: 'step-failed'; step: number; number: number | null; message: string };

export interface ExecuteRestoreOptions {
  session: SqlServerSession;
  plan: RestorePlan;
  engine: RestoreScriptEngine;
  /** LiteSpeed @encryptionkey, sent as a typed parameter and never written into the statement text. */
  encryptionKey?: Secret;
  /** REPLACE on the first step: overwrite the existing database of that name. */
  replace: boolean;
  /** Logical file name -> filegroup (from the history), to name filegroups of a database left RESTORING. */
  filegroupOf?: ReadonlyMap<string, string | null>;
  onEvent?: (event: RestoreRunEvent) => void;
  signal?: AbortSignal;
}

export interface ServerMessage {
  number: number | null;
  message: string;
}

export interface RestoreStepOutcome {
  step: number;
  stage: number;
  kind: RestoreStep['kind'];
  backup_set_id: number | null;
  status: 'done' | 'failed' | 'not-run';
  ms: number;
  messages: ServerMessage[];
}

export interface RestoreRunResult {
  database: string;
  /** Every step succeeded and the database is in the state the plan promised. */
  ok: boolean;
  steps: RestoreStepOutcome[];
  /** The first failed step: the server's own error (not the generic 3013 that follows it) and all errors. */
  failure: { step: number; number: number | null; message: string; errors: ServerMessage[] } | null;
  state: DatabaseState;
  /** Where the resulting state differs from the plan's target. */
  problems: string[];
}

/** "restore partial (PRIMARY, A) from backup set 12, NORECOVERY". */
export function summarizeStep(s: RestoreStep): string {
  const what = s.kind === 'database' ? (s.partial ? 'partial' : 'database') : s.kind;
  const fgs =
    (s.kind === 'filegroup' || s.partial || s.kind === 'recover') && s.filegroups.length > 0
      ? ` (${s.filegroups.join(', ')})`
      : '';
  const from = s.backup_set_id === null ? '' : ` from backup set ${s.backup_set_id}`;
  return `restore ${what}${fgs}${from}, ${s.recovery ? 'WITH RECOVERY' : 'NORECOVERY'}`;
}

/**
 * Executes a restore plan step by step through mssql: each step is one batch (renderRestoreStep), the
 * LiteSpeed return code and the server's errors are both checked, INFO messages are passed on as
 * progress, and the run stops at the first failed step. Then the database's state is read back and
 * compared with the plan's target (database ONLINE, the planned filegroups online).
 */
export async function executeRestore(o: ExecuteRestoreOptions): Promise<RestoreRunResult> {
  const database = o.plan.target.database;
  const secrets = [...o.session.target.secrets, ...(o.encryptionKey ? [o.encryptionKey] : [])];
  const clean = (text: string) => redact(text, secrets);
  const steps: RestoreStepOutcome[] = o.plan.steps.map((s, i) => ({
    step: i + 1,
    stage: s.stage,
    kind: s.kind,
    backup_set_id: s.backup_set_id,
    status: 'not-run',
    ms: 0,
    messages: [],
  }));
  let failure: RestoreRunResult['failure'] = null;
  await o.session.release(database);
  const pool = await o.session.pool();
  for (const [i, step] of o.plan.steps.entries()) {
    if (o.signal?.aborted) {
      failure = { step: i + 1, number: null, message: 'cancelled before this step', errors: [] };
      break;
    }
    const outcome = steps[i]!;
    o.onEvent?.({
      kind: 'step-start',
      step: i + 1,
      total: o.plan.steps.length,
      summary: summarizeStep(step),
    });
    const started = Date.now();
    const keyParameter = o.engine === 'litespeed' && step.kind !== 'recover' && o.encryptionKey !== undefined;
    const text = renderRestoreStep(step, {
      engine: o.engine,
      database,
      replace: o.replace && i === 0,
      keyParameter,
    });
    const request = unlimitedRequest(pool);
    if (keyParameter)
      request.input(ENCRYPTION_KEY_PARAMETER, loadedDriver().NVarChar(4000), o.encryptionKey!.reveal());
    request.on('info', (m: { number: number; message: string }) => {
      const message = clean(m.message);
      outcome.messages.push({ number: m.number, message });
      o.onEvent?.({ kind: 'info', step: i + 1, number: m.number, message });
    });
    const cancel = () => request.cancel();
    o.signal?.addEventListener('abort', cancel, { once: true });
    try {
      const result = await request.query(text);
      const rc = returnCode(result.recordsets);
      if (o.engine === 'litespeed' && step.kind !== 'recover' && rc !== 0) {
        failure = {
          step: i + 1,
          number: null,
          message: `LiteSpeed returned ${rc ?? 'NULL'} without an error message`,
          errors: [],
        };
      }
    } catch (err) {
      const errors = serverErrors(err).map((e) => ({ number: e.number, message: clean(e.message) }));
      const main = errors.find((e) => e.number !== 3013) ??
        errors[0] ?? { number: null, message: clean(String(err)) };
      failure = { step: i + 1, number: main.number, message: main.message, errors };
      outcome.messages.push(...errors);
    } finally {
      o.signal?.removeEventListener('abort', cancel);
    }
    outcome.ms = Date.now() - started;
    if (failure) {
      outcome.status = 'failed';
      o.onEvent?.({ kind: 'step-failed', step: i + 1, number: failure.number, message: failure.message });
      break;
    }
    outcome.status = 'done';
    o.onEvent?.({ kind: 'step-done', step: i + 1, ms: outcome.ms });
  }
  const state = await readDatabaseState(o.session, database, o.filegroupOf);
  const problems = failure ? [] : compareWithPlan(o.plan, state);
  return { database, ok: failure === null && problems.length === 0, steps, failure, state, problems };
}

function returnCode(recordsets: unknown): number | null {
  const sets = Array.isArray(recordsets) ? (recordsets as Array<Array<Record<string, unknown>>>) : [];
  const row = sets.at(-1)?.[0];
  return row && typeof row.rc === 'number' ? row.rc : null;
}

function serverErrors(err: unknown): ServerMessage[] {
  const e = err as {
    number?: number;
    message?: string;
    precedingErrors?: Array<{ number?: number; message?: string }>;
  };
  const all = [...(e.precedingErrors ?? []), e];
  return all.map((x) => ({
    number: typeof x.number === 'number' ? x.number : null,
    message: x.message ?? String(x),
  }));
}

function compareWithPlan(plan: RestorePlan, state: DatabaseState): string[] {
  if (!state.exists) return [`database ${plan.target.database} does not exist after the restore`];
  const problems: string[] = [];
  if (state.state !== 'ONLINE') problems.push(`database ${state.database} is ${state.state}, not ONLINE`);
  const actual = new Map(state.filegroups.map((f) => [f.name.toLowerCase(), f.state]));
  for (const fg of plan.target.filegroups_online) {
    const s = actual.get(fg.toLowerCase());
    if (s !== 'ONLINE') problems.push(`filegroup ${fg} should be online but is ${s ?? 'missing'}`);
  }
  return problems;
}
