/**
 * A Plan is plain data: what a command will do, in order, with the reason for each step.
 * It is produced by the planner (which only reads) and consumed by the executor (the only place
 * where steps run). It serialises to JSON as is; it never holds a secret value.
 */

export interface PlanStep {
  /** Stable id, unique in the plan, e.g. `dw-partial/sql01/DW/partial`. Used in dependsOn and the catalog. */
  id: string;
  /** The job (manifest name) the step belongs to. */
  job: string;
  /** The plugin that executes the step (or `retention`, `core` for shared services). */
  plugin: string;
  /** What the step acts on, human readable: `sql01/DW`, `cosno-orders/shop/orders`. */
  target: string;
  /** Verb-noun action, e.g. `backup-partial`, `backup-filegroup`, `export-container`, `remove-artifact`. */
  action: string;
  /** The exact command it will run, with every secret shown as ********: T-SQL, a blob path, an HTTP call. */
  command: string;
  /** Why this step was chosen, in a sentence a DBA can review. */
  reason: string;
  /** Ids of steps that must succeed before this one starts. */
  dependsOn: string[];
  /**
   * Concurrency group and limit: the executor runs at most `limit` steps of one group at a time
   * (e.g. `{ group: 'sqlserver:sql01:1433', limit: 2 }`). Steps without one share only the global limit.
   */
  concurrency?: { group: string; limit: number };
  /**
   * Everything the plugin needs at execute time, as plain JSON (no secrets: the plugin resolves them
   * again from the job's references). The planner's decision is final: execute does not re-decide.
   */
  params: Record<string, unknown>;
}

export type PlanNoteLevel = 'info' | 'warning';

/** Something a reviewer should know that is not a step (e.g. a container no job covers). */
export interface PlanNote {
  level: PlanNoteLevel;
  plugin?: string;
  job?: string;
  message: string;
  /** Machine-readable detail, e.g. `{ uncovered: ['shop/orders'] }`. */
  details?: Record<string, unknown>;
}

/** One artifact's retention decision, shown in the plan before anything is removed. */
export interface RetentionEntry {
  job: string;
  artifactId: string;
  target: string;
  type: string;
  location: string;
  createdAt: string;
  decision: 'keep' | 'remove';
  reasons: string[];
}

export interface PlanJobSummary {
  name: string;
  kind: string;
  plugin: string;
  file: string;
  targets: string[];
}

/** A job that could not be discovered or planned; the rest of the plan stands. */
export interface PlanProblem {
  job: string;
  plugin: string;
  /** `discover` or `plan`. */
  hook: string;
  message: string;
  code: string;
}

export interface Plan {
  /** Version of this structure; bump on incompatible change. */
  formatVersion: 1;
  /** When the plan was made (the injected clock). */
  createdAt: string;
  /** The command that produced it: `plan`, `run`, `retention`. */
  command: string;
  jobs: PlanJobSummary[];
  steps: PlanStep[];
  notes: PlanNote[];
  retention: RetentionEntry[];
  /** Jobs that could not be planned. A plan with problems makes `plan`/`run` exit non-zero. */
  problems: PlanProblem[];
}

/** Checks the invariants every plan must satisfy (unique ids, known dependencies, no cycles). */
export function checkPlan(plan: Plan): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const s of plan.steps) {
    if (ids.has(s.id)) problems.push(`duplicate step id ${s.id}`);
    ids.add(s.id);
  }
  const seen = new Set<string>();
  for (const s of plan.steps) {
    for (const d of s.dependsOn) {
      if (!ids.has(d)) problems.push(`step ${s.id} depends on unknown step ${d}`);
      else if (!seen.has(d)) problems.push(`step ${s.id} depends on ${d}, which comes later in the plan`);
    }
    seen.add(s.id);
  }
  return problems;
}
