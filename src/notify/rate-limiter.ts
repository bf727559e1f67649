/**
 * A token bucket: at most `perMinute` messages in any minute, refilled continuously (one token every
 * 60/perMinute seconds), starting full. Time comes from `now` (monotonic milliseconds) so tests can drive it.
 */
export class RateLimiter {
  readonly perMinute: number;
  readonly #now: () => number;
  #tokens: number;
  #at: number;

  constructor(perMinute: number, now: () => number = () => performance.now()) {
    this.perMinute = perMinute;
    this.#now = now;
    this.#tokens = perMinute;
    this.#at = now();
  }

  #refill(): void {
    const t = this.#now();
    this.#tokens = Math.min(this.perMinute, this.#tokens + ((t - this.#at) * this.perMinute) / 60_000);
    this.#at = t;
  }

  /** Whole messages that may go now. */
  available(): number {
    this.#refill();
    return Math.floor(this.#tokens);
  }

  /** Takes one token if there is one. */
  tryTake(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Milliseconds until one token is available (0 when one is). */
  msUntilNext(): number {
    this.#refill();
    return this.#tokens >= 1 ? 0 : Math.ceil(((1 - this.#tokens) * 60_000) / this.perMinute);
  }
}
