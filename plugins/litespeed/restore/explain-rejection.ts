import { describeSet, isDiffType, type IndexedSet } from './history-index.ts';
import type { WalkStop } from './log-chain.ts';
import type { RestoreRejection, RestoreRule } from './restore-plan.ts';
import type { Candidates } from './select-candidates.ts';

export function rejection(
  rule: RestoreRule,
  message: string,
  extra: Partial<RestoreRejection> = {},
): RestoreRejection {
  return { rule, message, backup_set_id: null, filegroup: null, lsn_range: null, ...extra };
}

function reachText(reached: IndexedSet): string {
  return `the chain reaches ${reached.raw.backup_finish_date} (LSN ${reached.raw.last_lsn}, backup ${reached.id}); to restore to that point, plan with stopAt at or before it`;
}

/**
 * Why a chain from `base` does not reach the target: the newest backup is unusable, or it is a
 * differential of another base (applying it here would fail with Msg 3136), or something newer is simply
 * out of reach.
 */
export function explainMiss(c: Candidates, base: IndexedSet, reached: IndexedSet): RestoreRejection {
  const t = c.target.kind === 'latest' ? c.target.set : c.target.newest;
  if (!t)
    return rejection(
      'unreachable-target',
      `nothing on the chain from base backup ${base.id} reaches the target; ${reachText(reached)}`,
      { backup_set_id: base.id },
    );
  const point = c.target.kind === 'latest' ? 'the latest point' : 'the newest backup finished by STOPAT';
  const bad = c.unusable(t);
  if (bad)
    return rejection(bad.rule, `${bad.message}. It is ${point}; ${reachText(reached)}`, {
      backup_set_id: t.id,
    });
  if (isDiffType(t.type)) {
    const guid = t.raw.differential_base_guid;
    const b = guid === null ? undefined : c.index.byUuid.get(guid);
    let why: string;
    if (guid === null || t.diffBase === null)
      why = 'it has no single differential base (multi-based differentials are not supported)';
    else if (!b)
      why = `its base (backup_set_uuid ${guid}, checkpoint_lsn ${t.raw.differential_base_lsn}) is not in the history, and it cannot be applied on any other base (Msg 3136)`;
    else if (b.raw.is_copy_only)
      why = `its base is copy-only ${describeSet(b)}, and a copy-only backup is never a differential base (Msg 3136)`;
    else if (b.checkpoint !== t.diffBase)
      why = `its differential_base_lsn ${t.raw.differential_base_lsn} is not the checkpoint_lsn ${b.raw.checkpoint_lsn} of backup ${b.id}`;
    else if (b !== base) {
      const bBad = c.unusable(b);
      why = `it belongs to base backup ${b.id}, not to base backup ${base.id} (restoring it there fails with Msg 3136)${bBad ? `, and ${bBad.message}` : !c.onPath(b) && !c.diffOnlyBases.has(b.id) ? ', which is not on the recovery path' : ''}`;
    } else why = 'it is not usable with this base';
    return rejection(
      'differential-base',
      `${describeSet(t)} is ${point}, but ${why}; ${reachText(reached)}`,
      { backup_set_id: t.id },
    );
  }
  return rejection(
    'unreachable-target',
    `${describeSet(t)} is ${point}, and the chain from base backup ${base.id} cannot reach it; ${reachText(reached)}`,
    { backup_set_id: t.id },
  );
}

/** Why a walk along the log chain stopped, as a rejection naming the missing LSN range or the backup. */
export function explainStop(c: Candidates, stop: WalkStop, startedAfter: IndexedSet): RestoreRejection {
  const reached = stop.after ?? startedAfter;
  if (stop.kind === 'blocked') {
    return rejection(stop.reason.rule, `the log chain needs ${stop.reason.message}; ${reachText(reached)}`, {
      backup_set_id: stop.log.id,
    });
  }
  const where = stop.after ? `log backup ${stop.after.id} ends` : `${describeSet(startedAfter)} ends`;
  if (stop.next === null && c.target.kind === 'time') {
    const last = c.logs.newest();
    const lastText = last ? `the last log backup is ${describeSet(last)}` : 'there is no log backup';
    return rejection(
      'stopat-after-last-log',
      `STOPAT ${new Date(c.target.at).toISOString()} is after the end of the log chain: no log backup ${stop.after ? 'starts at' : 'contains'} LSN ${stop.from} (where ${where}) and ${lastText}; ${reachText(reached)}`,
      { backup_set_id: reached.id, lsn_range: { from: String(stop.from), to: null } },
    );
  }
  const restart = stop.next?.raw.begins_log_chain
    ? ' (it begins a new log chain: the recovery model was switched; a full or differential taken after the switch is needed)'
    : '';
  const nextText = stop.next
    ? `the next log backup ${stop.next.id} starts at LSN ${stop.next.raw.first_lsn}${restart}`
    : 'no later log backup exists';
  return rejection(
    'log-gap',
    `the log chain breaks: no log backup ${stop.after ? 'starts at' : 'contains'} LSN ${stop.from} (where ${where}); ${nextText}. Missing LSN range ${stop.from}..${stop.next?.raw.first_lsn ?? '(end)'}; ${reachText(reached)}`,
    {
      backup_set_id: stop.after?.id ?? startedAfter.id,
      lsn_range: { from: String(stop.from), to: stop.next?.raw.first_lsn ?? null },
    },
  );
}
