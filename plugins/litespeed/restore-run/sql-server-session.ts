import type sql from 'mssql';
import { ErrorCode, HoldfastError } from '../../../src/core/errors.ts';
import type { Secret } from '../../../src/core/secret.ts';
import type { CatalogQuery } from '../queries.ts';
import { runCatalogQuery, SqlPools, type ConnectionTarget } from '../sql-connection.ts';

/** A SQL Server to read history from or restore into, with its secrets resolved (never printed). */
export interface SqlServerTarget {
  /** `sql01`, `sql01:14330`, `sql01\DW`: how messages name the server. */
  label: string;
  /** The master-database connection (the plugin's connection settings). */
  connection: ConnectionTarget;
  /** IANA zone of the server's clock: msdb dates are server-local wall times. */
  timeZone: string;
  /** Secrets to scrub from server messages. */
  secrets: Secret[];
}

/**
 * Connections to one server through the LiteSpeed plugin's pools: one pool in master, and one per
 * database that a query must run inside (sys.filegroups, sys.database_files). Opened on first use,
 * closed together by close().
 */
export class SqlServerSession {
  readonly target: SqlServerTarget;
  readonly #pools = new SqlPools();

  constructor(target: SqlServerTarget) {
    this.target = target;
  }

  get label(): string {
    return this.target.label;
  }

  /** A pool whose connections start in `database` (default master). */
  async pool(database = 'master'): Promise<sql.ConnectionPool> {
    try {
      return await this.#pools.get(this.#in(database));
    } catch (cause) {
      throw new HoldfastError(
        ErrorCode.ServerError,
        `cannot connect to SQL Server ${this.label} (database ${database}): ${(cause as Error).message}`,
        {
          cause,
          retryable: true,
          target: this.label,
        },
      );
    }
  }

  /** Closes the pool of one database (before that database is restored over, or after reading it). */
  release(database: string): Promise<void> {
    return this.#pools.close(this.#in(database));
  }

  close(): Promise<void> {
    return this.#pools.closeAll();
  }

  #in(database: string): ConnectionTarget {
    return { ...this.target.connection, database, maxConnections: 2 };
  }
}

/** Runs one of the product's fixed catalog queries (queries.ts), parameters typed; errors carry the query's tag. */
export async function runTaggedQuery<Row = Record<string, unknown>>(
  pool: sql.ConnectionPool,
  query: CatalogQuery,
  values: Record<string, unknown> = {},
): Promise<Row[]> {
  try {
    return await runCatalogQuery<Row>(pool, query, values);
  } catch (cause) {
    if (cause instanceof HoldfastError) throw cause;
    const err = cause as sql.RequestError;
    throw new HoldfastError(
      ErrorCode.ServerError,
      `query ${query.tag} failed: ${err.message}${err.number !== undefined ? ` (Msg ${err.number})` : ''}`,
      {
        cause,
        details: { query: query.tag, number: err.number },
      },
    );
  }
}
