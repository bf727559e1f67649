import type { z } from 'zod';
import type { Catalog } from '../catalog/contract.ts';
import type { Clock } from '../core/clock.ts';
import type { Job, Manifest, SecretRef } from '../core/job.ts';
import type { PlanNote, PlanStep } from '../core/plan.ts';
import type { StepMetrics } from '../core/result.ts';
import type { Secret } from '../core/secret.ts';
import type { StorageTarget } from '../storage/contract.ts';
import type { Artifact, ArtifactInput } from '../catalog/contract.ts';
import type { Logger } from '../core/logger.ts';

/**
 * The plugin contract. A plugin protects one kind of data source (SQL Server through LiteSpeed,
 * Cosmos DB). Every command goes load → validate → resolve secrets → discover → plan → execute;
 * a plugin takes part in discover, plan and execute. Planning only reads; only `execute` writes.
 *
 * Anything a plugin throws is wrapped by the engine with the plugin's name and the hook
 * (`plugin cosmos (discover): ...`) and never swallowed.
 */
export interface Plugin {
  /** Unique, lower-case name (`litespeed`, `cosmos`). The registry refuses duplicates. */
  readonly name: string;
  /** The plugin's own version, recorded in manifests and the catalog. */
  readonly version: string;
  /** The manifest kinds this plugin handles (`LiteSpeedBackup`). A kind belongs to exactly one plugin. */
  readonly kinds: readonly KindDefinition[];
  /** What the plugin can do. Checked while validating: a job that asks for more fails validation. */
  readonly capabilities: PluginCapabilities;

  /**
   * Finds the targets a job covers (databases, containers) by reading the world.
   * Read-only; may be called by `plan`, `run --dry-run`, `discover`. Retryable.
   * Also reports what exists but is not covered (as notes), e.g. containers no job includes.
   */
  discover(job: Job, ctx: PluginContext): Promise<Discovery>;

  /**
   * Decides the steps for one job from its discovery, the catalog and the clock. Read-only and,
   * given the same inputs, deterministic. Each step carries its reason and the exact command
   * with secrets masked. Throws only for problems that make the whole job unplannable; per-target
   * problems become failed-preflight notes or steps that will fail with a clear message.
   */
  plan(job: Job, discovery: Discovery, ctx: PluginContext): Promise<PlannedSteps>;

  /**
   * Executes one planned step. The only hook that may write (backups, files, blobs).
   * Must either complete fully and return `succeeded`, or throw / return `failed` leaving nothing
   * that looks complete. Not retried by the engine unless the thrown error is `retryable`.
   * Artifacts returned are recorded in the catalog by the executor after success.
   */
  execute(step: PlanStep, job: Job, ctx: ExecuteContext): Promise<StepOutcome>;

  /**
   * Removes one artifact this plugin produced whose `storage` is not a Storage manifest (e.g. `server`:
   * LiteSpeed files deleted through the SQL Server). Artifacts in a Storage target are removed by the
   * retention service through the storage contract, without this hook. Must be idempotent: removing what is
   * already gone succeeds (an interrupted cleanup is finished by the next run).
   */
  remove?(artifact: Artifact, job: Job, ctx: ExecuteContext): Promise<void>;

  /** Releases clients, pools and sockets. Called once when the command ends. Must not throw. */
  dispose?(): Promise<void>;
}

/**
 * Capabilities are documented readonly booleans (after kysely's dialect adapters).
 */
export interface PluginCapabilities {
  /** Can list targets (databases, containers) on a server/account. */
  readonly discover: boolean;
  /** Can take backups / exports. */
  readonly backup: boolean;
  /** Can plan and run restores of its own artifacts. */
  readonly restore: boolean;
  /** Produces artifacts that retention may remove (and tells retention how they chain). */
  readonly retention: boolean;
  /** Backup types it understands for `run --type` (e.g. `full`, `differential`, `log`, `filegroup`). */
  readonly backupTypes: readonly string[];
}

/**
 * A manifest kind a plugin handles. The engine validates `spec` with `schema` (zod, strict: unknown keys
 * are errors) and publishes it in `holdfast schema`.
 */
export interface KindDefinition {
  kind: string;
  /** One line for `holdfast schema` and --help. */
  description: string;
  schema: z.ZodType;
  /**
   * Names of other manifests the spec refers to, so that dangling references are validation errors.
   * `path` is the YAML path inside `spec` of the reference (for the error's line and column).
   */
  references?(spec: unknown): ManifestReference[];
  /**
   * Extra checks that need the whole configuration or the plugin's capabilities, e.g. "encryption level
   * without a key". Return problems; do not throw.
   */
  validate?(spec: unknown): SpecProblem[];
}

export interface ManifestReference {
  path: (string | number)[];
  kind: 'Storage' | 'Channel';
  name: string;
}

export interface SpecProblem {
  /** Path inside `spec`. */
  path: (string | number)[];
  message: string;
  /** What was found (printed), if helpful. */
  found?: unknown;
  /** What is allowed, in words. */
  allowed?: string;
}

/** What discover found for one job. */
export interface Discovery {
  /** Targets the job covers, e.g. `{ id: 'sql01/DW', ... }`; plugins may add fields in `details`. */
  targets: DiscoveredTarget[];
  /** Things a reviewer should see (uncovered containers, unreachable servers). */
  notes: PlanNote[];
}

export interface DiscoveredTarget {
  /** Stable id shown in plans and used in the catalog: `sql01/DW`, `cosno-orders/shop/orders`. */
  id: string;
  /** Plugin-specific facts (recovery model, filegroups, partition key...). Plain JSON. */
  details: Record<string, unknown>;
}

export interface PlannedSteps {
  steps: PlanStep[];
  notes: PlanNote[];
}

/** Per-run options from the command line that plugins may honour. */
export interface RunOptions {
  /** `holdfast run --type full|differential|log|filegroup`: force a backup type. */
  forceType?: string;
  dryRun: boolean;
}

/** Read-only services for discover and plan. */
export interface PluginContext {
  clock: Clock;
  logger: Logger;
  /** Resolves a secret reference from the job (env:, file:, Key Vault). Throws SECRET_UNRESOLVED. */
  resolveSecret(ref: SecretRef): Promise<Secret>;
  /** A Storage manifest's target by name (validated to exist). */
  storage(name: string): StorageTarget;
  /** The catalog, for reading. Planning must not write to it. */
  catalog: Pick<Catalog, 'listArtifacts' | 'getArtifact' | 'listRuns' | 'lastStep'>;
  /** All manifests loaded, for plugins that need other kinds. */
  manifests: readonly Manifest[];
  options: RunOptions;
  signal: AbortSignal;
}

/** Services for execute: the read-only ones plus progress and the run's identity. */
export interface ExecuteContext extends PluginContext {
  runId: string;
  /** Reports progress of the current step (rendered on a TTY, logged periodically as JSON). */
  progress(update: ProgressUpdate): void;
}

export interface ProgressUpdate {
  message?: string;
  /** 0..1 when known. */
  fraction?: number;
  metrics?: StepMetrics;
  /** Estimated seconds left, when known. */
  etaSeconds?: number;
}

export interface StepOutcome {
  status: 'succeeded' | 'failed';
  summary: string;
  metrics?: StepMetrics;
  /** Artifacts produced (recorded by the executor, with runId and stepId filled in). */
  artifacts?: Omit<ArtifactInput, 'runId' | 'stepId'>[];
  /** For failed outcomes that did not throw. */
  error?: Error;
}
