import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does with one request. */
export type FaultAction =
  | { type: 'pass' }
  /** Answer with this status without asking the server (429 carries Cosmos's retry-after and substatus 3200). */
  | { type: 'status'; status: number; retryAfterMs?: number }
  /** Close the connection without answering. */
  | { type: 'drop' }
  /** Forward, send the status line and half the body, then close the connection. */
  | { type: 'cut' }
  /** Forward after a pause. */
  | { type: 'delay'; ms: number };

export interface ProxiedRequest {
  method: string;
  /** Path with query, as received (URL-encoded). */
  path: string;
  headers: http.IncomingHttpHeaders;
  /** 0-based number of this request among all the proxy received. */
  index: number;
}

export interface FaultProxyOptions {
  /** Decides per request (default: pass everything). */
  schedule?: (request: ProxiedRequest) => FaultAction;
  /**
   * Checks each request's key signature the way Cosmos DB does (HMAC-SHA256 of verb, resource type, resource
   * link and date with the base64 account key) and answers 401 when it does not match.
   */
  requireKey?: string;
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: give this to the client instead of the server's endpoint. */
  endpoint: string;
  /** Requests received, and faults injected by type (`429`, `503`, `drop`, `cut`, `401`...). */
  stats: { requests: number; faults: Record<string, number> };
  setSchedule(schedule: FaultProxyOptions['schedule']): void;
  stop(): Promise<void>;
}

/**
 * A real HTTP proxy between the Cosmos SDK and a server, that answers 429 with retry-after, 503, drops or cuts
 * connections, delays, or refuses a wrong key, on a schedule the test decides.
 */
export async function startFaultProxy(
  upstream: string,
  options: FaultProxyOptions = {},
): Promise<FaultProxy> {
  const target = new URL(upstream);
  const passAll = (): FaultAction => ({ type: 'pass' });
  let schedule: (request: ProxiedRequest) => FaultAction = options.schedule ?? passAll;
  const stats = { requests: 0, faults: {} as Record<string, number> };
  const count = (what: string) => (stats.faults[what] = (stats.faults[what] ?? 0) + 1);
  const agent = new http.Agent({ keepAlive: false });

  const server = http.createServer((req, res) => {
    const request: ProxiedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      index: stats.requests++,
    };
    if (options.requireKey && !signatureMatches(request, options.requireKey)) {
      count('401');
      return sendCosmosError(
        res,
        401,
        'Unauthorized',
        "The input authorization token can't serve the request. The wrong key is being used.",
      );
    }
    const action = schedule(request);
    if (action.type === 'status') {
      count(String(action.status));
      req.resume();
      const extra: Record<string, string> =
        action.status === 429
          ? { 'x-ms-retry-after-ms': String(action.retryAfterMs ?? 10), 'x-ms-substatus': '3200' }
          : {};
      return sendCosmosError(
        res,
        action.status,
        action.status === 429 ? 'TooManyRequests' : 'ServiceUnavailable',
        action.status === 429 ? 'Request rate is large.' : 'Service is unavailable.',
        extra,
      );
    }
    if (action.type === 'drop') {
      count('drop');
      req.socket.destroy();
      return;
    }
    const forward = () => {
      const upstreamReq = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: target.host },
          agent,
        },
        (up) => {
          if (action.type === 'cut') {
            count('cut');
            const chunks: Buffer[] = [];
            up.on('data', (c: Buffer) => chunks.push(c));
            up.on('end', () => {
              const body = Buffer.concat(chunks);
              res.writeHead(up.statusCode ?? 200, { ...up.headers, 'content-length': String(body.length) });
              res.write(body.subarray(0, Math.floor(body.length / 2)));
              setImmediate(() => res.socket?.destroy());
            });
            return;
          }
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstreamReq.on('error', () => res.socket?.destroy());
      req.pipe(upstreamReq);
    };
    if (action.type === 'delay') {
      count('delay');
      setTimeout(forward, action.ms);
    } else {
      forward();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    setSchedule(next) {
      schedule = next ?? passAll;
    },
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        agent.destroy();
        server.close(() => resolve());
      });
      return stopped;
    },
  };
}

function sendCosmosError(
  res: http.ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({ code, message });
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-ms-activity-id': crypto.randomUUID(),
    'x-ms-request-charge': '0',
    ...headers,
  });
  res.end(body);
}

/** Recomputes the master-key signature the SDK sends (type=master&ver=1.0&sig=...) and compares. */
function signatureMatches(request: ProxiedRequest, key: string): boolean {
  const auth = request.headers.authorization;
  const date = request.headers['x-ms-date'];
  if (typeof auth !== 'string' || typeof date !== 'string') return false;
  const sig = /sig=([^&]+)/.exec(decodeURIComponent(auth))?.[1];
  const segments = decodeURIComponent(new URL(request.path, 'http://x').pathname)
    .replace(/^\/+|\/+$/g, '')
    .split('/')
    .filter((s) => s !== '');
  let resourceType = '';
  let resourceId = '';
  if (segments.length > 0) {
    if (segments.length % 2 === 1) {
      resourceType = segments.at(-1)!;
      resourceId = segments.slice(0, -1).join('/');
    } else {
      resourceType = segments.at(-2)!;
      resourceId = segments.join('/');
    }
  }
  if (resourceType === 'offers') resourceId = resourceId.toLowerCase();
  const text = `${request.method.toLowerCase()}\n${resourceType.toLowerCase()}\n${resourceId}\n${date.toLowerCase()}\n\n`;
  const expected = createHmac('sha256', Buffer.from(key, 'base64')).update(text).digest('base64');
  return sig === expected;
}
