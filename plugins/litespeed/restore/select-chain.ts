import type { BackupFile } from './history-schema.ts';
import {
  describeSet,
  logFilesOf,
  looseFilesOf,
  TYPE_NAMES,
  type FilegroupInfo,
  type IndexedSet,
} from './history-index.ts';
import { explainMiss, explainStop, rejection } from './explain-rejection.ts';
import type { RestoreRejection } from './restore-plan.ts';
import { describeLeftOut, filegroupsLeftOut, type Candidates } from './select-candidates.ts';
import { selectLaterStages } from './select-later-stages.ts';

export interface ChainDataStep {
  set: IndexedSet;
  kind: 'database' | 'filegroup';
  partial: boolean;
  filegroups: string[];
  /** Files the step creates (MOVE candidates); empty for differentials. */
  files: BackupFile[];
  why: string;
}

export interface ChainStage {
  data: ChainDataStep[];
  logs: IndexedSet[];
  /** Filegroups this stage brings online. */
  online: string[];
}

export interface ChosenChain {
  base: IndexedSet;
  diff: IndexedSet | null;
  /** SIMPLE rules: every read-write filegroup in stage 1, read-only ones only from matching backups. */
  simple: boolean;
  /** Log backups are replayed (FULL / BULK_LOGGED at the time of the last data backup). */
  logMode: boolean;
  piecemeal: boolean;
  stages: ChainStage[];
  /** The backup whose last_lsn the database reaches at the end of stage 1. */
  reaches: IndexedSet;
  offline: { name: string; reason: string }[];
  warnings: string[];
}

export type ChainResult = { ok: true; chain: ChosenChain } | { ok: false; rejection: RestoreRejection };

const fail = (r: RestoreRejection): ChainResult => ({ ok: false, rejection: r });
const isPrimary = (name: string) => name.toUpperCase() === 'PRIMARY';

/**
 * Chain selection for one base: its newest differential, the log chain by LSN containment, stage 1
 * (PARTIAL when piecemeal), then the later stages. Returns why the base cannot reach the target otherwise.
 */
export function selectChain(c: Candidates, base: IndexedSet): ChainResult {
  const bad = c.unusable(base);
  if (bad) return fail(rejection(bad.rule, bad.message, { backup_set_id: base.id }));
  const warnings: string[] = [];
  const fgs = c.filegroupsOf(base);
  const order = [...fgs.keys()].sort((a, b) => Number(isPrimary(b)) - Number(isPrimary(a)));
  const primary = order.find(isPrimary);
  if (!primary || !fgs.get(primary)!.present)
    return fail(
      rejection('filegroup-source', `${describeSet(base)} does not hold PRIMARY`, { backup_set_id: base.id }),
    );
  for (const g of [...(c.filegroups ?? []), ...(c.firstStage ?? [])]) {
    if (!fgs.has(g))
      return fail(
        rejection('filegroup-source', `filegroup ${g} did not exist when ${describeSet(base)} was taken`, {
          backup_set_id: base.id,
          filegroup: g,
        }),
      );
  }
  const simple = base.raw.recovery_model === 'SIMPLE';
  const wanted = new Set<string>(c.filegroups ? [primary, ...c.filegroups, ...(c.firstStage ?? [])] : order);
  if (simple) for (const g of order) if (!fgs.get(g)!.readOnly) wanted.add(g);

  const diff = chooseDifferential(c, base, warnings);
  if (!c.onPath(base) && !diff) {
    return fail(
      rejection(
        'recovery-fork',
        `${describeSet(base)} is on recovery fork ${base.forkLast}, off the path to ${c.fork.target}; it is only usable under a differential on the path`,
        { backup_set_id: base.id },
      ),
    );
  }
  if (!c.onPath(base))
    warnings.push(
      `base backup ${base.id} is on recovery fork ${base.forkLast}; it is used because differential ${diff!.id} on the restore path is based on it`,
    );

  const piecemeal = !(base.type === 'D' && !c.filegroups && !c.firstStage);
  const stage1 = stageOneFilegroups(c, base, fgs, order, wanted, piecemeal, simple, warnings);
  const fromBase = stage1.filter((g) => fgs.get(g)!.present);
  const data: ChainDataStep[] = [
    {
      set: base,
      kind: 'database',
      partial: piecemeal,
      filegroups: fromBase,
      files: [...fromBase.flatMap((g) => fgs.get(g)!.files), ...logFilesOf(base), ...looseFilesOf(base)],
      why: baseWhy(c, base, fromBase, piecemeal, simple),
    },
  ];
  if (diff) {
    const inDiff = c.filegroupsOf(diff);
    data.push({
      set: diff,
      kind: 'database',
      partial: false,
      filegroups: inDiff.size === 0 ? fromBase : fromBase.filter((g) => inDiff.get(g)?.present),
      files: [],
      why: `${describeSet(diff)} is the newest differential of base ${base.id} (differential_base_lsn ${diff.raw.differential_base_lsn} = its checkpoint_lsn, differential_base_guid = its backup_set_uuid)`,
    });
  }
  const points = [diff ?? base];
  for (const g of stage1.filter((x) => !fgs.get(x)!.present)) {
    if (simple)
      return fail(
        rejection(
          'filegroup-source',
          `read-write filegroup ${g} is not in ${describeSet(base)}; under SIMPLE every read-write filegroup comes from the base`,
          { backup_set_id: base.id, filegroup: g },
        ),
      );
    const added = addFilegroupFromOwnBackup(c, g, data);
    if (!added)
      return fail(
        rejection(
          'filegroup-source',
          `no usable backup holds filegroup ${g} for stage 1 with base backup ${base.id}`,
          { backup_set_id: base.id, filegroup: g },
        ),
      );
    points.push(added);
  }

  const logMode = (diff ?? base).raw.recovery_model !== 'SIMPLE';
  const logs = stageOneLogs(c, base, points, logMode, warnings);
  if ('rule' in logs) return fail(logs);
  const reaches = logs.at(-1) ?? points.reduce((a, b) => (b.last > a.last ? b : a));

  const stages: ChainStage[] = [{ data, logs, online: stage1 }];
  const later = selectLaterStages(c, {
    base,
    fgs,
    order,
    stage1,
    wanted,
    simple,
    logMode,
    reaches,
    lastLog: logs.at(-1) ?? null,
  });
  if (!later.ok) return fail(later.rejection);
  stages.push(...later.stages);
  warnings.push(...later.warnings);
  return {
    ok: true,
    chain: { base, diff, simple, logMode, piecemeal, stages, reaches, offline: later.offline, warnings },
  };
}

function chooseDifferential(c: Candidates, base: IndexedSet, warnings: string[]): IndexedSet | null {
  const limitLsn = c.target.kind === 'latest' ? c.target.set.last : null;
  const limitTime = c.target.kind === 'time' ? c.target.at : null;
  for (const d of c.diffsOf(base)) {
    if ((limitLsn !== null && d.last > limitLsn) || (limitTime !== null && d.finish > limitTime)) continue;
    const bad = c.unusable(d);
    if (bad) {
      warnings.push(`differential not used: ${bad.message}`);
      continue;
    }
    const left = filegroupsLeftOut(c.index, d, c.filegroupsOf);
    if (left.length > 0) {
      warnings.push(`differential not used: ${describeLeftOut(d, left)}`);
      continue;
    }
    return d;
  }
  return null;
}

function stageOneFilegroups(
  c: Candidates,
  base: IndexedSet,
  fgs: Map<string, FilegroupInfo>,
  order: string[],
  wanted: Set<string>,
  piecemeal: boolean,
  simple: boolean,
  warnings: string[],
): string[] {
  const info = (g: string) => fgs.get(g)!;
  if (!piecemeal) return order.filter((g) => info(g).present);
  const roFromFull = (g: string) => base.type === 'D' && info(g).present && wanted.has(g);
  if (simple) {
    if (c.firstStage)
      warnings.push(
        'firstStage ignored: under SIMPLE every read-write filegroup must be restored in the first stage',
      );
    return order.filter((g) => isPrimary(g) || !info(g).readOnly || roFromFull(g));
  }
  if (c.firstStage) return order.filter((g) => isPrimary(g) || c.firstStage!.includes(g));
  return order.filter((g) => wanted.has(g) && (isPrimary(g) || !info(g).readOnly || roFromFull(g)));
}

/** FULL/BULK_LOGGED stage 1 with a base that lacks a filegroup: the filegroup's own newest backup. */
function addFilegroupFromOwnBackup(c: Candidates, g: string, data: ChainDataStep[]): IndexedSet | null {
  const maxLsn = c.target.kind === 'latest' ? c.target.set.last : BigInt('9'.repeat(25));
  const stopAt = c.target.kind === 'time' ? c.target.at : null;
  for (const s of c.index.data) {
    if (
      s.raw.is_copy_only ||
      !c.onPath(s) ||
      s.last > maxLsn ||
      (stopAt !== null && s.finish > stopAt) ||
      c.unusable(s)
    )
      continue;
    const info = c.filegroupsOf(s).get(g);
    if (!info?.present) continue;
    data.push({
      set: s,
      kind: 'filegroup',
      partial: false,
      filegroups: [g],
      files: info.files.filter((f) => f.is_present),
      why: `${describeSet(s)} is the newest backup of filegroup ${g}`,
    });
    return s;
  }
  return null;
}

function stageOneLogs(
  c: Candidates,
  base: IndexedSet,
  points: IndexedSet[],
  logMode: boolean,
  warnings: string[],
): IndexedSet[] | RestoreRejection {
  const rMin = points.reduce((a, b) => (b.last < a.last ? b : a));
  const rMax = points.reduce((a, b) => (b.last > a.last ? b : a));
  const last = points[0]!;
  if (c.target.kind === 'latest') {
    const t = c.target.set.last;
    if (rMax.last >= t && rMin.last === rMax.last) return [];
    if (!logMode) return explainMiss(c, base, last);
    const walk = c.logs.walk(rMin.last, { atLeast: t > rMax.last ? t : rMax.last, time: null });
    if (walk.ok) return walk.logs;
    return c.unusable(c.target.set)
      ? explainMiss(c, base, walk.stop.after ?? rMin)
      : explainStop(c, walk.stop, rMin);
  }
  const at = c.target.at;
  if (!logMode) {
    if (c.target.newest && c.target.newest !== last) return explainMiss(c, base, last);
    if (at > last.finish) {
      warnings.push(
        `recovery model ${last.raw.recovery_model} at ${TYPE_NAMES[last.type]} backup ${last.id}: there are no log backups to replay, so the restore reaches ${last.raw.backup_finish_date} (the newest backup finished by STOPAT), not STOPAT itself`,
      );
    }
    return [];
  }
  const dataFinish = Math.max(...points.map((p) => p.finish));
  if (at <= dataFinish && rMin.last === rMax.last) return [];
  const walk = c.logs.walk(rMin.last, { atLeast: rMax.last, time: at });
  return walk.ok ? walk.logs : explainStop(c, walk.stop, rMin);
}

function baseWhy(
  c: Candidates,
  base: IndexedSet,
  fgs: string[],
  piecemeal: boolean,
  simple: boolean,
): string {
  const what = `${describeSet(base)} is the newest usable base whose chain reaches the target`;
  if (!piecemeal) return `${what}; it restores every filegroup`;
  const list = fgs.join(', ');
  if (simple)
    return `${what}; first step of a piecemeal restore (PARTIAL): ${list} (under SIMPLE, PRIMARY and every read-write filegroup come from one backup)`;
  return `${what}; first step of a piecemeal restore (PARTIAL): ${list}`;
}
