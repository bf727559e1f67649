import { describeSet, type FilegroupInfo, type IndexedSet } from './history-index.ts';
import type { Candidates } from './select-candidates.ts';

export interface FilegroupSource {
  set: IndexedSet;
  /** A differential (G/I/Q) of `set` that also holds the filegroup, applied after it; null if none. */
  diff: IndexedSet | null;
  info: FilegroupInfo;
  /** Notes for warnings (skipped newer backups). */
  notes: string[];
}

export type ReadOnlySourceResult =
  { ok: true; source: FilegroupSource } | { ok: false; message: string; backupSetId: number | null };

/**
 * A read-only filegroup can be restored without logs from a backup that still matches the base (reference
 * §2.3 rule 10): in the base's backupfile rows the filegroup is read-only with read_only_lsn R, its
 * read_write_lsn is NULL or below R, and the source backup holds the filegroup's files, read-only, with the
 * same read_only_lsn R. If the filegroup was made read-write and read-only again after a backup, its
 * read_only_lsn moved and that backup no longer fits the base.
 */
export function selectReadOnlySource(
  c: Candidates,
  base: IndexedSet,
  baseFg: FilegroupInfo,
  /** The filegroup's state where stage 1 ends, when a later backup set records it (FULL/BULK_LOGGED). */
  atPoint: { state: FilegroupInfo; set: IndexedSet } | null = null,
): ReadOnlySourceResult {
  const g = baseFg.name;
  if (atPoint && !sameReadOnlyState(atPoint.state, baseFg)) {
    const st = atPoint.state;
    if (
      !st.readOnly ||
      st.readOnlyLsn === null ||
      (st.readWriteLsn !== null && st.readWriteLsn >= st.readOnlyLsn)
    )
      return {
        ok: false,
        message: `filegroup ${g}, read-only in base backup ${base.id}, was made read-write after it (read_write_lsn ${st.readWriteLsn ?? 'NULL'}, recorded by ${describeSet(atPoint.set)}) and is read-write where the log chain ends`,
        backupSetId: atPoint.set.id,
      };
    // Made read-write and read-only again after the base: only a backup taken after the last switch
    // (the same new read_only_lsn) fits without logs.
    const found = matchingReadOnlyBackup(c, g, st.readOnlyLsn, atPoint.set);
    if (found.ok) return found;
    return {
      ok: false,
      message: `read-only filegroup ${g} was made read-write and read-only again after base backup ${base.id} (read_only_lsn ${baseFg.readOnlyLsn ?? 'NULL'} -> ${st.readOnlyLsn}, recorded by ${describeSet(atPoint.set)}); no backup holds it with read_only_lsn ${st.readOnlyLsn}`,
      backupSetId: null,
    };
  }
  if (!baseFg.readOnly || baseFg.readOnlyLsn === null) {
    return {
      ok: false,
      message: `filegroup ${g} was not read-only in base backup ${base.id}`,
      backupSetId: base.id,
    };
  }
  const ro = baseFg.readOnlyLsn;
  if (baseFg.readWriteLsn !== null && baseFg.readWriteLsn >= ro) {
    return {
      ok: false,
      message: `filegroup ${g} in base backup ${base.id} has read_write_lsn ${baseFg.readWriteLsn} >= read_only_lsn ${ro}`,
      backupSetId: base.id,
    };
  }
  const found = matchingReadOnlyBackup(c, g, ro, null);
  if (found.ok) return found;
  return {
    ...found,
    message: `read-only filegroup ${g} has no backup that matches base backup ${base.id} (read_only_lsn ${ro})${found.message}`,
  };
}

function sameReadOnlyState(a: FilegroupInfo, b: FilegroupInfo): boolean {
  return a.readOnly === b.readOnly && a.readOnlyLsn === b.readOnlyLsn;
}

/**
 * The newest backup on the path that holds filegroup `g` read-only with read_only_lsn `ro` (preferring one
 * finished by STOPAT). `after`: the backup set that recorded the switch; a fitting backup is not older.
 * On failure, `message` is the detail to append.
 */
function matchingReadOnlyBackup(
  c: Candidates,
  g: string,
  ro: bigint,
  after: IndexedSet | null,
): ReadOnlySourceResult {
  const stopAt = c.target.kind === 'time' ? c.target.at : null;
  const notes: string[] = [];
  const moved: string[] = [];
  let late: FilegroupSource | null = null;
  for (const s of c.index.data) {
    if (s.raw.is_copy_only || !c.onPath(s)) continue;
    const fg = c.filegroupsOf(s).get(g);
    if (!fg || !fg.present) continue;
    if (!fg.readOnly || fg.readOnlyLsn !== ro) {
      if (moved.length < 3)
        moved.push(
          `backup ${s.id} holds it with read_only_lsn ${fg.readOnlyLsn ?? 'NULL'}${fg.readOnly ? '' : ' (read-write then)'}`,
        );
      continue;
    }
    const bad = c.unusable(s);
    if (bad) {
      notes.push(`${describeSet(s)} not used for filegroup ${g}: ${bad.message}`);
      continue;
    }
    if (after !== null && s.last < ro) continue;
    const source = { set: s, diff: null, info: fg, notes };
    if (stopAt !== null && s.finish > stopAt) {
      late ??= source;
      continue;
    }
    return { ok: true, source };
  }
  if (late) return { ok: true, source: late };
  const detail =
    moved.length > 0
      ? `: its read_only_lsn moved to ${ro} (made read-write and read-only again) after the backups that hold it (${moved.join('; ')}); take a new filegroup backup`
      : ': no backup holds it';
  return { ok: false, message: detail, backupSetId: null };
}

/**
 * The filegroup's state where stage 1 ends: the newest backup set on the path up to `upto` (data,
 * differential, or a log backup with its data-file rows) that records the filegroup. Under FULL /
 * BULK_LOGGED the log chain replays read-only switches, so this is what the restored database says.
 */
export function filegroupStateAt(
  c: Candidates,
  g: string,
  upto: IndexedSet,
): { state: FilegroupInfo; set: IndexedSet } | null {
  let best: { state: FilegroupInfo; set: IndexedSet } | null = null;
  for (const s of c.index.sets) {
    if (s.last > upto.last || !c.onPath(s)) continue;
    if (s.type === 'L' && s.first >= s.last) continue;
    const state = c.filegroupsOf(s).get(g);
    if (!state) continue;
    if (!best || s.last > best.set.last || (s.last === best.set.last && s.finish > best.set.finish))
      best = { state, set: s };
  }
  return best;
}

/**
 * For a filegroup that is rolled forward with logs (FULL/BULK_LOGGED): the data backups that hold it,
 * newest first, not after the point (`maxLsn`, or finished by STOPAT), each with its newest differential.
 */
export function* filegroupSourcesWithLogs(
  c: Candidates,
  g: string,
  maxLsn: bigint,
): Generator<FilegroupSource> {
  const stopAt = c.target.kind === 'time' ? c.target.at : null;
  for (const s of c.index.data) {
    if (s.raw.is_copy_only || !c.onPath(s) || s.raw.recovery_model === 'SIMPLE') continue;
    if (s.last > maxLsn || (stopAt !== null && s.finish > stopAt)) continue;
    const info = c.filegroupsOf(s).get(g);
    if (!info || !info.present || c.unusable(s)) continue;
    let diff: IndexedSet | null = null;
    for (const d of c.diffsOf(s)) {
      if (d.last > maxLsn || (stopAt !== null && d.finish > stopAt) || c.unusable(d)) continue;
      if (!c.filegroupsOf(d).get(g)?.present) continue;
      diff = d;
      break;
    }
    yield { set: s, diff, info, notes: [] };
  }
}
