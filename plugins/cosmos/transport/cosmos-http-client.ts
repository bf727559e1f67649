import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import type { CosmosClientOptions } from '@azure/cosmos';
import { splitDocuments, type PageLines } from './split-documents.ts';

type HttpClient = NonNullable<CosmosClientOptions['httpClient']>;
type PipelineRequest = Parameters<HttpClient['sendRequest']>[0];
type PipelineResponse = Awaited<ReturnType<HttpClient['sendRequest']>>;
type HttpHeaders = PipelineResponse['headers'];

/** The feed pages a read received while a capture was active, as JSON Lines of the documents' own bytes. */
export class PageCapture {
  readonly pages: PageLines[] = [];
  /** Set when a feed response could not be split (the caller then uses the documents the SDK parsed). */
  unsplittable = false;

  /** Every captured document, one per line. */
  lines(): PageLines {
    if (this.pages.length === 1) return this.pages[0]!;
    return {
      lines: Buffer.concat(this.pages.map((p) => p.lines)),
      count: this.pages.reduce((n, p) => n + p.count, 0),
    };
  }
}

const captureScope = new AsyncLocalStorage<PageCapture>();

/**
 * Runs `read` (one SDK call that reads a document feed: a change-feed `readNext` or a query `fetchNext`) with
 * page capture on: every document-feed page it receives is kept in `capture` as raw documents, and the SDK is
 * handed the page without its documents, so it does not parse them. Only for readers that take the documents
 * from `capture` and whose SDK call maps one response to one page (change feed, gateway-served queries).
 */
export function withPageCapture<T>(capture: PageCapture, read: () => Promise<T>): Promise<T> {
  return captureScope.run(capture, read);
}

export interface CosmosHttpClient extends HttpClient {
  /** Closes idle keep-alive sockets. */
  destroy(): void;
}

/**
 * The HTTP transport holdfast gives the Cosmos SDK (its documented `httpClient` option): node:http(s) with
 * keep-alive agents, plus page capture for exports (see {@link withPageCapture}). Network errors are passed on
 * with their system codes (ECONNRESET, EPIPE, ...) so the SDK's connection retry policy recognises them.
 */
export function createCosmosHttpClient(options: { maxSockets?: number } = {}): CosmosHttpClient {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 32 };
  const agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  return {
    sendRequest: (request) => send(request, agents),
    destroy() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

function send(
  request: PipelineRequest,
  agents: { http: http.Agent; https: https.Agent },
): Promise<PipelineResponse> {
  return new Promise((resolve, reject) => {
    const url = new URL(request.url);
    const isHttps = url.protocol === 'https:';
    if (request.abortSignal?.aborted) return reject(abortError());
    const headers = request.headers.toJSON({ preserveCase: true });
    const body = typeof request.body === 'string' || Buffer.isBuffer(request.body) ? request.body : undefined;
    if (request.body !== undefined && request.body !== null && body === undefined)
      return reject(new Error('cosmos transport: only string and Buffer bodies are supported'));
    if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
    const req = (isHttps ? https : http).request(url, {
      method: request.method,
      headers,
      agent: isHttps ? agents.https : agents.http,
    });
    const onAbort = () => req.destroy(abortError());
    request.abortSignal?.addEventListener('abort', onAbort, { once: true });
    const done = () => request.abortSignal?.removeEventListener('abort', onAbort);
    req.on('error', (err) => {
      done();
      reject(err);
    });
    req.on('response', (res) => {
      const encoding = String(res.headers['content-encoding'] ?? '').toLowerCase();
      const stream =
        encoding === 'gzip'
          ? res.pipe(zlib.createGunzip())
          : encoding === 'deflate'
            ? res.pipe(zlib.createInflate())
            : encoding === 'br'
              ? res.pipe(zlib.createBrotliDecompress())
              : res;
      const body = new BodyCollector(encoding === '' ? Number(res.headers['content-length']) : NaN);
      stream.on('data', (c: Buffer) => body.add(c));
      stream.on('error', (err) => {
        done();
        reject(err);
      });
      res.on('close', () => {
        if (res.complete) return;
        done();
        reject(
          Object.assign(new Error('the connection closed before the response was complete'), {
            code: 'ECONNRESET',
          }),
        );
      });
      stream.on('end', () => {
        done();
        const raw = body.take();
        const responseHeaders = new SimpleHeaders(res.headers);
        const status = res.statusCode ?? 0;
        resolve({ request, status, headers: responseHeaders, bodyAsText: bodyForSdk(request, status, raw) });
      });
    });
    req.end(body);
  });
}

/** The text the SDK parses: the body itself, or for a captured feed page the page without its documents. */
function bodyForSdk(request: PipelineRequest, status: number, raw: Buffer): string {
  const capture = captureScope.getStore();
  if (!capture || status !== 200 || !isDocumentFeed(request)) return raw.toString('utf8');
  const page = splitDocuments(raw);
  if (!page) {
    capture.unsplittable = true;
    return raw.toString('utf8');
  }
  capture.pages.push(page);
  return `{"Documents":[],"_count":${page.count}}`;
}

function isDocumentFeed(request: PipelineRequest): boolean {
  if (!/\/docs\/?$/.test(new URL(request.url).pathname)) return false;
  const h = request.headers;
  if (request.method === 'GET') return h.has('a-im');
  return (
    request.method === 'POST' &&
    /^true$/i.test(h.get('x-ms-documentdb-isquery') ?? '') &&
    !/^true$/i.test(h.get('x-ms-cosmos-is-query-plan-request') ?? '')
  );
}

/** Gathers a response body; with a known length into one buffer allocated up front (pages are large). */
class BodyCollector {
  #chunks: Buffer[] = [];
  #whole?: Buffer;
  #length = 0;

  constructor(expected: number) {
    if (Number.isSafeInteger(expected) && expected > 0) this.#whole = Buffer.allocUnsafe(expected);
  }
  add(chunk: Buffer): void {
    if (this.#whole && this.#length + chunk.length <= this.#whole.length)
      chunk.copy(this.#whole, this.#length);
    else {
      if (this.#whole) this.#chunks.push(this.#whole.subarray(0, this.#length));
      this.#whole = undefined;
      this.#chunks.push(chunk);
    }
    this.#length += chunk.length;
  }
  take(): Buffer {
    return this.#whole ? this.#whole.subarray(0, this.#length) : Buffer.concat(this.#chunks);
  }
}

function abortError(): Error {
  const err = new Error('The operation was aborted.');
  err.name = 'AbortError';
  return err;
}

/** The HttpHeaders the SDK reads from a response (lower-case names). */
class SimpleHeaders implements HttpHeaders {
  readonly #map = new Map<string, string>();

  constructor(raw: http.IncomingHttpHeaders) {
    for (const [name, value] of Object.entries(raw)) {
      if (value !== undefined)
        this.#map.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : value);
    }
  }
  get(name: string): string | undefined {
    return this.#map.get(name.toLowerCase());
  }
  has(name: string): boolean {
    return this.#map.has(name.toLowerCase());
  }
  set(name: string, value: string | number | boolean): void {
    this.#map.set(name.toLowerCase(), String(value));
  }
  delete(name: string): void {
    this.#map.delete(name.toLowerCase());
  }
  toJSON(): Record<string, string> {
    return Object.fromEntries(this.#map);
  }
  [Symbol.iterator](): Iterator<[string, string]> {
    return this.#map.entries();
  }
}
