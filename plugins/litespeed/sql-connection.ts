import type sql from 'mssql';
import { ErrorCode, HoldfastError } from '../../src/core/errors.ts';
import type { Secret } from '../../src/core/secret.ts';
import type { CatalogQuery } from './queries.ts';

/** Where and how to connect, with secrets resolved. */
export interface ConnectionTarget {
  host: string;
  port?: number;
  instance?: string;
  database: string;
  auth: { type: 'sql'; user: string; password: Secret } | { type: 'entra' };
  encrypt: boolean;
  trustServerCertificate: boolean;
  connectTimeoutMs: number;
  /** For catalog queries; backups run without a time limit. */
  queryTimeoutMs: number;
  /** Connections kept for this target (at least the backups that may run at once). */
  maxConnections: number;
}

type MssqlModule = typeof sql;
let driver: MssqlModule | undefined;
let loadingDriver: Promise<MssqlModule> | undefined;

/**
 * mssql and tedious under it cost ~40 MB and a quarter of a second to load, so they are loaded with the first
 * connection rather than with every command (`holdfast validate` or an idle `serve` never needs them).
 */
export function loadDriver(): Promise<MssqlModule> {
  loadingDriver ??= import('mssql').then((m) => (driver = m.default));
  return loadingDriver;
}

/** The driver, for code that holds a pool (so the first connection has loaded it). */
export function loadedDriver(): MssqlModule {
  if (!driver)
    throw new HoldfastError(ErrorCode.Internal, 'the mssql driver was used before any connection was opened');
  return driver;
}

/**
 * mssql connection pools, one per server/database/login, opened on first use and closed by closeAll
 * (the plugin's dispose). A pool that failed to connect is forgotten so the next call tries again.
 */
export class SqlPools {
  readonly #pools = new Map<string, Promise<sql.ConnectionPool>>();

  get(target: ConnectionTarget): Promise<sql.ConnectionPool> {
    const key = keyOf(target);
    let pool = this.#pools.get(key);
    if (!pool) {
      pool = loadDriver().then((mssql) => new mssql.ConnectionPool(poolConfig(target)).connect());
      pool.catch(() => this.#pools.delete(key));
      this.#pools.set(key, pool);
    }
    return pool;
  }

  /** Closes the pool of one target (e.g. a database opened only to read its files). */
  async close(target: ConnectionTarget): Promise<void> {
    const key = keyOf(target);
    const pool = this.#pools.get(key);
    if (!pool) return;
    this.#pools.delete(key);
    await pool.then((p) => p.close()).catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.then((x) => x.close()).catch(() => undefined)));
  }
}

function keyOf(t: ConnectionTarget): string {
  return JSON.stringify([
    t.host.toLowerCase(),
    t.port ?? null,
    t.instance ?? null,
    t.database,
    t.auth.type,
    t.auth.type === 'sql' ? t.auth.user : null,
  ]);
}

function poolConfig(t: ConnectionTarget): sql.config {
  const config: sql.config = {
    server: t.host,
    database: t.database,
    connectionTimeout: t.connectTimeoutMs,
    requestTimeout: t.queryTimeoutMs,
    pool: { min: 0, max: Math.max(1, t.maxConnections), idleTimeoutMillis: 30_000 },
    options: {
      encrypt: t.encrypt,
      trustServerCertificate: t.trustServerCertificate,
      appName: 'holdfast',
      ...(t.instance ? { instanceName: t.instance } : {}),
    },
  };
  if (t.port !== undefined) config.port = t.port;
  if (t.auth.type === 'sql') {
    config.user = t.auth.user;
    config.password = t.auth.password.reveal();
  } else {
    config.authentication = {
      type: 'azure-active-directory-default',
      options: {},
    } as unknown as sql.config['authentication'];
  }
  return config;
}

type RequestWithOverrides = new (
  pool: sql.ConnectionPool,
  overrides: { requestTimeout: number },
) => sql.Request;

/** A request without a time limit (a backup may run for hours); cancel it through its `cancel()`. */
export function unlimitedRequest(pool: sql.ConnectionPool): sql.Request {
  return new (loadedDriver().Request as unknown as RequestWithOverrides)(pool, { requestTimeout: 0 });
}

/** The mssql type for a parameter type written in queries.ts (`nvarchar(128)`, `datetime`, `int`). */
export function sqlTypeOf(declared: string): sql.ISqlType | (() => sql.ISqlType) {
  const mssql = loadedDriver();
  const m = /^(\w+)(?:\((\d+|max)\))?$/i.exec(declared.trim());
  const name = m?.[1]?.toLowerCase();
  const length = m?.[2] === undefined ? undefined : m[2].toLowerCase() === 'max' ? mssql.MAX : Number(m[2]);
  switch (name) {
    case 'nvarchar':
      return mssql.NVarChar(length ?? 4000);
    case 'varchar':
      return mssql.VarChar(length ?? 8000);
    case 'int':
      return mssql.Int;
    case 'bigint':
      return mssql.BigInt;
    case 'bit':
      return mssql.Bit;
    case 'datetime':
      return mssql.DateTime;
    case 'datetime2':
      return mssql.DateTime2;
    default:
      throw new HoldfastError(ErrorCode.Internal, `no mssql type for the parameter type ${declared}`);
  }
}

/**
 * Runs one of the fixed catalog queries with typed parameters (sp_executesql on the wire). Every declared
 * parameter must be given (null is a value). Returns the first result set's rows.
 */
export async function runCatalogQuery<Row = Record<string, unknown>>(
  pool: sql.ConnectionPool,
  query: CatalogQuery,
  values: Record<string, unknown> = {},
): Promise<Row[]> {
  const request = pool.request();
  for (const [name, type] of Object.entries(query.params)) {
    const key = name.replace(/^@/, '');
    if (!(key in values))
      throw new HoldfastError(ErrorCode.Internal, `query ${query.tag}: parameter ${name} not given`);
    request.input(key, sqlTypeOf(type), values[key]);
  }
  const result = await request.query<Row>(query.sql);
  return result.recordset ?? [];
}
