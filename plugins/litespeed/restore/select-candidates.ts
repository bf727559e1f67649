import type { BackupHistory } from './history-schema.ts';
import {
  HistoryIndex,
  describeSet,
  diffBaseKey,
  filegroupsOf,
  isDiffType,
  type FilegroupInfo,
  type IndexedSet,
} from './history-index.ts';
import { LogChain, type Unusable } from './log-chain.ts';
import { onForkPath, selectRecoveryFork, type ForkPath } from './recovery-forks.ts';
import type { PlanRestoreOptions, RestoreRejection, RestoreRequest } from './restore-plan.ts';
import { selectMedia, type MediaSelection } from './select-media.ts';

/** The point the restore must reach. */
export type RestoreTargetPoint =
  /** Latest: the newest restorable backup on the fork path (highest last_lsn of D/P/I/Q/L). */
  | { kind: 'latest'; set: IndexedSet }
  /** STOPAT: `newest` is the newest D/P/I/Q finished by then (what a SIMPLE-model restore can reach). */
  | { kind: 'time'; at: number; newest: IndexedSet | null };

/** Stage 1 output: everything the chain selection needs, computed once. */
export interface Candidates {
  history: BackupHistory;
  index: HistoryIndex;
  request: RestoreRequest;
  options: PlanRestoreOptions;
  /** Name restored to. */
  restoreAs: string;
  fork: ForkPath;
  target: RestoreTargetPoint;
  /** Bases to try, best first: non-copy-only D/P (and, outside SIMPLE, F holding PRIMARY) on the fork path. */
  bases: IndexedSet[];
  /** Bases off the fork path that an on-path differential names (lineage proven by the GUID). */
  diffOnlyBases: Set<number>;
  logs: LogChain;
  /** Requested filegroups, canonical names (undefined: all). */
  filegroups: string[] | undefined;
  firstStage: string[] | undefined;
  warnings: string[];
  onPath(s: IndexedSet): boolean;
  unusable(s: IndexedSet): Unusable | null;
  media(s: IndexedSet): MediaSelection;
  filegroupsOf(s: IndexedSet): Map<string, FilegroupInfo>;
  /** Differentials of a base on the path, newest first. */
  diffsOf(base: IndexedSet): IndexedSet[];
}

export type CandidatesResult =
  { ok: true; candidates: Candidates } | { ok: false; rejection: RestoreRejection };

const reject = (
  rule: RestoreRejection['rule'],
  message: string,
  extra: Partial<RestoreRejection> = {},
): CandidatesResult => ({
  ok: false,
  rejection: { rule, message, backup_set_id: null, filegroup: null, lsn_range: null, ...extra },
});

export function selectCandidates(
  history: BackupHistory,
  request: RestoreRequest,
  options: PlanRestoreOptions = {},
): CandidatesResult {
  if (request.database.toLowerCase() !== history.database_name.toLowerCase()) {
    return reject(
      'unknown-database',
      `the history describes database ${history.database_name}, not ${request.database}`,
    );
  }
  const invalid = checkRequest(request);
  if (invalid) return reject('invalid-request', invalid);

  const index = new HistoryIndex(history);
  const forkSel = selectRecoveryFork(index, options.recoveryForkGuid);
  if (!forkSel.ok) return reject(index.sets.length === 0 ? 'no-base' : 'recovery-fork', forkSel.message);
  const fork = forkSel.path;
  const warnings: string[] = [];

  const fgCache = new Map<number, Map<string, FilegroupInfo>>();
  const fgOf = (s: IndexedSet) => {
    let m = fgCache.get(s.id);
    if (!m) fgCache.set(s.id, (m = filegroupsOf(s)));
    return m;
  };
  const known = knownFilegroups(history, index, fgOf);
  const filegroups = canonicalFilegroups(request.filegroups, known);
  if (typeof filegroups === 'string')
    return reject('unknown-filegroup', filegroups, { filegroup: unknownName(request.filegroups, known) });
  const firstStage = canonicalFilegroups(request.firstStage, known);
  if (typeof firstStage === 'string')
    return reject('unknown-filegroup', firstStage, { filegroup: unknownName(request.firstStage, known) });

  const onPath = (s: IndexedSet) => onForkPath(fork, s);
  const mediaCache = new Map<number, MediaSelection>();
  const media = (s: IndexedSet) => {
    let m = mediaCache.get(s.id);
    if (!m) mediaCache.set(s.id, (m = selectMedia(s.raw)));
    return m;
  };
  const unusableCache = new Map<number, Unusable | null>();
  const unusable = (s: IndexedSet): Unusable | null => {
    if (unusableCache.has(s.id)) return unusableCache.get(s.id)!;
    let u: Unusable | null = null;
    if (s.raw.is_damaged && !options.unsafeAllowDamaged) {
      u = {
        rule: 'damaged-backup',
        message: `${describeSet(s)} is flagged is_damaged (taken WITH CONTINUE_AFTER_ERROR); it is not used unless unsafeAllowDamaged is set`,
      };
    } else if (s.raw.has_incomplete_metadata && !options.unsafeAllowIncompleteMetadata) {
      u = {
        rule: 'incomplete-metadata',
        message: `${describeSet(s)} has incomplete metadata (a tail-log backup of a damaged database); it is not used unless unsafeAllowIncompleteMetadata is set`,
      };
    } else {
      const m = media(s);
      if (!m.ok) u = { rule: 'missing-media', message: `${describeSet(s)} cannot be read: ${m.message}` };
    }
    unusableCache.set(s.id, u);
    return u;
  };

  if (fork.forkCount > 1) {
    const off = index.sets.filter((s) => !onPath(s));
    const ids = off
      .slice(0, 10)
      .map((s) => s.id)
      .join(', ');
    warnings.push(
      `the history has ${fork.forkCount} recovery forks; planning on ${options.recoveryForkGuid ? 'the requested' : 'the latest'} fork ${fork.target}` +
        (off.length > 0
          ? `; ${off.length} backup set${off.length === 1 ? '' : 's'} on other branches ignored (${ids}${off.length > 10 ? ', ...' : ''})`
          : ''),
    );
  }

  const stopAt = request.stopAt ? request.stopAt.getTime() : null;
  const logs = new LogChain(
    index.logs.filter((l) => l.first < l.last && !l.raw.is_copy_only && onPath(l)),
    unusable,
  );

  // Differentials on the path may prove the lineage of a base that lies on an older fork.
  const diffOnlyBases = new Set<number>();
  for (const d of index.diffs) {
    if (!onPath(d) || d.raw.differential_base_guid === null) continue;
    const b = index.byUuid.get(d.raw.differential_base_guid);
    if (b && !onPath(b) && b.checkpoint === d.diffBase && !b.raw.is_copy_only) diffOnlyBases.add(b.id);
  }
  const holdsPrimary = (s: IndexedSet) =>
    [...fgOf(s).values()].some((fg) => fg.present && fg.name.toUpperCase() === 'PRIMARY');
  const eligible = index.data.filter(
    (s) =>
      !s.raw.is_copy_only &&
      (onPath(s) || diffOnlyBases.has(s.id)) &&
      (s.type === 'D' ||
        s.type === 'P' ||
        (s.type === 'F' && s.raw.recovery_model !== 'SIMPLE' && holdsPrimary(s))),
  );
  if (eligible.length === 0) {
    const copies = index.data.filter((s) => s.raw.is_copy_only && (s.type === 'D' || s.type === 'P'));
    return reject(
      'no-base',
      `no full or partial backup on recovery fork ${fork.target} can start a restore` +
        (copies.length > 0
          ? ` (${copies.map((s) => `backup ${s.id}`).join(', ')} ${copies.length === 1 ? 'is' : 'are'} copy-only, and a copy-only backup is never used as a base)`
          : ''),
    );
  }
  const bases = stopAt === null ? eligible : eligible.filter((s) => s.finish <= stopAt);
  if (bases.length === 0) {
    const earliest = eligible.reduce((a, b) => (b.finish < a.finish ? b : a));
    return reject(
      'stopat-before-base',
      `STOPAT ${request.stopAt!.toISOString()} is before the earliest usable base finished: ${describeSet(earliest)}; a restore cannot stop before its base's end`,
      { backup_set_id: earliest.id },
    );
  }

  const target = selectTarget(index, onPath, stopAt, fgOf, warnings);
  if (!target) return reject('no-base', `no restorable backup on recovery fork ${fork.target}`);

  return {
    ok: true,
    candidates: {
      history,
      index,
      request,
      options,
      restoreAs: request.as ?? history.database_name,
      fork,
      target,
      bases,
      diffOnlyBases,
      logs,
      filegroups,
      firstStage,
      warnings,
      onPath,
      unusable,
      media,
      filegroupsOf: fgOf,
      diffsOf: (base) => {
        if (base.checkpoint === null) return [];
        const list = index.diffsByBase.get(diffBaseKey(base.checkpoint, base.raw.backup_set_uuid)) ?? [];
        return list.filter((d) => onPath(d) && d.last >= base.last);
      },
    },
  };
}

/**
 * A differential that leaves out a filegroup its base holds cannot be restored on that base: the
 * filegroup's differential base moved (it was made read-only and backed up on its own after the base),
 * so SQL Server leaves it out of later differential partials, and base + differential cannot recover
 * (the filegroup stays at the base's point). Returns the filegroups left out, or [] when it fits.
 */
export function filegroupsLeftOut(
  index: HistoryIndex,
  diff: IndexedSet,
  fgOf: (s: IndexedSet) => Map<string, FilegroupInfo>,
): string[] {
  if (diff.type === 'G' || diff.raw.differential_base_guid === null) return [];
  const base = index.byUuid.get(diff.raw.differential_base_guid);
  if (!base) return [];
  const inDiff = fgOf(diff);
  if (inDiff.size === 0) return [];
  return [...fgOf(base).values()]
    .filter((fg) => fg.present && inDiff.has(fg.name) && !inDiff.get(fg.name)!.present)
    .map((fg) => fg.name);
}

export function describeLeftOut(diff: IndexedSet, left: string[]): string {
  const one = left.length === 1;
  return `${describeSet(diff)} leaves out filegroup${one ? '' : 's'} ${left.join(', ')}, which its base holds: ${one ? 'it was' : 'they were'} made read-only and backed up on ${one ? 'its' : 'their'} own after the base (the differential base moved), so base + this differential cannot recover`;
}

function selectTarget(
  index: HistoryIndex,
  onPath: (s: IndexedSet) => boolean,
  stopAt: number | null,
  fgOf: (s: IndexedSet) => Map<string, FilegroupInfo>,
  warnings: string[],
): RestoreTargetPoint | null {
  const skipped: IndexedSet[] = [];
  const fits = (s: IndexedSet) => {
    if (!isDiffType(s.type) || filegroupsLeftOut(index, s, fgOf).length === 0) return true;
    skipped.push(s);
    return false;
  };
  const warnSkipped = (reached: IndexedSet | null) => {
    for (const d of skipped)
      if (!reached || d.last > reached.last)
        warnings.push(
          `${describeLeftOut(d, filegroupsLeftOut(index, d, fgOf))}; it is not a restore point${reached ? `, the restore reaches ${describeSet(reached)}` : ''}`,
        );
  };
  if (stopAt !== null) {
    const newest = [...index.data, ...index.diffs]
      .filter(
        (s) =>
          s.type !== 'F' &&
          s.type !== 'G' &&
          !s.raw.is_copy_only &&
          onPath(s) &&
          s.finish <= stopAt &&
          fits(s),
      )
      .reduce<IndexedSet | null>((a, b) => (!a || b.last > a.last ? b : a), null);
    if (newest?.raw.recovery_model === 'SIMPLE') warnSkipped(newest);
    return { kind: 'time', at: stopAt, newest };
  }
  let best: IndexedSet | null = null;
  const consider = (s: IndexedSet) => {
    if (s.raw.is_copy_only || !onPath(s)) return;
    if (
      !best ||
      s.last > best.last ||
      (s.last === best.last && (s.finish > best.finish || (s.finish === best.finish && s.id > best.id)))
    )
      best = s;
  };
  for (const s of index.data) if (s.type !== 'F') consider(s);
  for (const s of index.diffs) if (s.type !== 'G' && onPath(s) && !s.raw.is_copy_only && fits(s)) consider(s);
  for (let i = index.logs.length - 1; i >= 0; i--) {
    const l = index.logs[i]!;
    if (l.first < l.last) consider(l);
  }
  warnSkipped(best);
  return best ? { kind: 'latest', set: best } : null;
}

function checkRequest(r: RestoreRequest): string | null {
  if (r.stopAt !== undefined && !(r.stopAt instanceof Date && !Number.isNaN(r.stopAt.getTime())))
    return 'stopAt is not a valid date';
  if (r.as !== undefined && (r.as.length === 0 || r.as.length > 128))
    return `as: a database name of 1-128 characters is required, found ${JSON.stringify(r.as)}`;
  if (r.moveDataTo !== undefined && r.moveDataTo.trim() === '') return 'moveDataTo: a directory is required';
  const seen = new Set<string>();
  for (const m of r.move ?? []) {
    if (!m.logical || !m.path)
      return `move: each entry needs a logical file name and a path, found ${JSON.stringify(m)}`;
    const key = m.logical.toLowerCase();
    if (seen.has(key)) return `move: logical file ${m.logical} is named twice`;
    seen.add(key);
  }
  return null;
}

function knownFilegroups(
  history: BackupHistory,
  index: HistoryIndex,
  fgOf: (s: IndexedSet) => Map<string, FilegroupInfo>,
): Map<string, string> {
  const known = new Map<string, string>();
  for (const fg of history.filegroups ?? []) known.set(fg.name.toLowerCase(), fg.name);
  for (const s of index.data)
    for (const name of fgOf(s).keys())
      if (!known.has(name.toLowerCase())) known.set(name.toLowerCase(), name);
  return known;
}

function canonicalFilegroups(
  names: string[] | undefined,
  known: Map<string, string>,
): string[] | undefined | string {
  if (names === undefined) return undefined;
  const out: string[] = [];
  for (const n of names) {
    const c = known.get(n.toLowerCase());
    if (c === undefined)
      return `filegroup ${n} is not in the history (known filegroups: ${[...known.values()].join(', ') || 'none'})`;
    if (!out.includes(c)) out.push(c);
  }
  return out;
}

function unknownName(names: string[] | undefined, known: Map<string, string>): string | null {
  return names?.find((n) => !known.has(n.toLowerCase())) ?? null;
}
