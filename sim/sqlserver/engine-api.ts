/**
 * The seam between the TDS protocol layer (sim/sqlserver/tds/*) and the simulated SQL Server
 * (sim/sqlserver/engine/*). The protocol layer decodes packets into calls on {@link SqlEngine}
 * and encodes the returned {@link ExecutionItem}s into TDS tokens (COLMETADATA/ROW, INFO, ERROR,
 * RETURNSTATUS, RETURNVALUE, DONE/DONEPROC/DONEINPROC). The engine never sees bytes; the protocol
 * layer never knows what a backup is.
 */

/** Column types the simulator can send; each maps to one TDS type. */
export type ColumnType =
  | { type: 'int' }
  | { type: 'bigint' }
  | { type: 'smallint' }
  | { type: 'tinyint' }
  | { type: 'bit' }
  | { type: 'nvarchar'; length: number | 'max' }
  | { type: 'varchar'; length: number | 'max' }
  | { type: 'datetime2'; scale?: number }
  | { type: 'datetime' }
  | { type: 'decimal'; precision: number; scale: number }
  | { type: 'numeric'; precision: number; scale: number }
  | { type: 'uniqueidentifier' }
  | { type: 'varbinary'; length: number | 'max' }
  | { type: 'float' };

/**
 * JS representation of values, both ways:
 * int/smallint/tinyint/float → number; bigint → bigint (or number when safe) ; bit → boolean;
 * n/varchar → string; datetime2/datetime → Date; decimal/numeric → string (exact decimal text, e.g. LSNs);
 * uniqueidentifier → string (upper-case canonical form, as SQL Server returns it); varbinary → Buffer;
 * NULL → null.
 */
export type SqlValue = number | bigint | boolean | string | Date | Buffer | null;

export interface Column {
  name: string;
  type: ColumnType;
  nullable?: boolean;
}

export interface ResultSet {
  columns: Column[];
  rows: SqlValue[][];
}

/** An INFO or ERROR message with SQL Server's real number, severity (class) and state. */
export interface SqlMessage {
  number: number;
  state: number;
  /** Severity: 0-10 info (INFO token), 11+ error (ERROR token). */
  severity: number;
  message: string;
  procName?: string;
  lineNumber?: number;
}

export type ExecutionItem =
  | { kind: 'resultSet'; resultSet: ResultSet }
  | { kind: 'message'; message: SqlMessage }
  /** rows affected by a statement (DONE with DONE_COUNT). */
  | { kind: 'rowCount'; count: number }
  /** the return status of a stored procedure called by RPC (RETURNSTATUS token). */
  | { kind: 'returnStatus'; value: number }
  /** an OUTPUT parameter's value for an RPC (RETURNVALUE token). */
  | { kind: 'outputParam'; name: string; value: SqlValue; type: ColumnType };

export interface ExecutionResult {
  /** In the order they are sent to the client. An error message with severity >= 11 makes the request fail in the client. */
  items: ExecutionItem[];
}

/** A decoded RPC parameter. `name` includes the leading `@`, or is '' for positional parameters. */
export interface RpcParameter {
  name: string;
  value: SqlValue;
  type: ColumnType;
  output: boolean;
}

export interface SessionInfo {
  /** SPID-like number, unique per connection. */
  id: number;
  login: string;
  /** Current database (LOGIN7 database, changed by USE). */
  database: string;
  appName?: string;
}

export interface LoginResult {
  ok: boolean;
  /** On failure: error 18456 "Login failed for user '...'." severity 14, state 1. */
  error?: SqlMessage;
  /** On success: the database the session starts in (default master). */
  database?: string;
}

export interface SqlEngine {
  /** Server name reported in LOGINACK / messages, e.g. `SIM01`. */
  readonly serverName: string;
  /** Product version for LOGINACK, e.g. `{ major: 16, minor: 0, build: 4135 }`. */
  readonly version: { major: number; minor: number; build: number };

  login(user: string, password: string, database: string | undefined): LoginResult;

  /** A SQL batch (TDS type 1). `signal` aborts on ATTENTION (cancel). */
  executeBatch(session: SessionInfo, sql: string, signal: AbortSignal): Promise<ExecutionResult>;

  /**
   * An RPC request (TDS type 3): a procedure by name (`master.dbo.xp_backup_database`) or by
   * well-known id, which the protocol layer translates to its name (`sp_executesql`, `sp_prepare`...).
   * For `sp_executesql` the first two parameters are the statement and the parameter declaration.
   */
  executeRpc(session: SessionInfo, procedure: string, params: RpcParameter[], signal: AbortSignal): Promise<ExecutionResult>;

  /** Called when a connection closes (releases the session). */
  endSession(session: SessionInfo): void;
}
