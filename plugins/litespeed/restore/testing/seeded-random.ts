/** A small deterministic PRNG (mulberry32) so that a seed always gives the same history. */
export class SeededRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number | undefined): boolean {
    return p !== undefined && p > 0 && this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** An upper-case GUID. */
  guid(): string {
    const hex = (n: number) =>
      Array.from({ length: n }, () => this.int(0, 15).toString(16))
        .join('')
        .toUpperCase();
    return `${hex(8)}-${hex(4)}-4${hex(3)}-${['8', '9', 'A', 'B'][this.int(0, 3)]}${hex(3)}-${hex(12)}`;
  }
}
