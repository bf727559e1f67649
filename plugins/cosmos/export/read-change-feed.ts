import type {
  ChangeFeedIteratorResponse,
  ChangeFeedPullModelIterator,
  Container,
  FeedRange,
} from '@azure/cosmos';
import { retryTransient } from '../retry-transient.ts';
import { withPageCapture } from '../transport/cosmos-http-client.ts';
import { PageCapture, pageLines, type FeedPage, type ReadOptions } from './feed-page.ts';

/**
 * Reads one feed range through the change feed pull model (latest version) from the beginning, or from `token`,
 * until the range answers 304 (nothing newer). Each page goes to `onPage` before the next is asked for; after a
 * failure the iterator is rebuilt from the token of the last page handed over, so nothing is skipped or repeated.
 *
 * The change feed alone is never trusted: the caller counts what it wrote against the container.
 */
export async function readChangeFeedRange(
  container: Container,
  start: { token?: string; range?: FeedRange },
  options: ReadOptions,
  onPage: (page: FeedPage) => Promise<void>,
): Promise<void> {
  const { ChangeFeedStartFrom } = await import('@azure/cosmos');
  let token = start.token;
  const open = (): ChangeFeedPullModelIterator<unknown> =>
    container.items.getChangeFeedIterator({
      maxItemCount: options.pageSize,
      changeFeedStartFrom: token
        ? ChangeFeedStartFrom.Continuation(token)
        : ChangeFeedStartFrom.Beginning(start.range),
    });
  let iterator = open();
  for (;;) {
    await options.budget.acquire(options.signal);
    let capture = new PageCapture();
    const response: ChangeFeedIteratorResponse<unknown[]> = await retryTransient(
      async (attempt) => {
        if (attempt > 1) iterator = open();
        capture = new PageCapture();
        return options.capture ? withPageCapture(capture, () => iterator.readNext()) : iterator.readNext();
      },
      { ...options.retry, signal: options.signal },
    );
    options.budget.record(response.requestCharge);
    if (response.statusCode === 304) {
      if (response.requestCharge > 0)
        await onPage({ lines: Buffer.alloc(0), documents: 0, token, requestCharge: response.requestCharge });
      return;
    }
    token = response.continuationToken;
    await onPage({
      ...pageLines(capture, response.result ?? []),
      token,
      requestCharge: response.requestCharge,
    });
  }
}
