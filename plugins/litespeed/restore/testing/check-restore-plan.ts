import type { BackupHistory, BackupSet } from '../history-schema.ts';
import type { RestorePlan, RestoreRequest, RestoreStep } from '../restore-plan.ts';

export interface CheckRestorePlanOptions {
  allowDamaged?: boolean;
  allowIncompleteMetadata?: boolean;
}

/**
 * A property checker for restore plans, written apart from the planner (it reads only the history and
 * the plan): every step's LSN range links to the previous one, each differential sits on its base, logs
 * chain by containment, fork GUIDs stay continuous, each set is read from one complete mirror, no
 * copy-only or damaged set is used, under SIMPLE every read-write filegroup comes back in stage 1,
 * read-only filegroups come from backups that still match the base, STOPAT is honoured. Returns the
 * violations (empty: the plan obeys the rules).
 */
export function checkRestorePlan(
  history: BackupHistory,
  request: RestoreRequest,
  plan: RestorePlan,
  options: CheckRestorePlanOptions = {},
): string[] {
  const v: string[] = [];
  const sets = new Map(history.backupsets.map((s) => [s.backup_set_id, s]));
  const setOf = (st: RestoreStep) => (st.backup_set_id === null ? undefined : sets.get(st.backup_set_id));
  checkStructure(plan, v);
  plan.steps.forEach((st, i) => {
    if (st.kind === 'recover') return;
    const s = setOf(st);
    if (!s) return void v.push(`step ${i + 1}: backup ${st.backup_set_id} is not in the history`);
    checkSet(st, s, i, options, v);
  });
  const stages = new Map<number, RestoreStep[]>();
  for (const st of plan.steps) stages.set(st.stage, [...(stages.get(st.stage) ?? []), st]);
  const stage1 = stages.get(1) ?? [];
  const base = stage1[0] && setOf(stage1[0]);
  const stage1LastLog = [...stage1].reverse().find((st) => st.kind === 'log');
  const seenFilegroups = new Set<string>();
  for (const [n, steps] of stages) {
    checkStage(
      n,
      steps.map((st) => ({ st, s: setOf(st)! })).filter((x) => x.s),
      v,
    );
    for (const st of steps) {
      const type = setOf(st)?.type ?? '';
      if (
        st.kind === 'log' ||
        'IQG'.includes(type) ||
        (st.kind === 'database' && !st.partial && st !== steps[0])
      )
        continue;
      for (const fg of st.filegroups) {
        if (seenFilegroups.has(fg)) v.push(`filegroup ${fg} restored twice`);
        seenFilegroups.add(fg);
      }
    }
    const lastLog = [...steps].reverse().find((st) => st.kind === 'log');
    if (n > 1 && lastLog && lastLog.backup_set_id !== stage1LastLog?.backup_set_id)
      v.push(`stage ${n} replays logs to a different point than stage 1`);
    if (n > 1 && !lastLog && base)
      checkReadOnlyStage(n, steps, base, stage1LastLog ? setOf(stage1LastLog) : undefined, sets, v);
  }
  if (base) checkStageOne(plan, stage1, base, setOf, v);
  if (request.stopAt) checkStopAt(request.stopAt.getTime(), stages, setOf, v);
  return v;
}

function checkStructure(plan: RestorePlan, v: string[]): void {
  plan.steps.forEach((st, i) => {
    const prev = plan.steps[i - 1];
    const next = plan.steps[i + 1];
    if (!prev && st.stage !== 1) v.push('the plan does not start in stage 1');
    if (prev && st.stage !== prev.stage && st.stage !== prev.stage + 1)
      v.push(`step ${i + 1}: stage ${st.stage} after stage ${prev.stage}`);
    const last = !next || next.stage !== st.stage;
    if (st.recovery !== last)
      v.push(
        `step ${i + 1}: recovery=${st.recovery} but ${last ? 'it ends' : 'it does not end'} stage ${st.stage}`,
      );
    if (st.partial && i !== 0) v.push(`step ${i + 1}: PARTIAL after the first step`);
  });
}

function checkSet(st: RestoreStep, s: BackupSet, i: number, o: CheckRestorePlanOptions, v: string[]): void {
  const where = `step ${i + 1} (backup ${s.backup_set_id}, ${s.type})`;
  const allowed: Record<RestoreStep['kind'], string> = {
    log: 'L',
    database: 'DPIQF',
    filegroup: 'DPFGIQ',
    recover: '',
  };
  if (!allowed[st.kind].includes(s.type)) v.push(`${where}: a ${st.kind} step cannot restore type ${s.type}`);
  if (s.is_copy_only) v.push(`${where}: copy-only backup used`);
  if (s.is_damaged && !o.allowDamaged) v.push(`${where}: damaged backup used`);
  if (s.has_incomplete_metadata && !o.allowIncompleteMetadata)
    v.push(`${where}: backup with incomplete metadata used`);
  if (s.type === 'L' && s.first_lsn === s.last_lsn) v.push(`${where}: empty log used`);
  if (st.position !== s.position) v.push(`${where}: position ${st.position}, history says ${s.position}`);
  const families = Math.max(...s.media.map((m) => m.family_sequence_number));
  const ok = [...new Set(s.media.map((m) => m.mirror))].some((mirror) => {
    const names = Array.from(
      { length: families },
      (_, k) =>
        s.media.find((m) => m.mirror === mirror && m.family_sequence_number === k + 1)?.physical_device_name,
    );
    return names.every((n) => n !== undefined) && JSON.stringify(names) === JSON.stringify(st.files);
  });
  if (!ok) v.push(`${where}: files are not every family of one mirror in order: ${st.files.join(', ')}`);
}

function checkStage(n: number, steps: { st: RestoreStep; s: BackupSet }[], v: string[]): void {
  const firstLog = steps.findIndex((x) => x.st.kind === 'log');
  const data = firstLog === -1 ? steps : steps.slice(0, firstLog);
  const logs = firstLog === -1 ? [] : steps.slice(firstLog);
  if (logs.some((x) => x.st.kind !== 'log')) v.push(`stage ${n}: a data step after a log step`);
  const points: bigint[] = [];
  data.forEach(({ s }, k) => {
    const next = data[k + 1]?.s;
    const isDiff = 'IQG'.includes(s.type);
    if (isDiff) {
      const b = data[k - 1]?.s;
      if (
        !b ||
        s.differential_base_lsn !== b.checkpoint_lsn ||
        s.differential_base_guid?.toUpperCase() !== b.backup_set_uuid.toUpperCase()
      ) {
        v.push(`stage ${n}: differential ${s.backup_set_id} does not sit on the backup before it`);
      } else if (BigInt(s.last_lsn) < BigInt(b.last_lsn))
        v.push(`stage ${n}: differential ${s.backup_set_id} ends before its base`);
    }
    const superseded =
      next !== undefined &&
      'IQG'.includes(next.type) &&
      next.differential_base_guid?.toUpperCase() === s.backup_set_uuid.toUpperCase();
    if (!superseded) points.push(BigInt(s.last_lsn));
  });
  if (logs.length === 0) return;
  const low = points.reduce((a, b) => (b < a ? b : a));
  const high = points.reduce((a, b) => (b > a ? b : a));
  const first = logs[0]!.s;
  if (!(BigInt(first.first_lsn) <= low && low < BigInt(first.last_lsn)))
    v.push(`stage ${n}: first log ${first.backup_set_id} does not contain LSN ${low}`);
  let prev = data.at(-1)?.s;
  for (const { s } of logs) {
    if (prev && prev.type === 'L' && s.first_lsn !== prev.last_lsn)
      v.push(`stage ${n}: log ${s.backup_set_id} does not start where log ${prev.backup_set_id} ends`);
    if (prev && s.first_recovery_fork_guid !== prev.last_recovery_fork_guid)
      v.push(
        `stage ${n}: log ${s.backup_set_id} starts on fork ${s.first_recovery_fork_guid}, the chain is on ${prev.last_recovery_fork_guid}`,
      );
    prev = s;
  }
  if (BigInt(logs.at(-1)!.s.last_lsn) < high) v.push(`stage ${n}: the logs end before the newest data step`);
}

function checkStageOne(
  plan: RestorePlan,
  steps: RestoreStep[],
  base: BackupSet,
  setOf: (st: RestoreStep) => BackupSet | undefined,
  v: string[],
): void {
  if ((base.type === 'P' || base.type === 'F') && !steps[0]!.partial)
    v.push(`stage 1 starts from a ${base.type} backup without PARTIAL`);
  const fgs = new Set(steps.flatMap((st) => st.filegroups).map((f) => f.toUpperCase()));
  if (!fgs.has('PRIMARY')) v.push('stage 1 does not restore PRIMARY');
  if (base.recovery_model === 'SIMPLE') {
    for (const f of base.files) {
      if (
        f.file_type !== 'L' &&
        f.filegroup_name &&
        !f.is_readonly &&
        !fgs.has(f.filegroup_name.toUpperCase())
      )
        v.push(`SIMPLE: read-write filegroup ${f.filegroup_name} is not in stage 1`);
    }
  }
  const last = setOf(steps.at(-1)!);
  if (last && last.last_recovery_fork_guid !== plan.target.recovery_fork_guid)
    v.push('stage 1 does not end on the target recovery fork');
  if (last && last.last_lsn !== plan.target.reaches_lsn)
    v.push(`target.reaches_lsn ${plan.target.reaches_lsn} is not where stage 1 ends (${last.last_lsn})`);
}

function checkReadOnlyStage(
  n: number,
  steps: RestoreStep[],
  base: BackupSet,
  stage1Log: BackupSet | undefined,
  sets: Map<number, BackupSet>,
  v: string[],
): void {
  for (const st of steps) {
    const src = st.backup_set_id === null ? undefined : sets.get(st.backup_set_id);
    if (!src) continue;
    for (const fg of st.filegroups) {
      // Under FULL the log chain of stage 1 replays read-only switches: the reference is the newest set
      // up to stage 1's end that records the filegroup (a log with its data-file rows, a later backup).
      let ref = base;
      if (stage1Log) {
        const end = BigInt(stage1Log.last_lsn);
        for (const s of sets.values()) {
          if (BigInt(s.last_lsn) > end || BigInt(s.last_lsn) < BigInt(ref.last_lsn)) continue;
          if (s.files.some((f) => f.filegroup_name === fg && f.file_type !== 'L')) ref = s;
        }
      }
      const inBase = ref.files.filter((f) => f.filegroup_name === fg && f.file_type !== 'L');
      const inSrc = src.files.filter((f) => f.filegroup_name === fg && f.file_type !== 'L');
      const ro = inBase[0]?.read_only_lsn ?? null;
      const rw = inBase[0]?.read_write_lsn ?? null;
      const valid =
        ro !== null &&
        inBase.every((f) => f.is_readonly && f.read_only_lsn === ro) &&
        (rw === null || BigInt(rw) < BigInt(ro)) &&
        inSrc.length > 0 &&
        inSrc.every((f) => f.is_present && f.is_readonly && f.read_only_lsn === ro);
      if (!valid)
        v.push(
          `stage ${n}: filegroup ${fg} restored without logs from backup ${src.backup_set_id}, which does not match base ${base.backup_set_id}${ref === base ? '' : ` (as backup ${ref.backup_set_id} records it where stage 1 ends)`}`,
        );
    }
  }
}

function checkStopAt(
  at: number,
  stages: Map<number, RestoreStep[]>,
  setOf: (st: RestoreStep) => BackupSet | undefined,
  v: string[],
): void {
  const withLogs = [...stages.values()].some((steps) => steps.some((st) => st.kind === 'log'));
  for (const [n, steps] of stages) {
    const logs = steps.filter((st) => st.kind === 'log').map(setOf) as BackupSet[];
    for (const st of steps) {
      if (withLogs && st.kind !== 'recover' && (st.stop_at === null || Date.parse(st.stop_at) !== at))
        v.push(`stage ${n}: step for backup ${st.backup_set_id} has STOPAT ${st.stop_at}`);
      const s = setOf(st);
      if (s && st.kind !== 'log' && (n === 1 || logs.length > 0) && Date.parse(s.backup_finish_date) > at)
        v.push(`stage ${n}: backup ${s.backup_set_id} finished after STOPAT`);
    }
    if (logs.length === 0) continue;
    if (Date.parse(logs.at(-1)!.backup_finish_date) < at)
      v.push(`stage ${n}: the last log finished before STOPAT`);
    if (logs.slice(0, -1).some((l) => Date.parse(l.backup_finish_date) >= at))
      v.push(`stage ${n}: logs after the one holding STOPAT`);
  }
}
