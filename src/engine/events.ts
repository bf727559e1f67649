import { EventEmitter } from 'node:events';
import type { PlanStep } from '../core/plan.ts';
import type { RunResult, StepResult } from '../core/result.ts';
import type { ProgressUpdate } from '../plugin/contract.ts';

/** Typed events of one run, for the terminal renderer, logs, metrics and notifications. */
export interface EngineEvents {
  'run:start': [{ runId: string; steps: number; jobs: string[] }];
  'step:start': [{ runId: string; step: PlanStep }];
  'step:progress': [{ runId: string; step: PlanStep; update: ProgressUpdate }];
  'step:end': [{ runId: string; step: PlanStep; result: StepResult }];
  'run:end': [{ result: RunResult }];
}

export class EngineEventBus extends EventEmitter<EngineEvents> {}
