import type { RetryTransientOptions } from '../retry-transient.ts';
import { PageCapture } from '../transport/cosmos-http-client.ts';
import type { RequestUnitBudget } from './request-unit-budget.ts';

/** One page read from a feed range: its documents as JSON texts, and where to continue after it. */
export interface FeedPage {
  documents: Buffer[];
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
export function pageDocuments(capture: PageCapture, parsed: readonly unknown[]): Buffer[] {
  if (capture.pages.length > 0 && !capture.unsplittable) return capture.documents();
  return parsed.map((d) => Buffer.from(JSON.stringify(d)));
}

export { PageCapture };
