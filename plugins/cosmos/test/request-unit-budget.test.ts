import { describe, expect, it } from 'vitest';
import { RequestUnitBudget } from '../export/request-unit-budget.ts';

describe('RequestUnitBudget', () => {
  it('lets requests go while the bucket is positive and holds them until it refills after an expensive page', () => {
    let now = 0;
    const budget = new RequestUnitBudget(100, () => now);
    expect(budget.delayMs()).toBe(0);
    budget.record(250); // the bucket started with one second (100 RU): 150 RU in debt
    expect(budget.delayMs()).toBe(1500);
    now = 1000;
    expect(budget.delayMs()).toBe(500);
    now = 1600;
    expect(budget.delayMs()).toBe(0);
  });

  it('never stores more than one second of budget', () => {
    let now = 0;
    const budget = new RequestUnitBudget(50, () => now);
    now = 60_000;
    budget.record(120);
    expect(budget.delayMs()).toBe(1400);
  });

  it('paces a steady reader to the rate over time', async () => {
    const budget = new RequestUnitBudget(2000);
    const started = performance.now();
    for (let i = 0; i < 12; i++) {
      await budget.acquire();
      budget.record(500);
    }
    // The 12th request waits for the first 11 (5,500 RU) less the 2,000 RU head start, at 2,000 RU/s: 1.75 s.
    const seconds = (performance.now() - started) / 1000;
    expect(seconds).toBeGreaterThan(1.7);
    expect(seconds).toBeLessThan(2.5);
  });

  it('does not pace without a rate, and ignores charges then', () => {
    const budget = new RequestUnitBudget(undefined);
    budget.record(1e9);
    expect(budget.delayMs()).toBe(0);
    expect(budget.ratePerSecond).toBeUndefined();
  });
});
