import { EventEmitter } from 'node:events';
import type { RunResult, StepResult } from '../core/result.ts';

/** How a run came to start: its cron fired, or it makes up for a fire time missed during downtime. */
export type RunTrigger = 'schedule' | 'catch-up';

/** Why a fire did not start a run. */
export type SkipReason = 'overlap' | 'locked' | 'superseded' | 'stopping';

export interface MissedEvent {
  job: string;
  type?: string;
  /** The newest fire time that passed without a run. */
  fireAt: Date;
  /** How many fire times passed without a run. */
  count: number;
  lastRunAt?: Date;
  /** `start`: found when the service started; `pause`: the process was paused, stalled or the clock jumped. */
  detectedAt: 'start' | 'pause';
  /** Channels whose notify rule asks for `missed`. */
  channels: string[];
  /** A catch-up run was started for it. */
  catchUp: boolean;
}

/** Typed events of the scheduler, for logs, metrics and notifications. */
export interface SchedulerEvents {
  fire: [{ job: string; type?: string; trigger: RunTrigger; fireAt: Date }];
  skipped: [{ job: string; type?: string; reason: SkipReason; message: string }];
  missed: [MissedEvent];
  'run:start': [{ job: string; type?: string; runId: string; trigger: RunTrigger }];
  'step:end': [{ job: string; runId: string; result: StepResult }];
  'run:end': [
    {
      job: string;
      type?: string;
      trigger: RunTrigger;
      result?: RunResult;
      /** Retention cleanup after the backup failed: counted as partly failed. */
      cleanupFailed?: boolean;
      error?: Record<string, unknown>;
      durationMs: number;
    },
  ];
  stall: [{ gapMs: number; direction: 'forward' | 'backward' }];
}

export class SchedulerEventBus extends EventEmitter<SchedulerEvents> {}
