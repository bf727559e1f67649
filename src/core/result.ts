import type { HoldfastError } from './errors.ts';

export type StepStatus = 'succeeded' | 'failed' | 'not-executed';
export type RunStatus = 'succeeded' | 'failed' | 'partly-failed' | 'dry-run';

/** Numbers a step reports; all optional, all additive across steps. */
export interface StepMetrics {
  bytes?: number;
  documents?: number;
  requestCharge?: number;
  files?: number;
}

export interface StepResult {
  stepId: string;
  job: string;
  plugin: string;
  target: string;
  action: string;
  status: StepStatus;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  summary: string;
  metrics: StepMetrics;
  /** Catalog ids of artifacts the step created. */
  artifactIds: string[];
  error?: ReturnType<HoldfastError['toJSON']>;
  /** For not-executed steps: why (a dependency failed, cancelled, dry run). */
  skippedBecause?: string;
}

export interface RunResult {
  runId: string;
  status: RunStatus;
  startedAt: string;
  finishedAt: string;
  steps: StepResult[];
}
