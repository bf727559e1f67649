import { describeSet, type FilegroupInfo, type IndexedSet } from './history-index.ts';
import { rejection } from './explain-rejection.ts';
import type { RestoreRejection } from './restore-plan.ts';
import type { Candidates } from './select-candidates.ts';
import type { ChainDataStep, ChainStage } from './select-chain.ts';
import {
  filegroupSourcesWithLogs,
  filegroupStateAt,
  selectReadOnlySource,
} from './select-filegroup-source.ts';

export interface StageOne {
  base: IndexedSet;
  fgs: Map<string, FilegroupInfo>;
  order: string[];
  stage1: string[];
  wanted: Set<string>;
  simple: boolean;
  logMode: boolean;
  /** The backup whose last_lsn the database reaches after stage 1. */
  reaches: IndexedSet;
  lastLog: IndexedSet | null;
}

export type LaterStagesResult =
  | { ok: true; stages: ChainStage[]; offline: { name: string; reason: string }[]; warnings: string[] }
  | { ok: false; rejection: RestoreRejection };

/**
 * Every filegroup not brought online by stage 1 gets a stage of its own: read-write ones first (FULL /
 * BULK_LOGGED only: a file backup plus the same log chain to stage 1's point), then read-only ones (a
 * backup that still matches the base, no log; under FULL, failing that, rolled forward like a read-write
 * one). A filegroup that cannot come back is a warning, or a refusal if the request named it.
 */
export function selectLaterStages(c: Candidates, s1: StageOne): LaterStagesResult {
  const warnings: string[] = [];
  const offline: { name: string; reason: string }[] = [];
  const stages: ChainStage[] = [];
  const rest = s1.order.filter((g) => !s1.stage1.includes(g));
  const readOnly = (g: string) => s1.fgs.get(g)!.readOnly;
  for (const g of [...rest.filter((g) => !readOnly(g)), ...rest.filter(readOnly)]) {
    if (!s1.wanted.has(g)) {
      offline.push({ name: g, reason: 'not requested' });
      continue;
    }
    const info = s1.fgs.get(g)!;
    let stage: ChainStage | null = null;
    let why = '';
    let culprit: number | null = null;
    if (info.readOnly) {
      // Under FULL/BULK_LOGGED the log chain replays read-only switches: the filegroup must match the
      // state where stage 1 ends, not the base's.
      const atPoint = s1.logMode && s1.lastLog ? filegroupStateAt(c, g, s1.reaches) : null;
      const ro = selectReadOnlySource(c, s1.base, info, atPoint);
      if (ro.ok) {
        warnings.push(...ro.source.notes);
        const src = ro.source.set;
        const same =
          ro.source.info.readOnlyLsn === info.readOnlyLsn
            ? `the same as base ${s1.base.id}`
            : `the same as where stage 1 ends (made read-write and read-only again after base ${s1.base.id}; backup ${atPoint!.set.id} records it)`;
        const step: ChainDataStep = {
          set: src,
          kind: 'filegroup',
          partial: false,
          filegroups: [g],
          files: ro.source.info.files.filter((f) => f.is_present),
          why: `filegroup ${g} is read-only: ${describeSet(src)} holds it with read_only_lsn ${ro.source.info.readOnlyLsn}, ${same}, so no log is needed`,
        };
        stage = { data: [step], logs: [], online: [g] };
      } else {
        why = ro.message;
        culprit = ro.backupSetId;
      }
    }
    if (!stage && s1.logMode) {
      const rolled = rolledStage(c, s1, g);
      if ('data' in rolled) {
        stage = rolled;
        if (why) rolled.data[0]!.why = `${rolled.data[0]!.why} (rolled forward: ${why})`;
      } else why = why ? `${why}; ${rolled.message}` : rolled.message;
    }
    if (stage) {
      stages.push(stage);
      continue;
    }
    if (c.filegroups?.includes(g)) {
      const rule = info.readOnly ? 'read-only-filegroup' : 'filegroup-source';
      return {
        ok: false,
        rejection: rejection(rule, `requested filegroup ${g} cannot be restored: ${why}`, {
          filegroup: g,
          backup_set_id: culprit,
        }),
      };
    }
    warnings.push(`filegroup ${g} cannot be brought back and stays offline: ${why}`);
    offline.push({ name: g, reason: why });
  }
  return { ok: true, stages, offline, warnings };
}

function rolledStage(c: Candidates, s1: StageOne, g: string): ChainStage | { message: string } {
  if (!s1.lastLog)
    return {
      message: `stage 1 replays no log backup, so filegroup ${g} cannot be rolled forward to its point`,
    };
  const time = c.target.kind === 'time' ? c.target.at : null;
  for (const src of filegroupSourcesWithLogs(c, g, s1.reaches.last)) {
    const point = src.diff ?? src.set;
    const walk = c.logs.walk(point.last, { atLeast: s1.reaches.last, time });
    if (!walk.ok || walk.logs.at(-1) !== s1.lastLog) continue;
    const data: ChainDataStep[] = [
      {
        set: src.set,
        kind: 'filegroup',
        partial: false,
        filegroups: [g],
        files: src.info.files.filter((f) => f.is_present),
        why: `${describeSet(src.set)} holds filegroup ${g}; the log chain is replayed again to the point stage 1 reached`,
      },
    ];
    if (src.diff) {
      data.push({
        set: src.diff,
        kind: 'filegroup',
        partial: false,
        filegroups: [g],
        files: [],
        why: `${describeSet(src.diff)} is the newest differential of backup ${src.set.id} that holds filegroup ${g}`,
      });
    }
    return { data, logs: walk.logs, online: [g] };
  }
  return {
    message: `no backup of filegroup ${g} can be rolled forward by the log chain to LSN ${s1.reaches.raw.last_lsn} (where stage 1 ends)`,
  };
}
