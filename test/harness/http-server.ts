import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';

/** A request as the receiver got it. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/** How the receiver answers one request. `hang`: never answer (until stop), to test timeouts. */
export interface Answer {
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  delayMs?: number;
  hang?: boolean;
}

export interface HttpReceiver {
  /** `http://127.0.0.1:<port><path>` */
  url(path: string): string;
  readonly port: number;
  /** Every request so far, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Requests to one path. */
  requestsTo(path: string): RecordedRequest[];
  /** The next requests to `path` get these answers, in order; after them, the path's default (200 `ok`). */
  answer(path: string, ...answers: Answer[]): void;
  /** The answer to `path` once its queue is empty. */
  setDefault(path: string, answer: Answer): void;
  /** Closes the server and every connection (hanging ones too). Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * A real HTTP server on a free loopback port that stands in for Teams Workflows, Slack and Logic App endpoints:
 * it records what it receives and answers as told (status codes, Retry-After, slowness, silence).
 */
export async function startHttpReceiver(): Promise<HttpReceiver> {
  const requests: RecordedRequest[] = [];
  const queues = new Map<string, Answer[]>();
  const defaults = new Map<string, Answer>();
  const hanging = new Set<ServerResponse>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const path = (req.url ?? '/').split('?')[0]!;
      requests.push({ method: req.method ?? '?', path: req.url ?? '/', headers: req.headers, body, json });
      const answer = queues.get(path)?.shift() ?? defaults.get(path) ?? { status: 200, body: 'ok' };
      if (answer.hang) {
        hanging.add(res);
        return;
      }
      const reply = () => {
        res.writeHead(answer.status ?? 200, { 'content-type': 'text/plain', ...answer.headers });
        res.end(answer.body ?? '');
      };
      if (answer.delayMs) setTimeout(reply, answer.delayMs);
      else reply();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  let stopped = false;

  return {
    port,
    requests,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    requestsTo: (path) => requests.filter((r) => r.path.split('?')[0] === path),
    answer: (path, ...answers) => queues.set(path, [...(queues.get(path) ?? []), ...answers]),
    setDefault: (path, answer) => defaults.set(path, answer),
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
