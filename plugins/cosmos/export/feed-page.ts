import type { RetryTransientOptions } from '../retry-transient.ts';
import { PageCapture } from '../transport/cosmos-http-client.ts';
import type { RequestUnitBudget } from './request-unit-budget.ts';

/** One page read from a feed range: its documents as JSON Lines, and where to continue after it. */
export interface FeedPage {
  /** One document per line, each line ending in a line break. */
  lines: Buffer;
  documents: number;
  /** Continuation after this page (undefined once a query is exhausted). */
  token?: string;
  requestCharge: number;
}

/** What every reader needs: page size, pacing, cancellation, the outer retry, and whether to capture raw pages. */
export interface ReadOptions {
  pageSize: number;
  budget: RequestUnitBudget;
  signal: AbortSignal;
  retry: RetryTransientOptions;
  /** Take documents as the server's bytes (transport capture) instead of re-serialising what the SDK parsed. */
  capture: boolean;
}

/** The documents of a page: the captured raw texts when there are any, else the parsed ones serialised. */
export function pageLines(
  capture: PageCapture,
  parsed: readonly unknown[],
): { lines: Buffer; documents: number } {
  if (capture.pages.length > 0 && !capture.unsplittable) {
    const { lines, count } = capture.lines();
    return { lines, documents: count };
  }
  if (parsed.length === 0) return { lines: Buffer.alloc(0), documents: 0 };
  let text = '';
  for (const d of parsed) text += `${JSON.stringify(d)}\n`;
  return { lines: Buffer.from(text), documents: parsed.length };
}

export { PageCapture };
