import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { WakeLoop } from '../../src/schedule/wake-loop.ts';

describe('wake loop', () => {
  it('wakes when something is due, and never sleeps longer than its cap', async () => {
    const clock = new ManualClock('2025-01-01T00:00:00Z');
    let wakes = 0;
    const loop = new WakeLoop({
      clock,
      maxSleepMs: 30,
      stallThresholdMs: 1000,
      nextDueAt: () => new Date('2030-01-01T00:00:00Z'),
      onWake: () => wakes++,
      onStall: () => undefined,
    });
    loop.start();
    await new Promise((r) => setTimeout(r, 200));
    loop.stop();
    const seen = wakes;
    expect(seen).toBeGreaterThanOrEqual(3);
    await new Promise((r) => setTimeout(r, 100));
    expect(wakes).toBe(seen); // stopped: no more wake-ups
  });

  it('reports a wake-up far from plan as a stall (forward) or a clock moved back', async () => {
    const clock = new ManualClock('2025-01-01T00:00:00Z');
    const gaps: number[] = [];
    let n = 0;
    const loop = new WakeLoop({
      clock,
      maxSleepMs: 20,
      stallThresholdMs: 60_000,
      nextDueAt: () => undefined,
      onWake: () => {
        n++;
        // While it sleeps (after it planned its next wake-up), the clock jumps: an hour on (a pause), then two back.
        if (n === 1) setImmediate(() => clock.advance(3_600_000));
        if (n === 2) setImmediate(() => clock.advance(-7_200_000));
      },
      onStall: (gap) => gaps.push(gap),
    });
    loop.start();
    while (n < 3) await new Promise((r) => setTimeout(r, 10));
    loop.stop();
    // It planned to wake 20 ms on (the cap); the manual clock only moved by the jumps.
    expect(gaps).toEqual([3_600_000 - 20, -7_200_000 - 20]);
  });
});
