import type { Container, FeedOptions, FeedResponse, QueryIterator } from '@azure/cosmos';
import { retryTransient } from '../retry-transient.ts';
import { withPageCapture } from '../transport/cosmos-http-client.ts';
import type { Release } from '../transport/release-buffer.ts';
import { PageCapture, pageLines, type FeedPage, type ReadOptions } from './feed-page.ts';

export const EXPORT_QUERY = 'SELECT * FROM c';

/**
 * Reads a whole container with one sequential `SELECT * FROM c`, from the start or from `token`, one page ahead
 * (the next page is on its way while this one is written). After a failure the query is reopened from the
 * token of the last page handed over.
 *
 * `queryControl` uses the SDK's `enableQueryControl`, whose continuation tokens resume cross-partition queries on
 * Azure; a gateway that serves no query plans (a local emulator) runs the query itself, with plain tokens.
 * Capture is only used without query control: the SDK then maps one response to one page.
 */
export async function readQuery(
  container: Container,
  start: { token?: string; queryControl: boolean },
  options: ReadOptions,
  onPage: (page: FeedPage) => Promise<void>,
): Promise<void> {
  let token = start.token;
  const capture = options.capture && !start.queryControl;
  const open = (): QueryIterator<unknown> => {
    const feed: FeedOptions = {
      maxItemCount: options.pageSize,
      continuationToken: token,
      abortSignal: options.signal,
    };
    if (start.queryControl) feed.enableQueryControl = true;
    return container.items.query(EXPORT_QUERY, feed);
  };
  let iterator = open();
  type Page = { response: FeedResponse<unknown>; lines: Buffer; documents: number; release?: Release };
  const fetchPage = async (): Promise<Page> => {
    await options.budget.acquire(options.signal);
    let pages = new PageCapture();
    const response = await retryTransient(
      async (attempt) => {
        if (attempt > 1) iterator = open();
        pages = new PageCapture();
        return capture ? withPageCapture(pages, () => iterator.fetchNext()) : iterator.fetchNext();
      },
      { ...options.retry, signal: options.signal },
    );
    options.budget.record(response.requestCharge);
    return { response, ...pageLines(pages, response.resources) };
  };

  let next: Promise<Page> | undefined = fetchPage();
  while (next) {
    const page: Page = await next;
    // A page without a token while more follow cannot be resumed from; the count check catches any repeat.
    token = page.response.continuationToken ?? token;
    next = page.response.hasMoreResults ? fetchPage() : undefined;
    next?.catch(() => undefined);
    await onPage({
      lines: page.lines,
      documents: page.documents,
      token,
      requestCharge: page.response.requestCharge,
      release: page.release,
    });
  }
}
