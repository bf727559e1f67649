import { ErrorCode, ExitCode, HoldfastError } from '../../../src/core/errors.ts';
import { buildRestoreSteps } from './build-restore-steps.ts';
import { rejection } from './explain-rejection.ts';
import type { BackupHistory } from './history-schema.ts';
import { FileRelocation } from './relocate-files.ts';
import type {
  PlanRestoreOptions,
  PlanRestoreResult,
  RestoreFailure,
  RestorePlan,
  RestoreRejection,
  RestoreRequest,
} from './restore-plan.ts';
import { selectCandidates, type Candidates } from './select-candidates.ts';
import { selectChain, type ChosenChain } from './select-chain.ts';
import { testRestoreChain } from './test-restore-chain.ts';

const MAX_REJECTED = 20;

/**
 * Plans a restore from backup history. Pure: the same history and request give the same plan.
 * Stages, after dbatools' select -> test: candidates (request, recovery fork, target point, bases),
 * chain selection (newest base first: differential, logs, piecemeal stages), validation.
 * Returns a plan, or a failure naming the rule, the backup and the filegroup that stop every chain.
 */
export function planRestore(
  history: BackupHistory,
  request: RestoreRequest,
  options: PlanRestoreOptions = {},
): PlanRestoreResult {
  const cand = selectCandidates(history, request, options);
  if (!cand.ok) return failed(history, request, cand.rejection, [], []);
  const c = cand.candidates;

  const rejected: RestoreFailure['rejected'] = [];
  let firstRejection: RestoreRejection | null = null;
  let chain: ChosenChain | null = null;
  for (const base of c.bases) {
    const r = selectChain(c, base);
    if (r.ok) {
      chain = r.chain;
      break;
    }
    firstRejection ??= r.rejection;
    if (rejected.length < MAX_REJECTED)
      rejected.push({ backup_set_id: base.id, reason: `${r.rejection.rule}: ${r.rejection.message}` });
  }
  if (!chain) return failed(history, request, firstRejection!, rejected, c.warnings);

  const warnings = [
    ...c.warnings,
    ...rejected.map((r) => `base backup ${r.backup_set_id} not used: ${r.reason}`),
    ...chain.warnings,
  ];
  const relocation = new FileRelocation(request, history.database_name);
  const known = new Set<string>(chain.base.raw.files.map((f) => f.logical_name));
  for (const stage of chain.stages)
    for (const d of stage.data) for (const f of d.set.raw.files) known.add(f.logical_name);
  const unknown = relocation.unknown(known);
  if (unknown.length > 0) {
    const r = rejection(
      'unknown-logical-file',
      `move names logical file${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}, not in base backup ${chain.base.id} (files: ${[...known].join(', ')})`,
    );
    return failed(history, request, r, [], warnings);
  }
  const built = buildRestoreSteps(c, chain, relocation);
  const collision = findCollision(built.steps);
  if (collision) return failed(history, request, rejection('move-collision', collision), [], warnings);
  warnings.push(...built.warnings, ...requestWarnings(c, chain, relocation));

  const problems = testRestoreChain(c, chain, built.steps);
  if (problems.length > 0)
    return failed(
      history,
      request,
      rejection('internal', `the selected chain breaks a rule (planner bug): ${problems.join('; ')}`),
      [],
      warnings,
    );

  const reached = chain.reaches;
  const plan: RestorePlan = {
    database_name: history.database_name,
    target: {
      database: c.restoreAs,
      stop_at: request.stopAt ? request.stopAt.toISOString() : null,
      reaches_lsn: reached.raw.last_lsn,
      reaches_time: reached.raw.backup_finish_date,
      recovery_fork_guid: reached.forkLast,
      filegroups_online: chain.stages.flatMap((s) => s.online),
      filegroups_offline: chain.offline,
    },
    steps: built.steps,
    warnings: [...new Set(warnings)],
  };
  return { ok: true, plan };
}

function requestWarnings(c: Candidates, chain: ChosenChain, relocation: FileRelocation): string[] {
  const out: string[] = [];
  const name = c.history.database_name;
  if (c.request.as && c.request.as.toLowerCase() !== name.toLowerCase() && !relocation.relocates) {
    out.push(
      `restoring as ${c.request.as} without moveDataTo or move: the files keep their recorded paths, which collide with ${name}'s own files if it exists on the same server`,
    );
  }
  for (const logical of relocation.unused())
    out.push(`move for logical file ${logical} not used: no restored step creates that file`);
  const inBase = c.filegroupsOf(chain.base);
  for (const fg of c.history.filegroups ?? []) {
    if (![...inBase.keys()].some((n) => n.toLowerCase() === fg.name.toLowerCase())) {
      out.push(
        `filegroup ${fg.name} exists now but not in base backup ${chain.base.id}: it was added later and comes back only if ${chain.logMode ? 'the log chain replays its creation (RESTORE LOG may need MOVE for its files)' : 'a newer base holds it'}`,
      );
    }
  }
  if (
    c.target.kind === 'time' &&
    chain.logMode &&
    chain.stages[0]!.logs.some((l) => l.raw.recovery_model === 'BULK_LOGGED')
  ) {
    out.push(
      'log backups taken under BULK_LOGGED: SQL Server refuses STOPAT inside a log backup that holds minimally logged operations',
    );
  }
  return out;
}

function findCollision(steps: RestorePlan['steps']): string | null {
  const owner = new Map<string, string>();
  for (const s of steps) {
    for (const m of s.move) {
      const key = m.physical.toLowerCase();
      const other = owner.get(key);
      if (other !== undefined && other.toLowerCase() !== m.logical.toLowerCase())
        return `logical files ${other} and ${m.logical} would both be moved to ${m.physical}`;
      owner.set(key, m.logical);
    }
  }
  return null;
}

function failed(
  history: BackupHistory,
  request: RestoreRequest,
  r: RestoreRejection,
  rejected: RestoreFailure['rejected'],
  warnings: string[],
): PlanRestoreResult {
  const stopAt =
    request.stopAt && !Number.isNaN(request.stopAt.getTime()) ? request.stopAt.toISOString() : null;
  return {
    ok: false,
    failure: {
      ...r,
      database_name: history.database_name,
      target: { database: request.as ?? history.database_name, stop_at: stopAt },
      rejected,
      warnings: [...new Set(warnings)],
    },
  };
}

const REQUEST_RULES = new Set<RestoreRejection['rule']>([
  'unknown-database',
  'invalid-request',
  'unknown-filegroup',
  'unknown-logical-file',
  'move-collision',
]);

/** The documented exit code: 2 for a request that is wrong in itself, 1 when no valid chain exists. */
export function restoreFailureExitCode(f: RestoreFailure): ExitCode {
  return REQUEST_RULES.has(f.rule) ? ExitCode.InvalidInput : ExitCode.StepFailed;
}

/** The failure as a HoldfastError (RULE_VIOLATION, CONFIG_INVALID for a bad request, INTERNAL for a bug). */
export function restoreFailureToError(f: RestoreFailure): HoldfastError {
  const code =
    f.rule === 'internal'
      ? ErrorCode.Internal
      : REQUEST_RULES.has(f.rule)
        ? ErrorCode.ConfigInvalid
        : ErrorCode.RuleViolation;
  return new HoldfastError(code, `cannot plan a restore of ${f.database_name}: ${f.message}`, {
    target: f.target.database,
    details: {
      rule: f.rule,
      backup_set_id: f.backup_set_id,
      filegroup: f.filegroup,
      lsn_range: f.lsn_range,
      rejected: f.rejected,
    },
  });
}
