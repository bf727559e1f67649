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
): ReadOnlySourceResult {
  const g = baseFg.name;
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
  return {
    ok: false,
    message: `read-only filegroup ${g} has no backup that matches base backup ${base.id} (read_only_lsn ${ro})${detail}`,
    backupSetId: null,
  };
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
