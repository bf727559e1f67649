import type { Secret } from '../core/secret.ts';
import { DeliveryError, networkErrorCode, timedOut, type NotifyChannel } from './channel.ts';
import type { RenderedMessage } from './render-message.ts';

/** Seconds or an HTTP date in Retry-After, as milliseconds (capped at 5 minutes). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now;
  return Number.isFinite(ms) && ms >= 0 ? Math.min(ms, 300_000) : undefined;
}

/**
 * Teams Workflows, Slack incoming webhooks and generic webhooks (Logic App HTTP triggers) all take one JSON POST;
 * only the payload differs (the templates make it). Teams and Logic Apps answer 202 Accepted, Slack 200 `ok`.
 * Redirects are refused (the payload is not sent anywhere the URL did not name).
 */
export class HttpJsonChannel implements NotifyChannel {
  readonly name: string;
  readonly type: 'teams-workflow' | 'slack' | 'webhook';
  readonly #url: Secret;
  readonly #headers: Record<string, Secret>;

  constructor(
    name: string,
    type: HttpJsonChannel['type'],
    url: Secret,
    headers: Record<string, Secret> = {},
  ) {
    this.name = name;
    this.type = type;
    this.#url = url;
    this.#headers = headers;
  }

  async send(message: RenderedMessage, signal: AbortSignal): Promise<void> {
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'holdfast',
    };
    for (const [k, v] of Object.entries(this.#headers)) headers[k] = v.reveal();
    let res: Response;
    try {
      res = await fetch(this.#url.reveal(), {
        method: 'POST',
        headers,
        body: message.body,
        signal,
        redirect: 'manual',
      });
    } catch (err) {
      if (timedOut(signal)) throw new DeliveryError('no answer before the timeout', { retryable: true });
      if (signal.aborted) throw new DeliveryError('cancelled', { retryable: false });
      throw new DeliveryError(`network error (${networkErrorCode(err)})`, { retryable: true });
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      if (timedOut(signal))
        throw new DeliveryError(`HTTP ${res.status}, then no complete answer before the timeout`, {
          retryable: true,
        });
      throw new DeliveryError(`HTTP ${res.status}, then the connection failed (${networkErrorCode(err)})`, {
        retryable: true,
      });
    }
    // Slack answers 200 with "ok"; anything else in a 200 from Slack is an error message.
    if (
      res.status >= 200 &&
      res.status < 300 &&
      !(this.type === 'slack' && res.status === 200 && text.trim() !== '' && text.trim() !== 'ok')
    )
      return;
    const excerpt = text.trim().replace(/\s+/g, ' ').slice(0, 200);
    const status = res.status;
    const retryable = status >= 500 || status === 429 || status === 408;
    const what =
      status >= 300 && status < 400
        ? `HTTP ${status}: redirect refused`
        : `HTTP ${status}${excerpt ? `: ${excerpt}` : ''}`;
    throw new DeliveryError(what, {
      retryable,
      status,
      retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
    });
  }
}
