import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import zlib from 'node:zlib';
import type { CosmosClientOptions } from '@azure/cosmos';
import { BufferPool } from './buffer-pool.ts';
import { releaseBuffer } from './release-buffer.ts';
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

  /** Every captured document, one per line (with the release of the buffers that hold them). */
  lines(): PageLines {
    if (this.pages.length === 1) return this.pages[0]!;
    const lines = Buffer.concat(this.pages.map((p) => p.lines));
    for (const p of this.pages) p.release?.();
    return { lines, count: this.pages.reduce((n, p) => n + p.count, 0), release: () => releaseBuffer(lines) };
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
  // Response bodies of 64 KiB and more: pages in flight (one per parallel reader, a few waiting to be written).
  const bodies = new BufferPool({ maxIdleBytes: 16 * 1024 * 1024 });
  return {
    sendRequest: (request) => send(request, agents, bodies),
    destroy() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

function send(
  request: PipelineRequest,
  agents: { http: http.Agent; https: https.Agent },
  bodies: BufferPool,
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
    req.on('socket', (socket) => releaseSocketReads(socket, req));
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
      // Unencoded, this handler is the only reader of the parser's chunks, so each is released once copied.
      const body = new BodyCollector(
        encoding === '' ? Number(res.headers['content-length']) : NaN,
        stream === res,
        bodies,
      );
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
        const bodyAsText = bodyForSdk(request, status, raw, () => body.recycle());
        resolve({ request, status, headers: responseHeaders, bodyAsText });
      });
    });
    req.end(body);
  });
}

/**
 * The text the SDK parses: the body itself, or for a captured feed page the page without its documents. The
 * body buffer is recycled here unless a captured page keeps it (then the page's release recycles it once
 * written).
 */
function bodyForSdk(request: PipelineRequest, status: number, raw: Buffer, recycle: () => void): string {
  const capture = captureScope.getStore();
  const page = capture && status === 200 && isDocumentFeed(request) ? splitDocuments(raw) : undefined;
  if (capture && page) {
    capture.pages.push({
      ...page,
      release: () => {
        if (page.lines.buffer !== raw.buffer) releaseBuffer(page.lines);
        recycle();
      },
    });
    return `{"Documents":[],"_count":${page.count}}`;
  }
  if (capture && status === 200 && isDocumentFeed(request)) capture.unsplittable = true;
  const text = raw.toString('utf8');
  recycle();
  return text;
}

/**
 * Releases each buffer Node reads from `socket` for this request once the HTTP parser has read it: Node's own
 * 'data' listener (added before the 'socket' event) parses a chunk synchronously and keeps nothing of it (it
 * copies the body), so by the time this listener runs the chunk is dead. Only whole read buffers are released,
 * only while a listener runs before this one, and the listener goes with the response's end (before Node hands
 * the socket to the next request) or the request's close.
 */
function releaseSocketReads(socket: Socket, req: http.ClientRequest): void {
  const release = (chunk: Buffer) => {
    // Not after a parse error (Node keeps the chunk on the error and destroys the socket).
    if (!socket.destroyed && socket.listeners('data')[0] !== release) releaseBuffer(chunk);
  };
  const stop = () => socket.removeListener('data', release);
  socket.on('data', release);
  req.once('close', stop);
  req.once('response', (res: http.IncomingMessage) => res.once('end', stop));
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

/**
 * Gathers a response body; with a known length into one buffer taken up front (pages are large): from `pool`
 * from 64 KiB on, else a buffer of its own (never cut from Node's shared pool) so that it can be released. With
 * `releaseChunks`, each chunk copied into it is released at once (the caller is the only reader of the chunks).
 */
class BodyCollector {
  #chunks: Buffer[] = [];
  #whole?: Buffer;
  #length = 0;
  #taken?: Buffer;
  readonly #releaseChunks: boolean;
  readonly #pool: BufferPool;
  readonly #pooled: boolean;

  constructor(expected: number, releaseChunks: boolean, pool: BufferPool) {
    this.#pool = pool;
    this.#pooled = Number.isSafeInteger(expected) && expected >= 64 * 1024;
    if (this.#pooled) this.#whole = pool.take(expected);
    else if (Number.isSafeInteger(expected) && expected > 0) this.#whole = Buffer.allocUnsafeSlow(expected);
    this.#releaseChunks = releaseChunks;
  }
  add(chunk: Buffer): void {
    const length = chunk.length;
    if (this.#whole && this.#length + length <= this.#whole.length) {
      chunk.copy(this.#whole, this.#length);
      if (this.#releaseChunks) releaseBuffer(chunk);
    } else {
      if (this.#whole) this.#chunks.push(this.#whole.subarray(0, this.#length));
      this.#whole = undefined;
      this.#chunks.push(chunk);
    }
    this.#length += length;
  }
  take(): Buffer {
    this.#taken = this.#whole ? this.#whole.subarray(0, this.#length) : Buffer.concat(this.#chunks);
    return this.#taken;
  }
  /** Gives the body's memory back once nothing reads it: to the pool it came from, or freed. */
  recycle(): void {
    if (this.#whole && this.#pooled) this.#pool.give(this.#whole);
    else if (this.#taken) releaseBuffer(this.#taken);
    this.#whole = undefined;
    this.#taken = undefined;
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
