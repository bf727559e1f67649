import { readFileSync } from 'node:fs';
import { ErrorCode, HoldfastError } from '../../../src/core/errors.ts';
import { MASK, type Secret } from '../../../src/core/secret.ts';
import { createTsqlHandlebars } from '../tsql.ts';
import type { RestoreMove, RestorePlan, RestoreStep } from './restore-plan.ts';

export type RestoreScriptEngine = 'litespeed' | 'native';

export interface RenderRestoreScriptOptions {
  engine: RestoreScriptEngine;
  /** LiteSpeed @encryptionkey. Printed as ******** unless revealSecrets is true. */
  encryptionKey?: Secret;
  /** Put the real key in the script (only for the executor or a DBA who asked for it). */
  revealSecrets?: boolean;
}

interface StepView {
  number: number;
  stage: number;
  summary: string;
  reason: string;
  isLog: boolean;
  recoverOnly: boolean;
  files: string[];
  devices: { deviceType: number | null; path: string }[];
  position: number | null;
  filegroups: string[];
  partial: boolean;
  recovery: boolean;
  moves: RestoreMove[];
  stopAt: string | null;
}

interface ScriptView {
  title: string;
  header: string[];
  database: string;
  encryptionKey: string | null;
  steps: StepView[];
}

const TEMPLATES = new URL('../../../templates/restore/', import.meta.url);
const compiled = new Map<RestoreScriptEngine, (view: ScriptView) => string>();

function template(engine: RestoreScriptEngine): (view: ScriptView) => string {
  let t = compiled.get(engine);
  if (!t) {
    const source = readFileSync(new URL(`${engine}.sql.hbs`, TEMPLATES), 'utf8');
    t = createTsqlHandlebars().compile<ScriptView>(source);
    compiled.set(engine, t);
  }
  return t;
}

/**
 * A DBA script for the plan: LiteSpeed (xp_restore_database / xp_restore_log, return codes checked) or
 * native RESTORE (@@ERROR checked). Each step is commented with its reason; the script stops at the first
 * failed step. The encryption key is masked unless revealSecrets is set.
 */
export function renderRestoreScript(plan: RestorePlan, options: RenderRestoreScriptOptions): string {
  if (options.engine !== 'litespeed' && options.engine !== 'native') {
    throw new HoldfastError(
      ErrorCode.ConfigInvalid,
      `unknown script engine ${String(options.engine)} (allowed: litespeed, native)`,
    );
  }
  if (options.engine === 'native' && options.encryptionKey) {
    throw new HoldfastError(
      ErrorCode.ConfigInvalid,
      'an encryption key applies to LiteSpeed scripts only; native RESTORE decrypts with a server certificate',
    );
  }
  if (options.revealSecrets && !options.encryptionKey) {
    throw new HoldfastError(ErrorCode.ConfigInvalid, 'revealSecrets needs an encryptionKey to reveal');
  }
  const key = options.encryptionKey ? (options.revealSecrets ? options.encryptionKey.reveal() : MASK) : null;
  const view: ScriptView = {
    title: `holdfast restore script (${options.engine === 'litespeed' ? 'LiteSpeed' : 'native T-SQL'}): ${titleOf(plan)}`,
    header: headerLines(plan, options),
    database: plan.target.database,
    encryptionKey: key,
    steps: plan.steps.map((s, i) => stepView(s, i + 1)),
  };
  return template(options.engine)(view);
}

function titleOf(plan: RestorePlan): string {
  const as = plan.target.database !== plan.database_name ? ` as ${plan.target.database}` : '';
  const point = plan.target.stop_at ? `point in time ${plan.target.stop_at}` : 'the latest point';
  return `restore ${plan.database_name}${as} to ${point} (LSN ${plan.target.reaches_lsn})`;
}

function headerLines(plan: RestorePlan, options: RenderRestoreScriptOptions): string[] {
  const lines = [
    'Generated from backup history; review before running. The script stops at the first failed step.',
  ];
  const stopAt = plan.steps.find((s) => s.stop_at !== null)?.stop_at;
  if (stopAt) {
    const offset = /(Z|[+-]\d{2}:\d{2})$/.exec(stopAt)?.[1] ?? 'Z';
    lines.push(
      `STOPAT values are wall-clock times at UTC${offset === 'Z' ? '+00:00' : offset} (the offset recorded with the backups); SQL Server reads STOPAT in the server's local time.`,
    );
  }
  const ids = (keep: (s: RestoreStep) => boolean) => [
    ...new Set(plan.steps.filter(keep).map((s) => s.backup_set_id)),
  ];
  const vdi = ids((s) => s.device_type === 7);
  const other = ids((s) => s.kind !== 'recover' && s.device_type !== 7);
  if (options.engine === 'native' && vdi.length > 0) {
    lines.push(
      `WARNING: backups ${vdi.join(', ')} were written through a virtual device (LiteSpeed); native RESTORE cannot read LiteSpeed files.`,
    );
  }
  if (options.engine === 'litespeed') {
    if (other.length > 0)
      lines.push(
        `WARNING: backups ${other.join(', ')} were not written through a virtual device; check that LiteSpeed can read them.`,
      );
    if (!options.encryptionKey) lines.push('No @encryptionkey: add one if the backups are encrypted.');
  }
  for (const w of plan.warnings) lines.push(`WARNING: ${w}`);
  return lines;
}

function stepView(s: RestoreStep, number: number): StepView {
  const clauses = s.kind === 'filegroup' || s.partial || s.kind === 'recover';
  const what =
    s.kind === 'log'
      ? 'log'
      : s.kind === 'recover'
        ? 'recover'
        : s.kind === 'filegroup'
          ? 'filegroup'
          : s.partial
            ? 'partial'
            : 'database';
  const fgs = clauses && s.filegroups.length > 0 ? ` (${s.filegroups.join(', ')})` : '';
  const backup = s.backup_set_id === null ? '' : ` from backup set ${s.backup_set_id}`;
  return {
    number,
    stage: s.stage,
    summary: `restore ${what}${fgs}${backup}, ${s.recovery ? 'WITH RECOVERY' : 'NORECOVERY'}`,
    reason: s.reason,
    isLog: s.kind === 'log',
    recoverOnly: s.kind === 'recover',
    files: s.files,
    devices: s.files.map((path) => ({ deviceType: s.device_type, path })),
    position: s.position,
    filegroups: clauses ? s.filegroups : [],
    partial: s.partial,
    recovery: s.recovery,
    moves: s.move,
    stopAt: s.stop_at,
  };
}
