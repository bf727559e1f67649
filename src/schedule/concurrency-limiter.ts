/**
 * Limits how many runs hold a key at once: a global limit over every run, and per-key limits (one SQL Server,
 * one Cosmos account). A waiter starts as soon as all its keys have room; waiters are served in arrival order,
 * but one waiting for a busy server never holds up one for an idle server.
 */
export interface LimiterOptions {
  /** Runs at once over the whole service. */
  global: number;
  /** Limit for a key by its prefix (`sqlserver`, `cosmos`); keys with an unknown prefix only count globally. */
  perKind: Readonly<Record<string, number>>;
}

interface Waiter {
  keys: readonly string[];
  label: string;
  grant: (release: () => void) => void;
  refuse: (reason: Error) => void;
}

export class ConcurrencyLimiter {
  readonly #options: LimiterOptions;
  readonly #held = new Map<string, number>();
  #running = 0;
  readonly #queue: Waiter[] = [];

  constructor(options: LimiterOptions) {
    this.#options = { global: Math.max(1, options.global), perKind: options.perKind };
  }

  /** Resolves with a release function once there is room for all `keys`; rejects if the queue is cleared. */
  acquire(keys: readonly string[], label = ''): Promise<() => void> {
    return new Promise((grant, refuse) => {
      this.#queue.push({ keys, label, grant, refuse });
      this.#drain();
    });
  }

  /** Refuses every waiter (shutdown). Holders keep their slots until they release them. */
  clear(reason: Error): string[] {
    const dropped = this.#queue.splice(0);
    for (const w of dropped) w.refuse(reason);
    return dropped.map((w) => w.label);
  }

  /** Runs holding slots, waiters, and slots held per key (for logs and metrics). */
  stats(): { running: number; waiting: number; held: Record<string, number> } {
    return { running: this.#running, waiting: this.#queue.length, held: Object.fromEntries(this.#held) };
  }

  #limit(key: string): number {
    const kind = key.slice(0, key.indexOf(':'));
    return this.#options.perKind[kind] ?? Number.POSITIVE_INFINITY;
  }

  #fits(keys: readonly string[]): boolean {
    return (
      this.#running < this.#options.global && keys.every((k) => (this.#held.get(k) ?? 0) < this.#limit(k))
    );
  }

  #drain(): void {
    for (let i = 0; i < this.#queue.length && this.#running < this.#options.global; i++) {
      const w = this.#queue[i]!;
      if (!this.#fits(w.keys)) continue;
      this.#queue.splice(i--, 1);
      this.#running++;
      for (const k of w.keys) this.#held.set(k, (this.#held.get(k) ?? 0) + 1);
      let released = false;
      w.grant(() => {
        if (released) return;
        released = true;
        this.#running--;
        for (const k of w.keys) {
          const n = (this.#held.get(k) ?? 1) - 1;
          if (n === 0) this.#held.delete(k);
          else this.#held.set(k, n);
        }
        this.#drain();
      });
    }
  }
}
