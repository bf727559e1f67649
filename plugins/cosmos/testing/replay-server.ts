import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small HTTP server that speaks enough of the Cosmos DB REST API for the SDK to list, read and export
 * containers of any size at line speed: account, databases, containers, partition key ranges (several, so feed
 * ranges are read in parallel), the change feed per range (with ETag continuations and 304 at the end), queries
 * (served by the gateway like the npm emulator, or per range after a query plan), and COUNT.
 *
 * Documents are replayed from recorded ones (real server output): document `i` of a container is recorded
 * document `i % n` with its id replaced, so the cost of a page does not grow with the container. For benchmarks
 * (the npm emulator's query engine is quadratic) and for tests that need several feed ranges. Not a database:
 * it holds no writes.
 */
export interface ReplayContainer {
  database: string;
  id: string;
  documents: number;
  /** Partition key ranges (feed ranges), default 4. */
  ranges?: number;
}

export interface ReplayServerOptions {
  /** Recorded documents (JSON texts, each with an `"id":"..."` property), replayed in turn. */
  recorded: readonly string[];
  containers: readonly ReplayContainer[];
  /** Request charge per KB returned (default 1, like a scan on Azure). */
  requestUnitsPerKb?: number;
  /** Keep each page once rendered, so repeated reads cost the server only the write (benchmarks; default false). */
  cachePages?: boolean;
}

export interface ReplayServer {
  endpoint: string;
  /** Requests served, by kind. */
  stats: Record<string, number>;
  stop(): Promise<void>;
}

interface Template {
  before: string;
  after: string;
}

export async function startReplayServer(options: ReplayServerOptions): Promise<ReplayServer> {
  const templates = options.recorded.map(toTemplate);
  if (templates.length === 0) throw new Error('replay server: no recorded documents');
  const ruPerKb = options.requestUnitsPerKb ?? 1;
  const stats: Record<string, number> = {};
  const count = (what: string) => (stats[what] = (stats[what] ?? 0) + 1);
  let endpoint = '';

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        route(req, res, Buffer.concat(chunks).toString('utf8'));
      } catch (err) {
        send(res, 500, { code: 'InternalServerError', message: (err as Error).message });
      }
    });
  });

  const route = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const method = req.method ?? 'GET';
    if (parts.length === 0) return (count('account'), send(res, 200, account(endpoint)));
    if (parts[0] !== 'dbs') return send(res, 400, { message: 'no route' });
    const databases = [...new Set(options.containers.map((c) => c.database))];
    if (parts.length === 1)
      return (
        count('databases'),
        send(res, 200, {
          _rid: '',
          Databases: databases.map((id) => resource(id, `dbs/${id}`)),
          _count: databases.length,
        })
      );
    const db = parts[1]!;
    if (!databases.includes(db)) return send(res, 404, { code: 'NotFound', message: `database ${db}` });
    if (parts.length === 2) return send(res, 200, resource(db, `dbs/${db}`));
    const inDb = options.containers.filter((c) => c.database === db);
    if (parts.length === 3)
      return (
        count('containers'),
        send(res, 200, { _rid: '', DocumentCollections: inDb.map((c) => definition(c)), _count: inDb.length })
      );
    const container = inDb.find((c) => c.id === parts[3]);
    if (!container) return send(res, 404, { code: 'NotFound', message: `container ${parts[3]}` });
    if (parts.length === 4) return (count('container'), send(res, 200, definition(container)));
    const ranges = rangesOf(container);
    if (parts[4] === 'pkranges') {
      count('pkranges');
      if (req.headers['a-im'] && req.headers['if-none-match'])
        return send(res, 304, undefined, { etag: '"1"' });
      return send(
        res,
        200,
        {
          _rid: '',
          PartitionKeyRanges: ranges.map((r) => ({
            id: r.id,
            minInclusive: r.min,
            maxExclusive: r.max,
            ridPrefix: Number(r.id),
            throughputFraction: 1 / ranges.length,
            status: 'online',
            parents: [],
          })),
          _count: ranges.length,
        },
        { etag: '"1"' },
      );
    }
    if (parts[4] !== 'docs' || parts.length !== 5) return send(res, 400, { message: 'no route' });
    const max = Math.max(1, Number(req.headers['x-ms-max-item-count'] ?? 100) || 100);
    const rangeId = req.headers['x-ms-documentdb-partitionkeyrangeid'];
    if (method === 'GET' && req.headers['a-im']) {
      count('changefeed');
      const range = ranges.find((r) => r.id === String(rangeId)) ?? ranges[0]!;
      const start = Number(String(req.headers['if-none-match'] ?? '"0"').replace(/"/g, '')) || 0;
      if (start >= range.count) return send(res, 304, undefined, { etag: `"${start}"` });
      const end = Math.min(range.count, start + max);
      return sendPage(res, container, range.first + start, range.first + end, { etag: `"${end}"` });
    }
    const isQuery =
      req.headers['x-ms-documentdb-isquery'] ||
      req.headers['x-ms-cosmos-is-query-plan-request'] ||
      String(req.headers['content-type']).startsWith('application/query+json');
    if (method === 'POST' && isQuery) {
      const query = String((JSON.parse(body || '{}') as { query?: string }).query ?? '');
      if (req.headers['x-ms-cosmos-is-query-plan-request'])
        return (count('queryplan'), send(res, 200, queryPlan(query)));
      if (/COUNT\s*\(/i.test(query))
        return (count('count'), send(res, 200, { _rid: '', Documents: [container.documents], _count: 1 }));
      count('query');
      // One range when the SDK runs the plan per range, else the whole container in order (gateway-served).
      const range = rangeId !== undefined ? ranges.find((r) => r.id === String(rangeId)) : undefined;
      const from = range ? range.first : 0;
      const to = range ? range.first + range.count : container.documents;
      const offset = Number(req.headers['x-ms-continuation'] ?? 0) || 0;
      const end = Math.min(to, from + offset + max);
      return sendPage(
        res,
        container,
        from + offset,
        end,
        end < to ? { 'x-ms-continuation': String(end - from) } : {},
      );
    }
    return send(res, 400, { message: 'no route' });
  };

  const cache = new Map<string, Buffer>();
  const render = (container: ReplayContainer, from: number, to: number): Buffer => {
    const key = `${container.database}/${container.id}/${from}/${to}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const parts: string[] = [];
    for (let i = from; i < to; i++) {
      const t = templates[i % templates.length]!;
      parts.push(`${t.before}${container.id}-${i}${t.after}`);
    }
    const page = Buffer.from(`{"_rid":"","Documents":[${parts.join(',')}],"_count":${parts.length}}`);
    if (options.cachePages) cache.set(key, page);
    return page;
  };
  const sendPage = (
    res: http.ServerResponse,
    container: ReplayContainer,
    from: number,
    to: number,
    headers: Record<string, string>,
  ) => {
    const page = render(container, from, to);
    send(res, 200, page, {
      ...headers,
      'x-ms-item-count': String(to - from),
      'x-ms-request-charge': (Math.max(1, page.length / 1024) * ruPerKb).toFixed(2),
    });
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    stats,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function toTemplate(text: string): Template {
  const m = /"id"\s*:\s*"(?:[^"\\]|\\.)*"/.exec(text);
  if (!m) throw new Error('replay server: a recorded document has no id');
  return { before: `${text.slice(0, m.index)}"id":"`, after: `"${text.slice(m.index + m[0].length)}` };
}

function rangesOf(
  container: ReplayContainer,
): { id: string; min: string; max: string; first: number; count: number }[] {
  const n = Math.max(1, container.ranges ?? 4);
  const bounds = Array.from({ length: n + 1 }, (_, i) =>
    i === 0
      ? ''
      : i === n
        ? 'FF'
        : Math.floor((i * 256) / n)
            .toString(16)
            .toUpperCase()
            .padStart(2, '0'),
  );
  const per = Math.floor(container.documents / n);
  return Array.from({ length: n }, (_, i) => ({
    id: String(i),
    min: bounds[i]!,
    max: bounds[i + 1]!,
    first: i * per,
    count: i === n - 1 ? container.documents - per * (n - 1) : per,
  }));
}

function resource(id: string, self: string): Record<string, unknown> {
  return {
    id,
    _rid: Buffer.from(self).toString('base64').slice(0, 12),
    _self: self,
    _etag: '"0"',
    _ts: 1_772_330_400,
  };
}

function definition(c: ReplayContainer): Record<string, unknown> {
  return {
    ...resource(c.id, `dbs/${c.database}/colls/${c.id}`),
    partitionKey: { paths: ['/pk'], kind: 'Hash', version: 2 },
    indexingPolicy: {
      indexingMode: 'consistent',
      automatic: true,
      includedPaths: [{ path: '/*' }],
      excludedPaths: [{ path: '/"_etag"/?' }],
    },
    conflictResolutionPolicy: {
      mode: 'LastWriterWins',
      conflictResolutionPath: '/_ts',
      conflictResolutionProcedure: '',
    },
    geospatialConfig: { type: 'Geography' },
  };
}

function account(endpoint: string): Record<string, unknown> {
  const location = [{ name: 'Replay', databaseAccountEndpoint: `${endpoint}/` }];
  return {
    id: 'replay',
    _rid: 'replay',
    _self: '',
    writableLocations: location,
    readableLocations: location,
    enableMultipleWriteLocations: false,
    userConsistencyPolicy: { defaultConsistencyLevel: 'Session' },
    queryEngineConfiguration:
      '{"maxSqlQueryInputLength":262144,"sqlAllowAggregateFunctions":true,"sqlAllowTop":true}',
  };
}

function queryPlan(query: string): Record<string, unknown> {
  return {
    partitionedQueryExecutionInfoVersion: 2,
    queryInfo: {
      distinctType: 'None',
      top: null,
      offset: null,
      limit: null,
      orderBy: [],
      orderByExpressions: [],
      groupByExpressions: [],
      groupByAliases: [],
      aggregates: [],
      groupByAliasToAggregateType: {},
      rewrittenQuery: '',
      hasSelectValue: /SELECT\s+VALUE/i.test(query),
      dCountInfo: null,
      hasNonStreamingOrderBy: false,
    },
    queryRanges: [{ min: '', max: 'FF', isMinInclusive: true, isMaxInclusive: false }],
  };
}

function send(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text =
    body === undefined ? '' : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-ms-activity-id': randomUUID(),
    'x-ms-request-charge': '1',
    'x-ms-session-token': '0:1#1',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}
