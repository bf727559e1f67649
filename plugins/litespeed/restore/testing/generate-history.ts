import type {
  BackupFile,
  BackupHistory,
  BackupMedia,
  BackupSet,
  BackupType,
  RecoveryModel,
} from '../history-schema.ts';
import { SeededRandom } from './seeded-random.ts';

/**
 * A seeded generator of realistic backup histories: a simulated database whose LSN advances with its
 * workload, backed up on a schedule (bases, differentials, logs, read-only filegroup backups), with
 * optional chaos (copy-only backups, stripes and mirrors, filegroups made read-write and read-only again,
 * a filegroup archived to read-only, a restore to an earlier point that starts a new recovery fork) and
 * optional defects (log gaps, missing stripes, damaged sets). The same options give the same history.
 *
 * Besides the msdb-shaped history it returns the event timeline (for replay on a SQL Server simulator)
 * and the defects it injected (so tests know when a refusal is expected).
 */
export interface GenerateHistoryOptions {
  seed: number;
  database?: string;
  recoveryModel: RecoveryModel;
  /** ISO-8601 start (UTC). Default 2026-01-01T00:00:00Z. */
  start?: string;
  days: number;
  schedule: {
    /** Days between base backups (taken at 01:00 on day 0, N, 2N...). */
    baseEveryDays: number;
    /** 'partial' (READ_WRITE_FILEGROUPS, type P/Q) or 'full' (type D/I). */
    base: 'full' | 'partial';
    /** Hours between differentials (from 01:00); null for none. */
    differentialEveryHours: number | null;
    /** Minutes between log backups; null for none (always none under SIMPLE). */
    logEveryMinutes: number | null;
  };
  readWriteFilegroups?: number;
  readOnlyFilegroups?: number;
  /** Probabilities (0..1). */
  chaos?: {
    copyOnlyFullPerDay?: number;
    copyOnlyLog?: number;
    emptyLog?: number;
    stripes?: number;
    mirror?: number;
    /** Per day: a read-only filegroup is made read-write, changed, and read-only again (read_only_lsn moves). */
    readOnlyFlipPerDay?: number;
    /** After a flip: the DBA takes a new filegroup backup the next night (otherwise the filegroup cannot be restored). */
    refreshAfterFlip?: number;
    /** Per day: a read-write filegroup is archived (made read-only for good) and backed up the next night. */
    archivePerDay?: number;
    /** Per day, FULL only: a file backup of a read-write filegroup. */
    filegroupBackupPerDay?: number;
    /** FULL only: on the middle day, the database is restored to a point 6 hours earlier (new recovery fork). */
    fork?: boolean;
  };
  defects?: {
    /** Per regular log (not the last): dropped from the history. */
    logGap?: number;
    /** Per striped data backup: one family dropped (from one mirror, or from all: fatal). */
    missingStripe?: number;
    /** Per backup set: flagged is_damaged. */
    damaged?: number;
  };
}

export type HistoryEvent =
  | { at: string; kind: 'backup'; backup_set_id: number; type: BackupType; copy_only: boolean }
  | { at: string; kind: 'filegroup-read-write' | 'filegroup-read-only'; filegroup: string; lsn: string }
  | { at: string; kind: 'restore'; base_backup_set_id: number; to_lsn: string; recovery_fork_guid: string };

export interface HistoryDefect {
  kind: 'log-gap' | 'missing-stripe' | 'damaged';
  backup_set_id: number;
  /** missing-stripe: true when no complete mirror is left. */
  fatal: boolean;
}

export interface GeneratedHistory {
  history: BackupHistory;
  events: HistoryEvent[];
  defects: HistoryDefect[];
}

export function generateHistory(options: GenerateHistoryOptions): GeneratedHistory {
  return new HistorySimulation(options).run();
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const LSN_BASE = 34_000_000_000_123_400_001n;

interface FilegroupState {
  name: string;
  readOnly: boolean;
  roLsn: bigint | null;
  rwLsn: bigint | null;
}

interface Draft {
  set: BackupSet;
  start: number;
  finish: number;
  first: bigint;
  last: bigint;
}

type Pending = { draft: Draft; isBase: boolean };
type SimEvent = { t: number; order: number; run: () => void };

class HistorySimulation {
  readonly #o: GenerateHistoryOptions;
  readonly #rng: SeededRandom;
  readonly #db: string;
  readonly #start: number;
  readonly #prefix: Float64Array;
  #shift = 0n;
  #fork: string;
  #forkLink: { from: string; point: bigint } | null = null;
  readonly #fgs: FilegroupState[] = [];
  readonly #drafts: Draft[] = [];
  readonly #events: { at: number; make: () => HistoryEvent }[] = [];
  readonly #pending: Pending[] = [];
  readonly #regularLogs: Draft[] = [];
  readonly #needsBackup = new Set<string>();
  /** Filegroups backed up on their own since the current base: their differential base moved. */
  readonly #diffBaseMoved = new Set<string>();
  #base: Draft | null = null;
  #lastLog: bigint | null = null;
  readonly #ids = new Map<Draft, number>();

  constructor(o: GenerateHistoryOptions) {
    this.#o = o;
    this.#rng = new SeededRandom(o.seed);
    this.#db = o.database ?? 'DW';
    this.#start = Date.parse(o.start ?? '2026-01-01T00:00:00Z');
    this.#fork = this.#rng.guid();
    this.#fgs.push({ name: 'PRIMARY', readOnly: false, roLsn: null, rwLsn: null });
    for (let i = 1; i <= (o.readWriteFilegroups ?? 2); i++)
      this.#fgs.push({ name: `FG_RW${i}`, readOnly: false, roLsn: null, rwLsn: null });
    this.#prefix = workload(new SeededRandom(o.seed ^ 0x5eed), (o.days + 2) * 1440);
    for (let i = 1; i <= (o.readOnlyFilegroups ?? 2); i++) {
      const lsn = this.#lsnAt(this.#start) - BigInt(1_000_000 * i);
      this.#fgs.push({ name: `FG_${2015 + i}`, readOnly: true, roLsn: lsn, rwLsn: null });
    }
  }

  run(): GeneratedHistory {
    const o = this.#o;
    const forkDay =
      o.chaos?.fork && o.recoveryModel !== 'SIMPLE' && o.schedule.logEveryMinutes
        ? Math.floor(o.days / 2)
        : -1;
    for (let d = 0; d < o.days; d++) {
      const day = this.#start + d * DAY;
      const ev: SimEvent[] = [];
      const at = (t: number, order: number, run: () => void) => ev.push({ t, order, run });
      if (d === 0) for (const fg of this.#fgs) if (fg.readOnly) this.#needsBackup.add(fg.name);
      at(day + 30 * MINUTE, 1, () => this.#readOnlyBackups(day + 30 * MINUTE));
      if (d % o.schedule.baseEveryDays === 0)
        at(day + HOUR, 1, () => this.#dataBackup(day + HOUR, o.schedule.base === 'full' ? 'D' : 'P'));
      const every = o.schedule.differentialEveryHours;
      if (every) {
        for (let h = 1; h < 25; h += every) {
          if (h === 1 && d % o.schedule.baseEveryDays === 0) continue;
          at(day + h * HOUR, 1, () => this.#differential(day + h * HOUR));
        }
      }
      if (o.recoveryModel !== 'SIMPLE' && this.#rng.chance(o.chaos?.filegroupBackupPerDay))
        at(day + 2 * HOUR, 1, () => this.#readWriteFileBackup(day + 2 * HOUR));
      if (d !== forkDay && this.#rng.chance(o.chaos?.readOnlyFlipPerDay))
        at(day + 12 * HOUR, 1, () => this.#flip(day + 12 * HOUR));
      if (d !== forkDay && this.#rng.chance(o.chaos?.archivePerDay))
        at(day + 12 * HOUR + MINUTE, 1, () => this.#archive(day + 12 * HOUR + MINUTE));
      if (this.#rng.chance(o.chaos?.copyOnlyFullPerDay))
        at(day + 13 * HOUR, 1, () => this.#dataBackup(day + 13 * HOUR, 'D', true));
      if (d === forkDay)
        at(day + 12 * HOUR + 30 * MINUTE, 1, () => this.#restore(day + 12 * HOUR + 30 * MINUTE));
      const logEvery = o.recoveryModel === 'SIMPLE' ? null : o.schedule.logEveryMinutes;
      if (logEvery) {
        for (let m = 0; m < 1440; m += logEvery) {
          const t = day + m * MINUTE;
          at(t, 2, () => this.#log(t, false));
          if (this.#rng.chance(o.chaos?.copyOnlyLog))
            at(t + (logEvery * MINUTE) / 2, 2, () => this.#log(t + (logEvery * MINUTE) / 2, true));
        }
      }
      ev.sort((a, b) => a.t - b.t || a.order - b.order);
      for (const e of ev) {
        this.#complete(e.t);
        e.run();
      }
    }
    this.#complete(Number.POSITIVE_INFINITY);
    return this.#finish();
  }

  #lsnAt(ms: number): bigint {
    const m = Math.max(0, (ms - this.#start) / MINUTE);
    const i = Math.min(Math.floor(m), this.#prefix.length - 2);
    const value = this.#prefix[i]! + (this.#prefix[i + 1]! - this.#prefix[i]!) * (m - i);
    return LSN_BASE + BigInt(Math.floor(value)) + this.#shift;
  }

  /** Backups whose finish time has passed become visible: a completed base is the differential base. */
  #complete(t: number): void {
    for (let i = 0; i < this.#pending.length;) {
      const p = this.#pending[i]!;
      if (p.draft.finish > t) {
        i++;
        continue;
      }
      this.#pending.splice(i, 1);
      if (!p.isBase) continue;
      this.#base = p.draft;
      this.#diffBaseMoved.clear();
      if (this.#lastLog === null && this.#o.recoveryModel !== 'SIMPLE' && this.#o.schedule.logEveryMinutes)
        this.#lastLog = p.draft.first;
    }
  }

  #files(present: (fg: FilegroupState) => boolean, logPresent: boolean): BackupFile[] {
    const rows: BackupFile[] = this.#fgs.map((fg) => ({
      logical_name: `${this.#db}_${fg.name}`,
      physical_name: `E:\\data\\${this.#db}_${fg.name}.${fg.name === 'PRIMARY' ? 'mdf' : 'ndf'}`,
      filegroup_name: fg.name,
      file_type: 'D',
      is_present: present(fg),
      is_readonly: fg.readOnly,
      read_only_lsn: fg.roLsn?.toString() ?? null,
      read_write_lsn: fg.rwLsn?.toString() ?? null,
    }));
    rows.push({
      logical_name: `${this.#db}_log`,
      physical_name: `L:\\log\\${this.#db}_log.ldf`,
      filegroup_name: null,
      file_type: 'L',
      is_present: logPresent,
      is_readonly: false,
      read_only_lsn: null,
      read_write_lsn: null,
    });
    return rows;
  }

  #media(tag: string, t: number, data: boolean): BackupMedia[] {
    const chaos = this.#o.chaos;
    const families = data && this.#rng.chance(chaos?.stripes) ? this.#rng.int(2, 4) : 1;
    const mirrors = data && this.#rng.chance(chaos?.mirror) ? 2 : 1;
    const stamp = new Date(t).toISOString().replace(/[-:]/g, '').slice(0, 15);
    const out: BackupMedia[] = [];
    for (let m = 0; m < mirrors; m++) {
      const dir = m === 0 ? 'Y:\\SQL_BACKUPS' : 'Z:\\SQL_MIRROR';
      for (let f = 1; f <= families; f++)
        out.push({
          family_sequence_number: f,
          mirror: m,
          physical_device_name: `${dir}\\${this.#db}\\${this.#db}_${tag}_${stamp}_${f}.bak`,
          device_type: 7,
        });
    }
    return out;
  }

  #draft(
    type: BackupType,
    t: number,
    minutes: number,
    o: {
      copy?: boolean;
      present: (fg: FilegroupState) => boolean;
      tag: string;
      first?: bigint;
      last?: bigint;
      base?: Draft | null;
    },
  ): Draft {
    const finish = t + minutes * MINUTE;
    const isLog = type === 'L';
    const now = this.#lsnAt(t);
    const first = o.first ?? now - BigInt(this.#rng.int(0, 5_000));
    const last = o.last ?? this.#lsnAt(finish);
    const ckpt = isLog ? first + (last - first) / 2n : now;
    const link = isLog && !o.copy ? this.#forkLink : null;
    const set: BackupSet = {
      backup_set_id: 0,
      backup_set_uuid: this.#rng.guid(),
      database_name: this.#db,
      type,
      first_lsn: first.toString(),
      last_lsn: last.toString(),
      checkpoint_lsn: ckpt.toString(),
      database_backup_lsn: this.#base?.set.checkpoint_lsn ?? null,
      differential_base_lsn: o.base?.set.checkpoint_lsn ?? null,
      differential_base_guid: o.base?.set.backup_set_uuid ?? null,
      is_copy_only: o.copy ?? false,
      backup_start_date: new Date(t).toISOString(),
      backup_finish_date: new Date(finish).toISOString(),
      recovery_model: this.#o.recoveryModel,
      first_recovery_fork_guid: link ? link.from : this.#fork,
      last_recovery_fork_guid: this.#fork,
      fork_point_lsn: link ? link.point.toString() : null,
      has_incomplete_metadata: false,
      is_damaged: false,
      begins_log_chain: false,
      position: 1,
      files: isLog
        ? this.#files(() => false, true).filter((f) => f.file_type === 'L')
        : this.#files(o.present, type !== 'F' && type !== 'G'),
      media: this.#media(o.tag, t, !isLog),
    };
    if (link) this.#forkLink = null;
    const draft = { set, start: t, finish, first, last };
    this.#drafts.push(draft);
    this.#events.push({
      at: t,
      make: () => ({
        at: set.backup_start_date,
        kind: 'backup',
        backup_set_id: this.#ids.get(draft)!,
        type,
        copy_only: set.is_copy_only,
      }),
    });
    return draft;
  }

  #dataBackup(t: number, type: 'D' | 'P', copy = false): void {
    const present = type === 'D' ? () => true : (fg: FilegroupState) => !fg.readOnly;
    const draft = this.#draft(type, t, 20, {
      copy,
      present,
      tag: copy ? 'FULL_COPY_ONLY' : type === 'D' ? 'FULL' : 'PARTIAL',
    });
    this.#pending.push({ draft, isBase: !copy });
  }

  /**
   * A file or filegroup backup moves the differential base of its files (SQL Server, as the simulator
   * enforces it). A differential partial then leaves out a read-only filegroup backed up on its own
   * since the base, and is refused (3006, multi-based) when a read-write one was: the job fails and no
   * backup set is recorded. A full differential holds every file, so any such backup makes it
   * multi-based: refused (3006) under SIMPLE; under FULL / BULK_LOGGED taken, with warning 3003 and NULL
   * differential_base_lsn / differential_base_guid (never restorable on a base).
   */
  #differential(t: number): void {
    const base = this.#base;
    if (!base) return;
    const inBase = new Set(
      base.set.files.filter((f) => f.is_present && f.filegroup_name).map((f) => f.filegroup_name),
    );
    const type = base.set.type === 'P' ? 'Q' : 'I';
    const moved = (fg: FilegroupState) => this.#diffBaseMoved.has(fg.name);
    const simple = this.#o.recoveryModel === 'SIMPLE';
    const multiBased = this.#fgs.some((fg) => moved(fg) && (type === 'I' || !fg.readOnly));
    if (multiBased && (type === 'Q' || simple)) return;
    const draft = this.#draft(type, t, 5, {
      present: (fg) => inBase.has(fg.name) && !(type === 'Q' && fg.readOnly && moved(fg)),
      tag: type === 'Q' ? 'DIFF_PARTIAL' : 'DIFF',
      base: multiBased ? null : base,
    });
    this.#pending.push({ draft, isBase: false });
  }

  #readOnlyBackups(t: number): void {
    for (const name of [...this.#needsBackup]) {
      const fg = this.#fgs.find((f) => f.name === name)!;
      if (!fg.readOnly) continue;
      this.#needsBackup.delete(name);
      this.#draft('F', t, 3, { present: (g) => g.name === name, tag: `FG_${name}` });
      this.#diffBaseMoved.add(name);
    }
  }

  #readWriteFileBackup(t: number): void {
    const rw = this.#fgs.filter((f) => !f.readOnly && f.name !== 'PRIMARY');
    if (rw.length === 0) return;
    const fg = this.#rng.pick(rw);
    this.#draft('F', t, 3, { present: (g) => g.name === fg.name, tag: `FG_${fg.name}` });
    this.#diffBaseMoved.add(fg.name);
  }

  #flip(t: number): void {
    const ro = this.#fgs.filter((f) => f.readOnly);
    if (ro.length === 0) return;
    const fg = this.#rng.pick(ro);
    fg.rwLsn = this.#lsnAt(t);
    fg.roLsn = this.#lsnAt(t + 30 * MINUTE);
    const rw = fg.rwLsn.toString();
    const roLsn = fg.roLsn.toString();
    this.#events.push({
      at: t,
      make: () => ({
        at: new Date(t).toISOString(),
        kind: 'filegroup-read-write',
        filegroup: fg.name,
        lsn: rw,
      }),
    });
    this.#events.push({
      at: t + 30 * MINUTE,
      make: () => ({
        at: new Date(t + 30 * MINUTE).toISOString(),
        kind: 'filegroup-read-only',
        filegroup: fg.name,
        lsn: roLsn,
      }),
    });
    if (this.#rng.chance(this.#o.chaos?.refreshAfterFlip)) this.#needsBackup.add(fg.name);
  }

  #archive(t: number): void {
    const rw = this.#fgs.filter((f) => !f.readOnly && f.name !== 'PRIMARY');
    if (rw.length <= 1) return;
    const fg = this.#rng.pick(rw);
    fg.readOnly = true;
    fg.roLsn = this.#lsnAt(t);
    const lsn = fg.roLsn.toString();
    this.#events.push({
      at: t,
      make: () => ({ at: new Date(t).toISOString(), kind: 'filegroup-read-only', filegroup: fg.name, lsn }),
    });
    this.#needsBackup.add(fg.name);
  }

  #log(t: number, copy: boolean): void {
    if (this.#lastLog === null || (copy && this.#forkLink)) return;
    const first = this.#lastLog;
    const draft = this.#draft('L', t, 1 / 6, {
      copy,
      present: () => false,
      tag: copy ? 'LOG_COPY_ONLY' : 'LOG',
      first,
      last: this.#lsnAt(t),
    });
    if (this.#regularLogs.length === 0 && !copy) draft.set.begins_log_chain = true;
    if (copy) return;
    this.#lastLog = draft.last;
    this.#regularLogs.push(draft);
    if (this.#rng.chance(this.#o.chaos?.emptyLog))
      this.#draft('L', t + 1000, 1 / 60, {
        present: () => false,
        tag: 'LOG',
        first: draft.last,
        last: draft.last,
      });
  }

  /** A restore WITH RECOVERY to the end of a log taken about six hours earlier: a new recovery fork. */
  #restore(t: number): void {
    const target = [...this.#regularLogs].reverse().find((l) => l.finish <= t - 6 * HOUR);
    const base =
      target &&
      [...this.#drafts]
        .reverse()
        .find(
          (d) =>
            (d.set.type === 'D' || d.set.type === 'P') &&
            !d.set.is_copy_only &&
            d.finish <= target.finish &&
            d.last <= target.last,
        );
    if (!target || !base) return;
    const point = target.last;
    const newFork = this.#rng.guid();
    this.#forkLink = { from: this.#fork, point };
    this.#fork = newFork;
    this.#shift += point + 1_000n - this.#lsnAt(t);
    this.#lastLog = point;
    this.#base = base;
    this.#events.push({
      at: t,
      make: () => ({
        at: new Date(t).toISOString(),
        kind: 'restore',
        base_backup_set_id: this.#ids.get(base)!,
        to_lsn: point.toString(),
        recovery_fork_guid: newFork,
      }),
    });
  }

  #finish(): GeneratedHistory {
    const drafts = [...this.#drafts].sort((a, b) => a.finish - b.finish || a.start - b.start);
    drafts.forEach((d, i) => {
      d.set.backup_set_id = i + 1;
      this.#ids.set(d, i + 1);
    });
    const defects = this.#injectDefects(drafts);
    const gone = new Set(defects.filter((x) => x.kind === 'log-gap').map((x) => x.backup_set_id));
    const events = [...this.#events].sort((a, b) => a.at - b.at).map((e) => e.make());
    return {
      history: {
        database_name: this.#db,
        recovery_model: this.#o.recoveryModel,
        filegroups: this.#fgs.map((f) => ({ name: f.name, is_read_only: f.readOnly })),
        backupsets: drafts.map((d) => d.set).filter((s) => !gone.has(s.backup_set_id)),
      },
      events,
      defects,
    };
  }

  #injectDefects(drafts: Draft[]): HistoryDefect[] {
    const d = this.#o.defects;
    const out: HistoryDefect[] = [];
    if (!d) return out;
    const rng = new SeededRandom(this.#o.seed ^ 0xdefec7);
    const lastRegular = this.#regularLogs.at(-1);
    for (const draft of drafts) {
      const s = draft.set;
      if (
        s.type === 'L' &&
        !s.is_copy_only &&
        draft !== lastRegular &&
        s.first_lsn !== s.last_lsn &&
        rng.chance(d.logGap)
      ) {
        out.push({ kind: 'log-gap', backup_set_id: s.backup_set_id, fatal: true });
        continue;
      }
      const families = Math.max(...s.media.map((m) => m.family_sequence_number));
      if (families > 1 && rng.chance(d.missingStripe)) {
        const family = rng.int(1, families);
        const mirrors = new Set(s.media.map((m) => m.mirror)).size;
        const fatal = mirrors === 1 || rng.chance(0.5);
        s.media = s.media.filter((m) => !(m.family_sequence_number === family && (fatal || m.mirror === 0)));
        out.push({ kind: 'missing-stripe', backup_set_id: s.backup_set_id, fatal });
      }
      if (rng.chance(d.damaged)) {
        s.is_damaged = true;
        out.push({ kind: 'damaged', backup_set_id: s.backup_set_id, fatal: true });
      }
    }
    return out;
  }
}

/** Cumulative log records per minute: a daily rhythm with random bursts. */
function workload(rng: SeededRandom, minutes: number): Float64Array {
  const prefix = new Float64Array(minutes + 1);
  for (let m = 0; m < minutes; m++) {
    const hour = Math.floor(m / 60) % 24;
    const busy = hour >= 8 && hour < 18 ? 3 : 1;
    prefix[m + 1] = prefix[m]! + (1_500 + rng.int(0, 8_000)) * busy;
  }
  return prefix;
}
