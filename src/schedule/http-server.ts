import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../core/logger.ts';

export interface Readiness {
  ready: boolean;
  /** Why not ready (or what was checked), one line each. */
  checks: Record<string, string>;
}

export interface HttpEndpoints {
  /** Liveness: answers while the process can serve HTTP at all. */
  health(): { ok: boolean; detail: Record<string, unknown> };
  /** Readiness: the configuration is loaded and the catalog is writable. */
  ready(): Readiness;
  metrics: Registry;
}

export interface HttpServerHandle {
  port: number;
  host: string;
  close(): Promise<void>;
}

/** `/healthz`, `/readyz` and `/metrics` on one small HTTP server. Anything else is 404; only GET and HEAD. */
export async function startHttpServer(
  endpoints: HttpEndpoints,
  options: { port: number; host: string; logger: Logger },
): Promise<HttpServerHandle> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      send(405, 'text/plain; charset=utf-8', 'method not allowed\n');
      return;
    }
    try {
      switch (url.pathname) {
        case '/healthz': {
          const h = endpoints.health();
          send(
            h.ok ? 200 : 503,
            'application/json',
            `${JSON.stringify({ status: h.ok ? 'ok' : 'unhealthy', ...h.detail })}\n`,
          );
          return;
        }
        case '/readyz': {
          const r = endpoints.ready();
          send(
            r.ready ? 200 : 503,
            'application/json',
            `${JSON.stringify({ status: r.ready ? 'ready' : 'not ready', checks: r.checks })}\n`,
          );
          return;
        }
        case '/metrics':
          endpoints.metrics.metrics().then(
            (text) => send(200, endpoints.metrics.contentType, text),
            (err: unknown) => {
              options.logger.error({ err }, `metrics collection failed: ${String(err)}`);
              send(500, 'text/plain; charset=utf-8', 'metrics collection failed\n');
            },
          );
          return;
        default:
          send(404, 'text/plain; charset=utf-8', 'not found: try /healthz, /readyz or /metrics\n');
      }
    } catch (err) {
      options.logger.error({ err, path: url.pathname }, `HTTP ${url.pathname} failed: ${String(err)}`);
      send(500, 'text/plain; charset=utf-8', 'internal error\n');
    }
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    port: address.port,
    host: address.address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
