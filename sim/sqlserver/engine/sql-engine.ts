import type {
  ExecutionItem,
  ExecutionResult,
  LoginResult,
  RpcParameter,
  SessionInfo,
  SqlEngine,
} from '../engine-api.ts';
import { runSqlText } from './batch-interpreter.ts';
import { callProcedure } from './procedure-registry.ts';
import type { ServerModel } from './server-model.ts';
import { SqlError } from './sql-error.ts';

/**
 * The simulated SQL Server behind the TDS layer: logins, T-SQL batches and RPCs (LiteSpeed's
 * extended procedures, sp_executesql, xp_fileexist...), all against one {@link ServerModel}.
 * Sessions keep no state of their own beyond what the protocol layer holds (current database).
 */
export class SimSqlEngine implements SqlEngine {
  readonly server: ServerModel;

  constructor(server: ServerModel) {
    this.server = server;
  }

  get serverName(): string {
    return this.server.options.serverName;
  }

  get version(): { major: number; minor: number; build: number } {
    const { major, minor, build } = this.server.options.version;
    return { major, minor, build };
  }

  login(user: string, password: string, database: string | undefined): LoginResult {
    const expected = this.server.options.login;
    if (user.toLowerCase() !== expected.user.toLowerCase() || password !== expected.password) {
      return {
        ok: false,
        error: { number: 18456, state: 1, severity: 14, message: `Login failed for user '${user}'.` },
      };
    }
    if (database === undefined || database === '') return { ok: true, database: 'master' };
    const db = this.server.database(database);
    if (!db || (db.state !== 'ONLINE' && !db.restore?.standby)) {
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
    return { ok: true, database: db.name };
  }

  async executeBatch(session: SessionInfo, sql: string, signal: AbortSignal): Promise<ExecutionResult> {
    return { items: await runSqlText({ server: this.server, session, signal }, sql, new Map()) };
  }

  async executeRpc(
    session: SessionInfo,
    procedure: string,
    params: RpcParameter[],
    signal: AbortSignal,
  ): Promise<ExecutionResult> {
    const args = params.map((p) => ({
      name: p.name === '' ? null : p.name,
      value: p.value,
      output: p.output,
    }));
    let result;
    try {
      result = await callProcedure({ server: this.server, session, signal }, procedure, args);
    } catch (err) {
      if (!(err instanceof SqlError)) throw err;
      return { items: [err.toMessage(), ...err.following].map((message) => ({ kind: 'message', message })) };
    }
    const items: ExecutionItem[] = [...result.items, { kind: 'returnStatus', value: result.returnValue }];
    for (const [i, p] of params.entries()) {
      if (!p.output) continue;
      const value = result.outputs?.[p.name] ?? result.outputs?.[`#${i}`] ?? p.value;
      items.push({ kind: 'outputParam', name: p.name, value, type: p.type });
    }
    return { items };
  }

  endSession(_session: SessionInfo): void {
    // No per-session state: variables live for one batch, the current database in SessionInfo.
  }
}
