import type { BackupFile, BackupHistory, BackupSet, BackupType } from './history-schema.ts';
import { compareLsn, toLsn, toLsnOrNull } from './lsn.ts';

/** A backup set with its LSNs as BigInt and its dates as epoch milliseconds, computed once. */
export interface IndexedSet {
  raw: BackupSet;
  id: number;
  type: BackupType;
  first: bigint;
  last: bigint;
  /** checkpoint_lsn (null for logs: never needed). */
  checkpoint: bigint | null;
  /** differential_base_lsn (null for logs). */
  diffBase: bigint | null;
  finish: number;
  forkFirst: string;
  forkLast: string;
  /** fork_point_lsn, only for a set that spans two forks. */
  forkPoint: bigint | null;
}

export interface FilegroupInfo {
  name: string;
  /** Every data file of the filegroup was read-only at backup time. */
  readOnly: boolean;
  /** The backup set contains the filegroup's files. */
  present: boolean;
  readOnlyLsn: bigint | null;
  readWriteLsn: bigint | null;
  files: BackupFile[];
}

const DATA_TYPES = new Set<BackupType>(['D', 'P', 'F']);
const DIFF_TYPES = new Set<BackupType>(['I', 'Q', 'G']);

export function isDataType(t: BackupType): boolean {
  return DATA_TYPES.has(t);
}
export function isDiffType(t: BackupType): boolean {
  return DIFF_TYPES.has(t);
}

export function diffBaseKey(checkpoint: bigint, uuid: string): string {
  return `${checkpoint}|${uuid}`;
}

/**
 * The history, indexed once per plan: data and differential sets sorted newest first (by last_lsn),
 * logs sorted by first_lsn, differentials grouped by the key of their base. Building it is O(n log n);
 * every later lookup is a map access or a binary search.
 */
export class HistoryIndex {
  readonly sets: IndexedSet[];
  readonly byId = new Map<number, IndexedSet>();
  /** Data and differential sets by backup_set_uuid (what differential_base_guid names). */
  readonly byUuid = new Map<string, IndexedSet>();
  /** D, P, F sets, newest (highest last_lsn) first. */
  readonly data: IndexedSet[] = [];
  /** I, Q, G sets keyed by `differential_base_lsn|differential_base_guid`, newest first. */
  readonly diffsByBase = new Map<string, IndexedSet[]>();
  readonly diffs: IndexedSet[] = [];
  /** L sets, by first_lsn ascending (ties: longest first). */
  readonly logs: IndexedSet[] = [];

  readonly history: BackupHistory;

  constructor(history: BackupHistory) {
    this.history = history;
    this.sets = history.backupsets.map(indexSet);
    for (const s of this.sets) {
      this.byId.set(s.id, s);
      if (s.type === 'L') {
        this.logs.push(s);
        continue;
      }
      this.byUuid.set(s.raw.backup_set_uuid, s);
      if (isDataType(s.type)) this.data.push(s);
      else if (isDiffType(s.type)) {
        this.diffs.push(s);
        if (s.diffBase !== null && s.raw.differential_base_guid !== null) {
          const key = diffBaseKey(s.diffBase, s.raw.differential_base_guid);
          const list = this.diffsByBase.get(key);
          if (list) list.push(s);
          else this.diffsByBase.set(key, [s]);
        }
      }
    }
    const newestFirst = (a: IndexedSet, b: IndexedSet) =>
      compareLsn(b.last, a.last) || b.finish - a.finish || b.id - a.id;
    this.data.sort(newestFirst);
    this.diffs.sort(newestFirst);
    for (const list of this.diffsByBase.values()) list.sort(newestFirst);
    const byFirst = (a: IndexedSet, b: IndexedSet) =>
      compareLsn(a.first, b.first) || compareLsn(b.last, a.last) || b.id - a.id;
    // msdb exports come in backup_set_id order, which is LSN order for logs except around forks: check first.
    let sorted = true;
    for (let i = 1; i < this.logs.length && sorted; i++)
      sorted = byFirst(this.logs[i - 1]!, this.logs[i]!) <= 0;
    if (!sorted) this.logs.sort(byFirst);
  }
}

function indexSet(raw: BackupSet): IndexedSet {
  const log = raw.type === 'L';
  const spans = raw.first_recovery_fork_guid !== raw.last_recovery_fork_guid;
  return {
    raw,
    id: raw.backup_set_id,
    type: raw.type,
    first: toLsn(raw.first_lsn),
    last: toLsn(raw.last_lsn),
    // Only data and differential sets are ever a base or matched to one; logs skip two conversions.
    checkpoint: log ? null : toLsnOrNull(raw.checkpoint_lsn),
    diffBase: log ? null : toLsnOrNull(raw.differential_base_lsn),
    finish: Date.parse(raw.backup_finish_date),
    forkFirst: raw.first_recovery_fork_guid,
    forkLast: raw.last_recovery_fork_guid,
    forkPoint: spans ? toLsnOrNull(raw.fork_point_lsn) : null,
  };
}

/** Filegroups of a backup set as its backupfile rows describe them (log files excluded). */
export function filegroupsOf(set: IndexedSet): Map<string, FilegroupInfo> {
  const out = new Map<string, FilegroupInfo>();
  for (const f of set.raw.files) {
    if (f.file_type === 'L' || f.filegroup_name === null) continue;
    let info = out.get(f.filegroup_name);
    if (!info) {
      info = {
        name: f.filegroup_name,
        readOnly: true,
        present: false,
        readOnlyLsn: null,
        readWriteLsn: null,
        files: [],
      };
      out.set(f.filegroup_name, info);
    }
    info.files.push(f);
    if (!f.is_readonly) info.readOnly = false;
    if (f.is_present) info.present = true;
    const ro = toLsnOrNull(f.read_only_lsn);
    const rw = toLsnOrNull(f.read_write_lsn);
    if (ro !== null && (info.readOnlyLsn === null || ro > info.readOnlyLsn)) info.readOnlyLsn = ro;
    if (rw !== null && (info.readWriteLsn === null || rw > info.readWriteLsn)) info.readWriteLsn = rw;
  }
  return out;
}

/** Log files of a backup set (file_type L). */
export function logFilesOf(set: IndexedSet): BackupFile[] {
  return set.raw.files.filter((f) => f.file_type === 'L');
}

/** Files that belong to no filegroup and are not log files (e.g. an old full-text catalog). */
export function looseFilesOf(set: IndexedSet): BackupFile[] {
  return set.raw.files.filter((f) => f.file_type !== 'L' && f.filegroup_name === null);
}

export function describeSet(s: IndexedSet): string {
  return `${TYPE_NAMES[s.type]} backup ${s.id} (finished ${s.raw.backup_finish_date}, LSN ${s.raw.first_lsn}..${s.raw.last_lsn})`;
}

export const TYPE_NAMES: Record<BackupType, string> = {
  D: 'full',
  I: 'differential',
  L: 'log',
  F: 'file/filegroup',
  G: 'differential file',
  P: 'partial',
  Q: 'differential partial',
};
