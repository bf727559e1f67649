import type { Artifact, ArtifactState } from '../../src/catalog/contract.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Builds artifact histories with readable ids (`P1`, `Q1.2`, `L1.2.3`) for decision tables. */
export class HistoryBuilder {
  readonly artifacts: Artifact[] = [];
  readonly #job: string;
  readonly #kind: string;

  constructor(job = 'dw-partial', kind = 'litespeed-backup') {
    this.#job = job;
    this.#kind = kind;
  }

  add(input: {
    id: string;
    type: string;
    at: Date;
    target: string;
    dependsOn?: string[];
    state?: ArtifactState;
    locations?: string[];
    storage?: string;
    metadata?: Record<string, unknown>;
  }): Artifact {
    const a: Artifact = {
      id: input.id,
      runId: `run-${input.at.toISOString()}`,
      stepId: `${this.#job}/${input.target}/${input.type}`,
      job: this.#job,
      plugin: this.#kind === 'cosmos-export' ? 'cosmos' : 'litespeed',
      target: input.target,
      kind: this.#kind,
      type: input.type,
      storage: input.storage ?? 'server',
      locations: input.locations ?? [
        `Y:\\SQL_BACKUPS\\${input.target.split('/').pop()}_${input.type}_${stamp(input.at)}.bak`,
      ],
      bytes: 1000,
      createdAt: input.at,
      dependsOn: input.dependsOn ?? [],
      metadata: input.metadata ?? {},
      state: input.state ?? 'present',
    };
    this.artifacts.push(a);
    return a;
  }
}

export function stamp(at: Date): string {
  return at.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '_');
}

export interface PartialStrategy {
  target: string;
  /** First day (00:00 UTC) of the history. */
  start: Date;
  days: number;
  /** Days (from start) on which the read-only filegroup is backed up (again, after it changed). */
  readOnlyBackups: number[];
  /** Day of week (0 Sunday) of the weekly partial base; the other days get a differential partial. */
  baseWeekday: number;
  /** Log backups every this many hours (FULL recovery); 0: SIMPLE recovery, no logs. */
  logEveryHours: number;
}

/**
 * The source documents' LiteSpeed strategy, with no full database (D) or differential (I) backup at all:
 * read-only filegroup backups (F) taken "once" (and again when the filegroup changed), a weekly partial base (P)
 * of the read-write filegroups that lists the read-only backups it needs, differential partials (Q) on the other
 * days, and optionally logs (L). A log depends on the backup it follows: the previous log, or the base or
 * differential taken just before it.
 */
export function partialHistory(s: PartialStrategy, b = new HistoryBuilder()): Artifact[] {
  let ro: Artifact | undefined;
  let base: Artifact | undefined;
  let previous: Artifact | undefined; // newest of P, Q or L: what the next log follows
  let roCount = 0;
  for (let day = 0; day < s.days; day++) {
    const midnight = new Date(s.start.getTime() + day * DAY);
    if (s.readOnlyBackups.includes(day)) {
      ro = b.add({
        id: `F${++roCount}`,
        type: 'F',
        at: new Date(midnight.getTime() + 0.5 * HOUR),
        target: s.target,
        metadata: { filegroup: 'FG_RO' },
      });
    }
    const at = new Date(midnight.getTime() + HOUR);
    if (midnight.getUTCDay() === s.baseWeekday || !base) {
      base = b.add({ id: `P${day}`, type: 'P', at, target: s.target, dependsOn: ro ? [ro.id] : [] });
      previous = base;
    } else {
      previous = b.add({ id: `Q${day}`, type: 'Q', at, target: s.target, dependsOn: [base.id] });
    }
    if (s.logEveryHours > 0) {
      for (let h = s.logEveryHours; h < 24; h += s.logEveryHours) {
        previous = b.add({
          id: `L${day}.${h}`,
          type: 'L',
          at: new Date(midnight.getTime() + (1 + h) * HOUR),
          target: s.target,
          dependsOn: [previous!.id],
        });
      }
    }
  }
  return b.artifacts;
}

/** A classic FULL-recovery history: weekly full (D), daily differential (I), logs every few hours. */
export function fullDiffLogHistory(
  s: { target: string; start: Date; days: number; fullWeekday: number; logEveryHours: number },
  b = new HistoryBuilder('sales-full'),
): Artifact[] {
  let full: Artifact | undefined;
  let previous: Artifact | undefined;
  for (let day = 0; day < s.days; day++) {
    const midnight = new Date(s.start.getTime() + day * DAY);
    const at = new Date(midnight.getTime() + 2 * HOUR);
    if (midnight.getUTCDay() === s.fullWeekday || !full)
      previous = full = b.add({ id: `D${day}`, type: 'D', at, target: s.target });
    else previous = b.add({ id: `I${day}`, type: 'I', at, target: s.target, dependsOn: [full.id] });
    for (let h = s.logEveryHours; h < 24; h += s.logEveryHours) {
      previous = b.add({
        id: `L${day}.${h}`,
        type: 'L',
        at: new Date(midnight.getTime() + (2 + h) * HOUR),
        target: s.target,
        dependsOn: [previous.id],
      });
    }
  }
  return b.artifacts;
}

/** Nightly Cosmos DB exports of some containers: each is independent, data file plus manifest. */
export function cosmosHistory(
  s: { containers: string[]; start: Date; days: number; skipDays?: number[] },
  b = new HistoryBuilder('orders-nightly', 'cosmos-export'),
): Artifact[] {
  for (let day = 0; day < s.days; day++) {
    if (s.skipDays?.includes(day)) continue;
    const at = new Date(s.start.getTime() + day * DAY + 2 * HOUR);
    for (const c of s.containers) {
      const base = `${c}/${stamp(at)}`;
      b.add({
        id: `${c.split('/').pop()}-${day}`,
        type: 'export',
        at,
        target: `cosno-orders/${c}`,
        storage: 'backups',
        locations: [`${base}/data.jsonl.gz`, `${base}/manifest.json`],
        metadata: { manifestKey: `${base}/manifest.json` },
      });
    }
  }
  return b.artifacts;
}
