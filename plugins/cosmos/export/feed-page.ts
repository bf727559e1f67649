import type { RetryTransientOptions } from '../retry-transient.ts';
import { PageCapture } from '../transport/cosmos-http-client.ts';
import { releaseBuffer, type Release } from '../transport/release-buffer.ts';
import type { RequestUnitBudget } from './request-unit-budget.ts';

/** One page read from a feed range: its documents as JSON Lines, and where to continue after it. */
export interface FeedPage {
  /** One document per line, each line ending in a line break. */
  lines: Buffer;
  documents: number;
  /** Continuation after this page (undefined once a query is exhausted). */
  token?: string;
  requestCharge: number;
  /** Frees the memory behind `lines`; the writer calls it once they are compressed and written. */
  release?: Release;
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
): { lines: Buffer; documents: number; release?: Release } {
  if (capture.pages.length > 0 && !capture.unsplittable) {
    const { lines, count, release } = capture.lines();
    return { lines, documents: count, release };
  }
  for (const p of capture.pages) p.release?.();
  if (parsed.length === 0) return { lines: Buffer.alloc(0), documents: 0 };
  let text = '';
  for (const d of parsed) text += `${JSON.stringify(d)}\n`;
  const lines = Buffer.from(text);
  return { lines, documents: parsed.length, release: () => releaseBuffer(lines) };
}

export { PageCapture };
