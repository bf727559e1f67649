import { backupDevice, ident, int, moveClause, nstr, stopAtClause } from '../tsql.ts';
import type { RestoreStep } from '../restore/restore-plan.ts';
import type { RestoreScriptEngine } from '../restore/render-restore-script.ts';

/** The name of the typed parameter that carries the LiteSpeed encryption key. */
export const ENCRYPTION_KEY_PARAMETER = 'encryptionkey';

export interface RenderRestoreStepOptions {
  engine: RestoreScriptEngine;
  /** The database restored into (plan.target.database). */
  database: string;
  /** Add REPLACE (only ever on the first step of a run, and only when asked). */
  replace: boolean;
  /** LiteSpeed: pass `@encryptionkey = @encryptionkey`, the key bound as a typed parameter. */
  keyParameter: boolean;
}

/**
 * One plan step as the T-SQL batch the executor sends: the same statement the DBA script holds
 * (templates/restore/*.sql.hbs), without the script's error handling (the executor checks the return
 * code and the server's errors itself) and with the encryption key as a parameter instead of a literal.
 * LiteSpeed batches end with `SELECT @rc AS rc`. A recover-only step is native T-SQL in both engines,
 * since xp_restore_database always needs @filename. Every value is escaped by construction (tsql.ts).
 */
export function renderRestoreStep(step: RestoreStep, options: RenderRestoreStepOptions): string {
  if (step.kind === 'recover') return `${recoverOnly(step, options.database)};`;
  return options.engine === 'native' ? nativeStep(step, options) : liteSpeedStep(step, options);
}

function filegroupClauses(step: RestoreStep): string[] {
  return step.kind === 'filegroup' || step.partial || step.kind === 'recover' ? step.filegroups : [];
}

function recoverOnly(step: RestoreStep, database: string): string {
  const fgs = filegroupClauses(step).map((f) => `FILEGROUP = ${nstr(f)}`);
  return `RESTORE DATABASE ${ident(database)}${fgs.length > 0 ? ` ${fgs.join(', ')}` : ''} WITH RECOVERY`;
}

function liteSpeedStep(step: RestoreStep, o: RenderRestoreStepOptions): string {
  const args = [`@database = ${nstr(o.database)}`];
  for (const f of step.files) args.push(`@filename = ${nstr(f)}`);
  args.push(`@filenumber = ${int(step.position ?? 1)}`);
  for (const fg of filegroupClauses(step)) args.push(`@filegroup = ${nstr(fg)}`);
  if (step.partial) args.push(`@with = N'PARTIAL'`);
  args.push(`@with = ${step.recovery ? "N'RECOVERY'" : "N'NORECOVERY'"}`);
  if (o.replace) args.push(`@with = N'REPLACE'`);
  for (const m of step.move) args.push(`@with = ${nstr(moveClause(m.logical, m.physical))}`);
  if (step.stop_at) args.push(`@with = ${nstr(stopAtClause(step.stop_at))}`);
  if (o.keyParameter) args.push(`@encryptionkey = @${ENCRYPTION_KEY_PARAMETER}`);
  const proc = step.kind === 'log' ? 'xp_restore_log' : 'xp_restore_database';
  return [
    'DECLARE @rc int;',
    `EXEC @rc = master.dbo.${proc}`,
    `    ${args.join(',\n    ')};`,
    'SELECT @rc AS rc;',
  ].join('\n');
}

function nativeStep(step: RestoreStep, o: RenderRestoreStepOptions): string {
  const fgs = filegroupClauses(step).map((f) => `FILEGROUP = ${nstr(f)}`);
  const head =
    step.kind === 'log'
      ? `RESTORE LOG ${ident(o.database)}`
      : `RESTORE DATABASE ${ident(o.database)}${fgs.length > 0 ? ` ${fgs.join(', ')}` : ''}`;
  const devices = step.files.map((f) => backupDevice(step.device_type, f)).join(',\n     ');
  const options = [`FILE = ${int(step.position ?? 1)}`];
  if (step.partial) options.push('PARTIAL');
  options.push(step.recovery ? 'RECOVERY' : 'NORECOVERY');
  if (o.replace) options.push('REPLACE');
  const clauses = [options.join(', '), ...step.move.map((m) => moveClause(m.logical, m.physical))];
  if (step.stop_at) clauses.push(stopAtClause(step.stop_at));
  return `${head}\nFROM ${devices}\nWITH ${clauses.join(',\n     ')};`;
}
