import type { ExecutionItem, SessionInfo, SqlValue } from '../engine-api.ts';
import type { ServerModel } from './server-model.ts';

/** One argument of a procedure call, by name (`@database`) or position (name null). */
export interface ProcArg {
  name: string | null;
  value: SqlValue;
  output: boolean;
}

export interface ProcContext {
  server: ServerModel;
  session: SessionInfo;
  signal: AbortSignal;
}

export interface ProcResult {
  items: ExecutionItem[];
  /** The procedure's return code (`EXEC @rc = ...`, RETURNSTATUS for RPC). */
  returnValue: number;
  /** OUTPUT parameters by name (with @), or `#<index>` for positional arguments. */
  outputs?: Record<string, SqlValue>;
}

export type ProcHandler = (ctx: ProcContext, args: ProcArg[]) => Promise<ProcResult>;
