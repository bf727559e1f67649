import type {
  Column,
  ExecutionItem,
  ExecutionResult,
  LoginResult,
  RpcParameter,
  SessionInfo,
  SqlEngine,
  SqlMessage,
  SqlValue,
} from '../../engine-api.ts';

/**
 * A small but real {@link SqlEngine} for the protocol tests and the benchmark. It knows a few
 * logins and databases and answers a handful of commands:
 *
 * Batches (and sp_executesql statements):
 * - `USE <db>`; `SELECT DB_NAME()`
 * - `SELECT ALL_TYPES` (one column of every ColumnType, two rows, the second all NULL)
 * - `SELECT MULTI` (three result sets and a row count)
 * - `PRINT '<text>'` (INFO 0); `RAISERROR('<text>', <severity>, <state>)` (number 50000)
 * - `UPDATE ...` (3 rows affected); `WAITFOR DELAY` (waits until the call is aborted)
 * - `ECHO` via sp_executesql: the parameters after @statement/@params, echoed back (see {@link echo}).
 * Anything else is error 102 "Incorrect syntax".
 *
 * Procedures (RPC, any schema prefix): `echo_proc` (echo, OUTPUT params get their input value or a
 * computed one, return status 7), `fail_proc` (error 50001 from the procedure), `info_proc`,
 * `wait_proc` (waits on the abort signal), `noop` (return status 0, nothing else).
 */
export class EchoEngine implements SqlEngine {
  readonly serverName = 'TDSTEST';
  readonly version = { major: 16, minor: 0, build: 4135 };
  readonly databases = new Set(['master', 'msdb', 'tempdb', 'appdb']);
  readonly logins = new Map<string, string>([['sa', 'Str0ng!Passw0rd']]);
  /** Sessions currently open (for tests to check endSession). */
  readonly sessions = new Set<number>();
  /** Calls seen, newest last (`batch:<sql>` or `rpc:<procedure>`). */
  readonly calls: string[] = [];
  /** Calls aborted through their signal. */
  aborted = 0;

  login(user: string, password: string, database: string | undefined): LoginResult {
    if (this.logins.get(user) !== password) {
      return {
        ok: false,
        error: { number: 18456, state: 1, severity: 14, message: `Login failed for user '${user}'.` },
      };
    }
    if (database !== undefined && !this.databases.has(database)) {
      return {
        ok: false,
        error: {
          number: 4060,
          state: 1,
          severity: 11,
          message: `Cannot open database "${database}" requested by the login. The login failed.`,
        },
      };
    }
    return { ok: true, database: database ?? 'master' };
  }

  async executeBatch(session: SessionInfo, sql: string, signal: AbortSignal): Promise<ExecutionResult> {
    this.calls.push(`batch:${sql}`);
    this.sessions.add(session.id);
    return { items: await this.statement(session, sql.trim(), signal) };
  }

  async executeRpc(
    session: SessionInfo,
    procedure: string,
    params: RpcParameter[],
    signal: AbortSignal,
  ): Promise<ExecutionResult> {
    this.calls.push(`rpc:${procedure}`);
    this.sessions.add(session.id);
    const name = procedure.replace(/[[\]]/g, '').split('.').pop()!.toLowerCase();
    if (name === 'sp_executesql') {
      const statement = String(params[0]?.value ?? '').trim();
      if (/^echo\b/i.test(statement)) return { items: echo(params.slice(2)) };
      return { items: await this.statement(session, statement, signal) };
    }
    switch (name) {
      case 'echo_proc': {
        const items: ExecutionItem[] = echo(params.filter((p) => !p.output));
        items.push({ kind: 'returnStatus', value: 7 });
        for (const p of params.filter((q) => q.output)) {
          items.push({ kind: 'outputParam', name: p.name, type: p.type, value: outputValue(p, params) });
        }
        return { items };
      }
      case 'fail_proc':
        return {
          items: [
            {
              kind: 'message',
              message: {
                number: 50001,
                state: 2,
                severity: 16,
                message: 'The procedure failed on purpose.',
                procName: 'fail_proc',
                lineNumber: 12,
              },
            },
            { kind: 'returnStatus', value: -6 },
          ],
        };
      case 'info_proc':
        return {
          items: [
            {
              kind: 'message',
              message: {
                number: 50100,
                state: 1,
                severity: 10,
                message: 'Processed 10 pages.',
                procName: 'info_proc',
                lineNumber: 3,
              },
            },
            {
              kind: 'resultSet',
              resultSet: { columns: [{ name: 'ok', type: { type: 'bit' } }], rows: [[true]] },
            },
            { kind: 'message', message: { number: 0, state: 1, severity: 0, message: 'All done.' } },
            { kind: 'returnStatus', value: 0 },
          ],
        };
      case 'wait_proc':
        await waitForAbort(signal, () => this.aborted++);
        return { items: [] };
      case 'noop':
        return { items: [{ kind: 'returnStatus', value: 0 }] };
      default:
        return { items: [error(2812, `Could not find stored procedure '${procedure}'.`)] };
    }
  }

  endSession(session: SessionInfo): void {
    this.sessions.delete(session.id);
  }

  private async statement(session: SessionInfo, sql: string, signal: AbortSignal): Promise<ExecutionItem[]> {
    let m: RegExpExecArray | null;
    if ((m = /^use\s+\[?(\w+)\]?\s*;?$/i.exec(sql))) {
      const db = m[1]!;
      if (!this.databases.has(db))
        return [error(911, `Database '${db}' does not exist. Make sure that the name is entered correctly.`)];
      session.database = db;
      return [];
    }
    if (/^select\s+db_name\(\)\s*;?$/i.test(sql)) {
      return [resultSet([{ name: 'db', type: { type: 'nvarchar', length: 128 } }], [[session.database]])];
    }
    if (/^select\s+all_types\s*;?$/i.test(sql)) return [allTypes()];
    if (/^select\s+multi\s*;?$/i.test(sql)) {
      const one: Column[] = [{ name: 'n', type: { type: 'int' } }];
      return [
        resultSet(one, [[1]]),
        resultSet(one, [[2], [3]]),
        { kind: 'rowCount', count: 5 },
        resultSet([{ name: 's', type: { type: 'varchar', length: 10 } }], [['three']]),
      ];
    }
    if ((m = /^print\s+'(.*)'\s*;?$/is.exec(sql)))
      return [{ kind: 'message', message: { number: 0, state: 1, severity: 0, message: m[1]! } }];
    if ((m = /^raiserror\s*\(\s*'(.*)'\s*,\s*(\d+)\s*,\s*(\d+)\s*\)\s*;?$/is.exec(sql))) {
      return [
        {
          kind: 'message',
          message: {
            number: 50000,
            severity: Number(m[2]),
            state: Number(m[3]),
            message: m[1]!,
            lineNumber: 1,
          },
        },
      ];
    }
    if (/^update\b/i.test(sql)) return [{ kind: 'rowCount', count: 3 }];
    if (/^waitfor\s+delay\b/i.test(sql)) {
      await waitForAbort(signal, () => this.aborted++);
      return [];
    }
    return [error(102, `Incorrect syntax near '${sql.split(/\s+/)[0] ?? ''}'.`)];
  }
}

function error(number: number, message: string): ExecutionItem {
  const m: SqlMessage = { number, state: 1, severity: 16, message, lineNumber: 1 };
  return { kind: 'message', message: m };
}

function resultSet(columns: Column[], rows: SqlValue[][]): ExecutionItem {
  return { kind: 'resultSet', resultSet: { columns, rows } };
}

/**
 * The echo of a parameter list, two result sets:
 * 1. one row, one column per parameter (named without '@'), same type and value;
 * 2. one row per parameter: name, the type as JSON, and the value as exact text (decimals, bigints,
 *    dates in ISO form, binary in hex) so tests can check what the engine received.
 */
export function echo(params: RpcParameter[]): ExecutionItem[] {
  const columns: Column[] = params.map((p, i) => ({
    name: p.name.replace(/^@/, '') || `p${i + 1}`,
    type: p.type,
  }));
  const described: SqlValue[][] = params.map((p) => [
    p.name,
    JSON.stringify(p.type),
    textOf(p.value),
    typeof p.value === 'object' && p.value !== null ? p.value.constructor.name : typeof p.value,
  ]);
  return [
    resultSet(columns, [params.map((p) => p.value)]),
    resultSet(
      [
        { name: 'name', type: { type: 'nvarchar', length: 128 } },
        { name: 'type', type: { type: 'nvarchar', length: 200 } },
        { name: 'text', type: { type: 'nvarchar', length: 'max' } },
        { name: 'js', type: { type: 'nvarchar', length: 20 } },
      ],
      described,
    ),
  ];
}

function textOf(v: SqlValue): string | null {
  if (v === null) return null;
  if (v instanceof Date) return v.toISOString();
  if (Buffer.isBuffer(v)) return v.toString('hex');
  return String(v);
}

/** OUTPUT parameters: `@doubled` gets twice the first int input, `@lsn` a fixed numeric(25,0), others keep their value. */
function outputValue(p: RpcParameter, all: RpcParameter[]): SqlValue {
  if (p.name === '@doubled') {
    const first = all.find((q) => !q.output && typeof q.value === 'number');
    return typeof first?.value === 'number' ? first.value * 2 : null;
  }
  if (p.name === '@lsn') return '12345678901234567890123';
  return p.value;
}

export const ALL_TYPES_COLUMNS: Column[] = [
  { name: 'c_int', type: { type: 'int' } },
  { name: 'c_bigint', type: { type: 'bigint' } },
  { name: 'c_smallint', type: { type: 'smallint' } },
  { name: 'c_tinyint', type: { type: 'tinyint' } },
  { name: 'c_bit', type: { type: 'bit' } },
  { name: 'c_nvarchar', type: { type: 'nvarchar', length: 50 } },
  { name: 'c_nvarchar_max', type: { type: 'nvarchar', length: 'max' } },
  { name: 'c_varchar', type: { type: 'varchar', length: 50 } },
  { name: 'c_varchar_max', type: { type: 'varchar', length: 'max' } },
  { name: 'c_datetime2', type: { type: 'datetime2', scale: 7 } },
  { name: 'c_datetime', type: { type: 'datetime' } },
  { name: 'c_decimal', type: { type: 'decimal', precision: 18, scale: 4 } },
  { name: 'c_lsn', type: { type: 'numeric', precision: 25, scale: 0 } },
  { name: 'c_guid', type: { type: 'uniqueidentifier' } },
  { name: 'c_varbinary', type: { type: 'varbinary', length: 16 } },
  { name: 'c_varbinary_max', type: { type: 'varbinary', length: 'max' } },
  { name: 'c_float', type: { type: 'float' } },
];

export const ALL_TYPES_ROW: SqlValue[] = [
  -2147483648,
  9007199254740993n,
  -32768,
  255,
  true,
  'Grüße, 世界',
  'x'.repeat(5000),
  'café €',
  'v'.repeat(9000),
  new Date('2024-02-29T23:59:59.123Z'),
  new Date('1999-12-31T12:34:56.790Z'),
  '-12345678901234.5678',
  '12345678901234567890123',
  '6F9619FF-8B86-D011-B42D-00C04FC964FF',
  Buffer.from('00ff10ab', 'hex'),
  Buffer.alloc(70_000, 0xab),
  Math.PI,
];

function allTypes(): ExecutionItem {
  return resultSet(ALL_TYPES_COLUMNS, [ALL_TYPES_ROW, ALL_TYPES_COLUMNS.map(() => null)]);
}

function waitForAbort(signal: AbortSignal, onAbort: () => void): Promise<never> {
  return new Promise((_resolve, reject) => {
    const fail = (): void => {
      onAbort();
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}
