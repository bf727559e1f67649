import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A token bucket in request units, fed by what responses actually cost. The bucket holds at most one second's
 * worth; each response's `requestCharge` is taken out after the fact (a page's cost is unknown beforehand), so
 * the balance can go negative, and the next request waits until it is back above zero. All readers of one
 * container share one budget, so parallel feed ranges together stay under it.
 */
export class RequestUnitBudget {
  /** RU/s, or undefined for no pacing. */
  readonly ratePerSecond: number | undefined;
  readonly #now: () => number;
  #balance: number;
  #updatedAt: number;
  #waitedMs = 0;

  constructor(ratePerSecond: number | undefined, now: () => number = () => performance.now()) {
    this.ratePerSecond = ratePerSecond !== undefined && ratePerSecond > 0 ? ratePerSecond : undefined;
    this.#now = now;
    this.#balance = this.ratePerSecond ?? 0;
    this.#updatedAt = now();
  }

  /** Total time requests were held back, in ms. */
  get waitedMs(): number {
    return this.#waitedMs;
  }

  /** How long the next request must wait, in ms (0 when it may go now). */
  delayMs(): number {
    if (this.ratePerSecond === undefined) return 0;
    this.#refill();
    return this.#balance >= 0 ? 0 : Math.ceil((-this.#balance / this.ratePerSecond) * 1000);
  }

  /** Waits until a request may be sent. */
  async acquire(signal?: AbortSignal): Promise<void> {
    for (let delay = this.delayMs(); delay > 0; delay = this.delayMs()) {
      this.#waitedMs += delay;
      await sleep(delay, undefined, { signal });
    }
  }

  /** Takes a response's charge out of the bucket. */
  record(requestCharge: number): void {
    if (this.ratePerSecond === undefined || !Number.isFinite(requestCharge) || requestCharge <= 0) return;
    this.#refill();
    this.#balance -= requestCharge;
  }

  #refill(): void {
    const now = this.#now();
    const rate = this.ratePerSecond!;
    this.#balance = Math.min(rate, this.#balance + ((now - this.#updatedAt) / 1000) * rate);
    this.#updatedAt = now;
  }
}
