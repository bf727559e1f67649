import { ErrorCode, HoldfastError } from '../../../src/core/errors.ts';
import type { PlanRestoreOptions, RestoreRequest } from '../restore/restore-plan.ts';
import { parsePointInTime } from './server-wall-time.ts';

/** The selection flags shared by `restore plan`, `restore script` and `restore run`. */
export interface RestoreSelectionFlags {
  database: string;
  stopAt?: string;
  /** `A,B` (or repeated). */
  filegroups?: string | string[];
  firstStage?: string | string[];
  as?: string;
  moveDataTo?: string;
  /** `LOGICAL=PATH`, repeated. */
  move?: string | string[];
  recoveryFork?: string;
  unsafeAllowDamaged?: boolean;
  unsafeAllowIncompleteMetadata?: boolean;
}

function list(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = (Array.isArray(value) ? value : [value])
    .flatMap((v) => String(v).split(','))
    .map((v) => v.trim());
  return items.filter((v) => v.length > 0);
}

/**
 * Turns the selection flags into the planner's request and options. Checks what the command line alone
 * can tell (dates, `LOGICAL=PATH` form, empty lists) and reports every problem at once (exit 2); the
 * planner checks the rest against the history. A --stop-at without an offset is the server's wall time.
 */
export function restoreRequestFromFlags(
  flags: RestoreSelectionFlags,
  serverTimeZone: string,
): { request: RestoreRequest; options: PlanRestoreOptions } {
  const problems: string[] = [];
  const database = flags.database?.trim() ?? '';
  if (database.length === 0) problems.push('--database: give the database whose backups to restore');
  const request: RestoreRequest = { database };
  if (flags.stopAt !== undefined) {
    const at = parsePointInTime(flags.stopAt, serverTimeZone);
    if (at) request.stopAt = at;
    else
      problems.push(
        `--stop-at "${flags.stopAt}" is not an ISO-8601 date-time (such as 2026-03-01T14:30:00Z, 2026-03-01T15:30:00+01:00, or 2026-03-01T14:30:00 in the server's time zone ${serverTimeZone})`,
      );
  }
  for (const [flag, value, key] of [
    ['--filegroups', flags.filegroups, 'filegroups'],
    ['--first-stage', flags.firstStage, 'firstStage'],
  ] as const) {
    const names = list(value);
    if (names === undefined) continue;
    if (names.length === 0)
      problems.push(`${flag}: give filegroup names separated by commas (such as PRIMARY,FG_2026)`);
    else request[key] = [...new Set(names)];
  }
  if (flags.as !== undefined) {
    if (flags.as.trim().length === 0) problems.push('--as: give the new database name');
    else request.as = flags.as.trim();
  }
  if (flags.moveDataTo !== undefined) {
    if (flags.moveDataTo.trim().length === 0) problems.push('--move-data-to: give a directory on the server');
    else request.moveDataTo = flags.moveDataTo.trim();
  }
  const moves = flags.move === undefined ? [] : Array.isArray(flags.move) ? flags.move : [flags.move];
  for (const m of moves) {
    const eq = String(m).indexOf('=');
    const logical = eq > 0 ? String(m).slice(0, eq).trim() : '';
    const path =
      eq > 0
        ? String(m)
            .slice(eq + 1)
            .trim()
        : '';
    if (logical.length === 0 || path.length === 0)
      problems.push(`--move "${m}" is not LOGICAL=PATH (such as DW_Data=E:\\restore\\DW_Copy.mdf)`);
    else (request.move ??= []).push({ logical, path });
  }
  const options: PlanRestoreOptions = {};
  if (flags.recoveryFork !== undefined) {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(flags.recoveryFork.trim()))
      problems.push(`--recovery-fork "${flags.recoveryFork}" is not a GUID`);
    else options.recoveryForkGuid = flags.recoveryFork.trim().toUpperCase();
  }
  if (flags.unsafeAllowDamaged) options.unsafeAllowDamaged = true;
  if (flags.unsafeAllowIncompleteMetadata) options.unsafeAllowIncompleteMetadata = true;
  if (problems.length > 0) {
    throw new HoldfastError(
      ErrorCode.ConfigInvalid,
      problems.length === 1
        ? problems[0]!
        : `${problems.length} problems with the restore options:\n  ${problems.join('\n  ')}`,
      {
        details: { problems },
      },
    );
  }
  return { request, options };
}
