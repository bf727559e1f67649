/**
 * Versioned catalog migrations. Append only: never edit a migration that has shipped.
 * Each runs in a transaction; `schema_migrations` records what ran.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'runs, steps, artifacts',
    sql: `
      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        command TEXT NOT NULL,
        jobs TEXT NOT NULL,              -- JSON array of job names
        status TEXT NOT NULL,            -- running | succeeded | failed | partly-failed | dry-run
        started_at TEXT NOT NULL,
        finished_at TEXT
      );
      CREATE TABLE steps (
        run_id TEXT NOT NULL REFERENCES runs(id),
        step_id TEXT NOT NULL,
        job TEXT NOT NULL,
        plugin TEXT NOT NULL,
        target TEXT NOT NULL,
        action TEXT NOT NULL,
        status TEXT NOT NULL,            -- succeeded | failed | not-executed
        started_at TEXT,
        finished_at TEXT,
        duration_ms INTEGER,
        summary TEXT NOT NULL,
        metrics TEXT NOT NULL,           -- JSON
        artifact_ids TEXT NOT NULL,      -- JSON array
        error TEXT,                      -- JSON
        skipped_because TEXT,
        PRIMARY KEY (run_id, step_id)
      );
      CREATE INDEX steps_job ON steps(job, target, status, finished_at);
      CREATE TABLE artifacts (
        id TEXT PRIMARY KEY,
        run_id TEXT NOT NULL,
        step_id TEXT NOT NULL,
        job TEXT NOT NULL,
        plugin TEXT NOT NULL,
        target TEXT NOT NULL,
        kind TEXT NOT NULL,
        type TEXT NOT NULL,
        storage TEXT NOT NULL,
        locations TEXT NOT NULL,         -- JSON array
        bytes INTEGER NOT NULL,
        sha256 TEXT,
        created_at TEXT NOT NULL,
        metadata TEXT NOT NULL,          -- JSON
        state TEXT NOT NULL DEFAULT 'present',  -- present | removing | removed
        removed_at TEXT,
        removal_reason TEXT
      );
      CREATE INDEX artifacts_job ON artifacts(job, target, state, created_at);
      CREATE TABLE artifact_deps (
        artifact_id TEXT NOT NULL REFERENCES artifacts(id),
        depends_on TEXT NOT NULL,
        PRIMARY KEY (artifact_id, depends_on)
      );
    `,
  },
  {
    version: 2,
    name: 'runs by job and by start time',
    // A run's jobs were only in its JSON list, so "the runs of job X" scanned every run (the scheduler asks at
    // every fire, notifications after every run). run_jobs is that list as rows, ordered for "newest first".
    sql: `
      CREATE TABLE run_jobs (
        job TEXT NOT NULL,
        started_at TEXT NOT NULL,
        run_id TEXT NOT NULL REFERENCES runs(id),
        PRIMARY KEY (job, started_at, run_id)
      ) WITHOUT ROWID;
      INSERT OR IGNORE INTO run_jobs (job, started_at, run_id)
        SELECT json_each.value, runs.started_at, runs.id FROM runs, json_each(runs.jobs);
      CREATE INDEX runs_started ON runs(started_at, id);
    `,
  },
];
