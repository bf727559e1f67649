import { mkdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { ErrorCode, HoldfastError } from '../core/errors.ts';
import type { RunStatus, StepResult } from '../core/result.ts';
import type {
  Artifact,
  ArtifactFilter,
  ArtifactInput,
  ArtifactState,
  Catalog,
  RunRecord,
  StepRecord,
} from './contract.ts';
import { MIGRATIONS } from './migrations.ts';

export const DEFAULT_CATALOG_PATH = path.join('.holdfast', 'catalog.db');

export interface OpenCatalogOptions {
  /** Open without writing anything (dry runs, plan). A missing file gives an empty read-only catalog. */
  readOnly?: boolean;
  /** How long a writer waits for another process's lock, in ms (default 10 s). */
  busyTimeoutMs?: number;
}

/**
 * Opens (creating and migrating when writable) the catalog at `location`, or `:memory:` for tests.
 * WAL journal and a busy timeout let two processes write at once without corrupting it.
 */
export function openCatalog(location: string, options: OpenCatalogOptions = {}): Catalog {
  const readOnly = options.readOnly ?? false;
  try {
    if (readOnly && location !== ':memory:' && !existsSync(location)) {
      // Nothing recorded yet. Serve an empty, migrated, in-memory catalog and never create the file.
      return new SqliteCatalog(new DatabaseSync(':memory:'), location, false, options.busyTimeoutMs, true);
    }
    if (!readOnly && location !== ':memory:')
      mkdirSync(path.dirname(path.resolve(location)), { recursive: true });
    const db = new DatabaseSync(location, { readOnly, timeout: options.busyTimeoutMs ?? 10_000 });
    return new SqliteCatalog(db, location, readOnly, options.busyTimeoutMs);
  } catch (err) {
    if (err instanceof HoldfastError) throw err;
    throw new HoldfastError(
      ErrorCode.CatalogFailed,
      `cannot open the catalog at ${location}: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

type Row = Record<string, SQLInputValue>;

class SqliteCatalog implements Catalog {
  readonly location: string;
  readonly #db: DatabaseSync;
  readonly #readOnly: boolean;
  /** The schema version of the file (a read-only open does not migrate an older one). */
  #schema = 0;

  constructor(
    db: DatabaseSync,
    location: string,
    readOnly: boolean,
    busyTimeoutMs = 10_000,
    emptyStandIn = false,
  ) {
    this.#db = db;
    this.location = location;
    this.#readOnly = readOnly || emptyStandIn;
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    if (!readOnly) {
      if (location !== ':memory:' && !emptyStandIn) db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA foreign_keys = ON');
      db.exec('PRAGMA synchronous = NORMAL');
      this.#migrate();
    } else {
      this.#checkVersion();
    }
  }

  #migrate(): void {
    this.#db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    for (const m of MIGRATIONS) {
      this.#tx(() => {
        const done = this.#db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(m.version);
        if (done) return;
        this.#db.exec(m.sql);
        this.#db
          .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
          .run(m.version, m.name, new Date().toISOString());
      });
    }
    this.#checkVersion();
  }

  #checkVersion(): void {
    const row = this.#db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
      .get();
    if (!row)
      throw new HoldfastError(
        ErrorCode.CatalogFailed,
        `${this.location} is not a holdfast catalog (no schema_migrations table)`,
      );
    const max = this.#db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as {
      v: number | null;
    };
    const known = MIGRATIONS[MIGRATIONS.length - 1]!.version;
    this.#schema = max.v ?? 0;
    if ((max.v ?? 0) > known) {
      throw new HoldfastError(
        ErrorCode.CatalogFailed,
        `the catalog at ${this.location} was written by a newer holdfast (schema ${max.v}, this one knows ${known})`,
      );
    }
  }

  /** BEGIN IMMEDIATE takes the write lock up front, so two writers wait instead of failing mid-transaction. */
  #tx<T>(fn: () => T): T {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const out = fn();
      this.#db.exec('COMMIT');
      return out;
    } catch (err) {
      this.#db.exec('ROLLBACK');
      throw err;
    }
  }

  #writable(what: string): void {
    if (this.#readOnly)
      throw new HoldfastError(ErrorCode.Internal, `catalog opened read-only: refusing to ${what}`);
  }

  startRun(input: { command: string; jobs: string[]; startedAt: Date }): string {
    this.#writable('start a run');
    const id = `${input.startedAt.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${randomUUID().slice(0, 8)}`;
    const startedAt = input.startedAt.toISOString();
    this.#tx(() => {
      this.#db
        .prepare('INSERT INTO runs (id, command, jobs, status, started_at) VALUES (?, ?, ?, ?, ?)')
        .run(id, input.command, JSON.stringify(input.jobs), 'running', startedAt);
      const byJob = this.#db.prepare(
        'INSERT OR IGNORE INTO run_jobs (job, started_at, run_id) VALUES (?, ?, ?)',
      );
      for (const job of input.jobs) byJob.run(job, startedAt, id);
    });
    return id;
  }

  finishRun(runId: string, status: RunStatus, finishedAt: Date): void {
    this.#writable('finish a run');
    this.#db
      .prepare('UPDATE runs SET status = ?, finished_at = ? WHERE id = ?')
      .run(status, finishedAt.toISOString(), runId);
  }

  recordStep(runId: string, s: StepResult): void {
    this.#writable('record a step');
    this.#db
      .prepare(
        `INSERT OR REPLACE INTO steps (run_id, step_id, job, plugin, target, action, status, started_at, finished_at, duration_ms,
           summary, metrics, artifact_ids, error, skipped_because) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        runId,
        s.stepId,
        s.job,
        s.plugin,
        s.target,
        s.action,
        s.status,
        s.startedAt ?? null,
        s.finishedAt ?? null,
        s.durationMs ?? null,
        s.summary,
        JSON.stringify(s.metrics),
        JSON.stringify(s.artifactIds),
        s.error ? JSON.stringify(s.error) : null,
        s.skippedBecause ?? null,
      );
  }

  addArtifact(a: ArtifactInput): string {
    this.#writable('add an artifact');
    const id = randomUUID();
    this.#tx(() => {
      this.#db
        .prepare(
          `INSERT INTO artifacts (id, run_id, step_id, job, plugin, target, kind, type, storage, locations, bytes, sha256, created_at, metadata)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          a.runId,
          a.stepId,
          a.job,
          a.plugin,
          a.target,
          a.kind,
          a.type,
          a.storage,
          JSON.stringify(a.locations),
          a.bytes,
          a.sha256 ?? null,
          a.createdAt.toISOString(),
          JSON.stringify(a.metadata),
        );
      const dep = this.#db.prepare(
        'INSERT OR IGNORE INTO artifact_deps (artifact_id, depends_on) VALUES (?, ?)',
      );
      for (const d of a.dependsOn) dep.run(id, d);
    });
    return id;
  }

  markRemoving(artifactId: string, at: Date, reason: string): void {
    this.#writable('mark an artifact removing');
    this.#db
      .prepare(
        "UPDATE artifacts SET state = 'removing', removed_at = ?, removal_reason = ? WHERE id = ? AND state = 'present'",
      )
      .run(at.toISOString(), reason, artifactId);
  }

  markRemoved(artifactId: string, removedAt: Date, reason: string): void {
    this.#writable('mark an artifact removed');
    this.#db
      .prepare("UPDATE artifacts SET state = 'removed', removed_at = ?, removal_reason = ? WHERE id = ?")
      .run(removedAt.toISOString(), reason, artifactId);
  }

  getArtifact(artifactId: string): Artifact | undefined {
    const row = this.#db.prepare('SELECT * FROM artifacts WHERE id = ?').get(artifactId) as Row | undefined;
    return row ? this.#artifact(row) : undefined;
  }

  listArtifacts(filter: ArtifactFilter = {}): Artifact[] {
    const where: string[] = [];
    const args: SQLInputValue[] = [];
    for (const key of ['job', 'plugin', 'target', 'kind'] as const) {
      if (filter[key] !== undefined) {
        where.push(`${key} = ?`);
        args.push(filter[key]);
      }
    }
    const states: ArtifactState[] = filter.states ?? ['present'];
    where.push(`state IN (${states.map(() => '?').join(', ')})`);
    args.push(...states);
    const rows = this.#db
      .prepare(`SELECT * FROM artifacts WHERE ${where.join(' AND ')} ORDER BY created_at, rowid`)
      .all(...args) as Row[];
    // Dependencies of all of them in one query (not one per artifact: catalogs grow to many thousands).
    const deps = new Map<string, string[]>();
    const depRows = this.#db
      .prepare(
        `SELECT d.artifact_id, d.depends_on FROM artifact_deps d JOIN artifacts a ON a.id = d.artifact_id WHERE ${where.map((w) => `a.${w}`).join(' AND ')} ORDER BY d.depends_on`,
      )
      .all(...args) as { artifact_id: string; depends_on: string }[];
    for (const d of depRows) {
      const list = deps.get(d.artifact_id);
      if (list) list.push(d.depends_on);
      else deps.set(d.artifact_id, [d.depends_on]);
    }
    return rows.map((r) => this.#artifact(r, deps.get(r.id as string) ?? []));
  }

  #artifact(r: Row, dependsOn?: string[]): Artifact {
    const deps = dependsOn
      ? dependsOn.map((depends_on) => ({ depends_on }))
      : (this.#db
          .prepare('SELECT depends_on FROM artifact_deps WHERE artifact_id = ? ORDER BY depends_on')
          .all(r.id as string) as { depends_on: string }[]);
    return {
      id: r.id as string,
      runId: r.run_id as string,
      stepId: r.step_id as string,
      job: r.job as string,
      plugin: r.plugin as string,
      target: r.target as string,
      kind: r.kind as string,
      type: r.type as string,
      storage: r.storage as string,
      locations: JSON.parse(r.locations as string) as string[],
      bytes: Number(r.bytes),
      sha256: (r.sha256 as string | null) ?? undefined,
      createdAt: new Date(r.created_at as string),
      dependsOn: deps.map((d) => d.depends_on),
      metadata: JSON.parse(r.metadata as string) as Record<string, unknown>,
      state: r.state as ArtifactState,
      removedAt: r.removed_at ? new Date(r.removed_at as string) : undefined,
      removalReason: (r.removal_reason as string | null) ?? undefined,
    };
  }

  listRuns(filter: { job?: string; limit?: number } = {}): RunRecord[] {
    const limit = filter.limit ?? 1000;
    const rows = (
      filter.job
        ? this.#schema >= 2
          ? this.#db
              .prepare(
                'SELECT runs.* FROM run_jobs JOIN runs ON runs.id = run_jobs.run_id WHERE run_jobs.job = ? ORDER BY run_jobs.started_at DESC, run_jobs.run_id DESC LIMIT ?',
              )
              .all(filter.job, limit)
          : // a catalog of schema 1 opened read-only (not migrated): its runs only list their jobs in JSON
            this.#db
              .prepare(
                'SELECT * FROM runs WHERE EXISTS (SELECT 1 FROM json_each(runs.jobs) WHERE value = ?) ORDER BY started_at DESC, id DESC LIMIT ?',
              )
              .all(filter.job, limit)
        : this.#db.prepare('SELECT * FROM runs ORDER BY started_at DESC, id DESC LIMIT ?').all(limit)
    ) as Row[];
    return rows.map((r) => ({
      id: r.id as string,
      command: r.command as string,
      jobs: JSON.parse(r.jobs as string) as string[],
      status: r.status as RunRecord['status'],
      startedAt: new Date(r.started_at as string),
      finishedAt: r.finished_at ? new Date(r.finished_at as string) : undefined,
    }));
  }

  listSteps(runId: string): StepRecord[] {
    const rows = this.#db
      .prepare('SELECT * FROM steps WHERE run_id = ? ORDER BY started_at, step_id')
      .all(runId) as Row[];
    return rows.map((r) => this.#step(r));
  }

  lastStep(filter: { job: string; target?: string; status?: StepResult['status'] }): StepRecord | undefined {
    const where = ['job = ?'];
    const args: SQLInputValue[] = [filter.job];
    if (filter.target !== undefined) {
      where.push('target = ?');
      args.push(filter.target);
    }
    if (filter.status !== undefined) {
      where.push('status = ?');
      args.push(filter.status);
    }
    const row = this.#db
      .prepare(
        `SELECT * FROM steps WHERE ${where.join(' AND ')} ORDER BY COALESCE(finished_at, started_at) DESC LIMIT 1`,
      )
      .get(...args) as Row | undefined;
    return row ? this.#step(row) : undefined;
  }

  #step(r: Row): StepRecord {
    return {
      runId: r.run_id as string,
      stepId: r.step_id as string,
      job: r.job as string,
      plugin: r.plugin as string,
      target: r.target as string,
      action: r.action as string,
      status: r.status as StepResult['status'],
      startedAt: (r.started_at as string | null) ?? undefined,
      finishedAt: (r.finished_at as string | null) ?? undefined,
      durationMs: r.duration_ms === null ? undefined : Number(r.duration_ms),
      summary: r.summary as string,
      metrics: JSON.parse(r.metrics as string),
      artifactIds: JSON.parse(r.artifact_ids as string),
      error: r.error ? JSON.parse(r.error as string) : undefined,
      skippedBecause: (r.skipped_because as string | null) ?? undefined,
    };
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
