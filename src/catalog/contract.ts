import type { RunStatus, StepResult } from '../core/result.ts';

/**
 * The catalog is holdfast's memory: every run, step and artifact. Retention, restore and missed-run
 * detection read it. The default implementation is a node:sqlite file (`.holdfast/catalog.db`);
 * `openCatalog(':memory:')` is the in-memory fake for tests.
 *
 * Writes happen only in the executor and in plugins' execute code, never while planning.
 * Two processes may write at once (WAL, busy timeout). All methods are synchronous-safe to retry
 * on SQLITE_BUSY (the implementation already waits up to its busy timeout).
 */
export interface Catalog {
  /** Where the catalog lives (file path or `:memory:`). */
  readonly location: string;

  startRun(input: { command: string; jobs: string[]; startedAt: Date }): string;
  finishRun(runId: string, status: RunStatus, finishedAt: Date): void;
  recordStep(runId: string, step: StepResult): void;

  /** Records an artifact after its bytes are committed to storage. Returns its id. */
  addArtifact(input: ArtifactInput): string;
  /** Marks an artifact removed (the record stays, with when and why). */
  markRemoved(artifactId: string, removedAt: Date, reason: string): void;
  /** Marks an artifact as being removed (so an interrupted cleanup is finished by the next run). */
  markRemoving(artifactId: string, at: Date, reason: string): void;
  getArtifact(artifactId: string): Artifact | undefined;
  listArtifacts(filter?: ArtifactFilter): Artifact[];

  listRuns(filter?: { job?: string; limit?: number }): RunRecord[];
  listSteps(runId: string): StepRecord[];
  /** Last step of a job (optionally per target) with the given status, newest first. */
  lastStep(filter: { job: string; target?: string; status?: StepResult['status'] }): StepRecord | undefined;

  close(): void;
}

export type ArtifactState = 'present' | 'removing' | 'removed';

export interface ArtifactInput {
  runId: string;
  stepId: string;
  job: string;
  plugin: string;
  /** `sql01/DW`, `cosno-orders/shop/orders`. */
  target: string;
  /** Plugin's kind of artifact: `litespeed-backup`, `cosmos-export`. */
  kind: string;
  /** Type within the kind: msdb type code (D I L F G P Q) or `export`. */
  type: string;
  /** Storage name (for storage-backed artifacts) or `server` for files that live on a SQL Server. */
  storage: string;
  /** Storage key(s) or server file paths; the first is the primary file. */
  locations: string[];
  bytes: number;
  sha256?: string;
  createdAt: Date;
  /** Ids of artifacts this one needs for a restore (a differential's base, the previous log). */
  dependsOn: string[];
  /** Type-specific data: LSNs, filegroups, backup_set_id; document counts, manifest key. Plain JSON. */
  metadata: Record<string, unknown>;
}

export interface Artifact extends ArtifactInput {
  id: string;
  state: ArtifactState;
  removedAt?: Date;
  removalReason?: string;
}

export interface ArtifactFilter {
  job?: string;
  plugin?: string;
  target?: string;
  kind?: string;
  /** Default: only `present` artifacts. */
  states?: ArtifactState[];
}

export interface RunRecord {
  id: string;
  command: string;
  jobs: string[];
  status: RunStatus | 'running';
  startedAt: Date;
  finishedAt?: Date;
}

export interface StepRecord extends StepResult {
  runId: string;
}
