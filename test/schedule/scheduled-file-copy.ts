import { z } from 'zod';
import type { Job } from '../../src/core/job.ts';
import type { PlanStep } from '../../src/core/plan.ts';
import { ErrorCode, HoldfastError } from '../../src/core/errors.ts';
import { notifyRuleSchema } from '../../src/notify/schema.ts';
import type { ExecuteContext, ManifestReference, Plugin, StepOutcome } from '../../src/plugin/contract.ts';
import { cronScheduleSchema, rpoSchema, typedScheduleSchema } from '../../src/schedule/schedule-schema.ts';
import { fileCopyPlugin, fileCopySpecSchema } from '../fixtures/file-copy-plugin.ts';

/**
 * The FileCopy test plugin with the scheduling keys the real job kinds carry (schedule, rpo, notify, and a
 * server or account naming what a run loads), and a gate that can hold steps to test overlap, limits and shutdown.
 */
export const scheduledFileCopySchema = fileCopySpecSchema.extend({
  schedule: z.union([cronScheduleSchema, typedScheduleSchema(['full', 'differential', 'log'])]).optional(),
  rpo: rpoSchema.optional(),
  notify: z.array(notifyRuleSchema).optional(),
  server: z.strictObject({ host: z.string().min(1) }).optional(),
  account: z.strictObject({ endpoint: z.string().min(1) }).optional(),
});
type Spec = z.infer<typeof scheduledFileCopySchema>;

/** Holds steps while `holding`; counts how many run at once, overall and per server/account. */
export class StepGate {
  holding = false;
  /** A held step ignores the abort signal (a plugin that does not honour cancellation). */
  ignoreAbort = false;
  running = 0;
  maxRunning = 0;
  readonly started: string[] = [];
  readonly byKey = new Map<string, { now: number; max: number }>();
  #waiters: (() => void)[] = [];
  #changed: (() => void)[] = [];

  release(): void {
    this.holding = false;
    for (const w of this.#waiters.splice(0)) w();
  }

  /** Resolves once `predicate` holds (checked on every step start and end). */
  async until(predicate: (gate: StepGate) => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      if (Date.now() > deadline)
        throw new Error(`gate: condition not reached in ${timeoutMs} ms (running ${this.running})`);
      await new Promise<void>((r) => {
        this.#changed.push(r);
        setTimeout(r, 20);
      });
    }
  }

  async enter(step: PlanStep, key: string | undefined, signal: AbortSignal): Promise<void> {
    this.started.push(step.id);
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    if (key) {
      const k = this.byKey.get(key) ?? { now: 0, max: 0 };
      k.now++;
      k.max = Math.max(k.max, k.now);
      this.byKey.set(key, k);
    }
    this.#notify();
    if (!this.holding) return;
    await new Promise<void>((resolve, reject) => {
      this.#waiters.push(resolve);
      if (!this.ignoreAbort) {
        signal.addEventListener(
          'abort',
          () => reject(new HoldfastError(ErrorCode.Cancelled, 'cancelled while copying', { step: step.id })),
          { once: true },
        );
      }
    });
  }

  leave(key: string | undefined): void {
    this.running--;
    if (key) this.byKey.get(key)!.now--;
    this.#notify();
  }

  #notify(): void {
    for (const c of this.#changed.splice(0)) c();
  }
}

export function scheduledFileCopyPlugin(gate?: StepGate): Plugin {
  const base = fileCopyPlugin();
  const kind = base.kinds[0]!;
  return {
    ...base,
    kinds: [
      {
        ...kind,
        schema: scheduledFileCopySchema,
        references: (spec): ManifestReference[] => [
          { path: ['storage'], kind: 'Storage', name: (spec as Spec).storage },
          ...((spec as Spec).notify ?? []).map((n, i): ManifestReference => ({
            path: ['notify', i, 'channel'],
            kind: 'Channel',
            name: n.channel,
          })),
        ],
      },
    ],
    async execute(step: PlanStep, job: Job, ctx: ExecuteContext): Promise<StepOutcome> {
      const spec = job.spec as Spec;
      const key = spec.server
        ? spec.server.host.toLowerCase()
        : spec.account
          ? new URL(spec.account.endpoint).host
          : undefined;
      if (!gate) return base.execute(step, job, ctx);
      await gate.enter(step, key, ctx.signal).catch((err: unknown) => {
        gate.leave(key);
        throw err;
      });
      try {
        return await base.execute(step, job, ctx);
      } finally {
        gate.leave(key);
      }
    },
  };
}
