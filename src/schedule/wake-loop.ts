import type { Clock } from '../core/clock.ts';

export interface WakeLoopOptions {
  clock: Clock;
  /** Never sleep longer than this, so a wall-clock jump is noticed within it. */
  maxSleepMs: number;
  /** Waking this much later (or earlier) than planned is reported as a stall or clock jump. */
  stallThresholdMs: number;
  /** When the next thing is due (undefined: nothing scheduled). */
  nextDueAt(): Date | undefined;
  onWake(): void;
  /** gapMs > 0: woke late (stall, pause, clock forward); < 0: the clock moved back. */
  onStall(gapMs: number): void;
}

/**
 * The scheduler's timer: sleeps until the next due time (timers run on a monotonic clock, the schedule on the
 * wall clock, hence the cap on a sleep), then calls onWake and sleeps again.
 */
export class WakeLoop {
  readonly #o: WakeLoopOptions;
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(options: WakeLoopOptions) {
    this.#o = options;
  }

  get running(): boolean {
    return this.#running;
  }

  start(): void {
    this.#running = true;
    this.rearm();
  }

  /** Plans the next wake-up again (the schedule changed). */
  rearm(): void {
    if (!this.#running) return;
    if (this.#timer) clearTimeout(this.#timer);
    const now = this.#o.clock.now().getTime();
    const next = this.#o.nextDueAt()?.getTime() ?? Number.POSITIVE_INFINITY;
    const delay = Math.max(0, Math.min(next - now, this.#o.maxSleepMs));
    const expected = now + delay;
    this.#timer = setTimeout(() => this.#wake(expected), delay);
  }

  stop(): void {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #wake(expected: number): void {
    this.#timer = undefined;
    const gap = this.#o.clock.now().getTime() - expected;
    if (Math.abs(gap) > this.#o.stallThresholdMs) this.#o.onStall(gap);
    try {
      this.#o.onWake();
    } finally {
      this.rearm();
    }
  }
}
