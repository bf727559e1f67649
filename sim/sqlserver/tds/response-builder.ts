import type { ExecutionItem, ExecutionResult, SqlMessage } from '../engine-api.ts';
import { TdsEncodeError } from './protocol-error.ts';
import type { DecodedParameter } from './request-decoder.ts';
import { CurCmd, DoneStatus, EnvChangeType, Token, TokenWriter } from './token-writer.ts';
import { assertColumnType } from './type-writer.ts';

export interface ResponseContext {
  kind: 'batch' | 'rpc';
  serverName: string;
  /** The RPC's parameters, to number RETURNVALUE tokens by their position in the request. */
  params?: DecodedParameter[];
  /** Set when the call changed the session database (USE): an ENVCHANGE leads the response. */
  databaseChange?: { from: string; to: string };
}

/**
 * Encodes an engine result as the token stream SQL Server would send:
 *
 * - every result set: COLMETADATA, ROW/NBCROW..., then DONE (batch) or DONEINPROC (RPC) with
 *   MORE|COUNT and the row count;
 * - `rowCount`: a DONE/DONEINPROC with MORE|COUNT;
 * - messages: INFO (severity <= 10) or ERROR; after an ERROR the statement's DONE carries ERROR;
 * - `returnStatus`: RETURNSTATUS; `outputParam`: RETURNVALUE (an RPC without a return status gets 0,
 *   as SQL Server always sends one for a procedure);
 * - last: DONE (batch) or DONEPROC (RPC) without MORE, with ERROR if any error was sent.
 *
 * Throws {@link TdsEncodeError} when a value does not fit its declared type.
 */
export function buildResponse(ctx: ResponseContext, result: ExecutionResult): Buffer {
  const t = new TokenWriter(ctx.serverName);
  const stmtDone = ctx.kind === 'rpc' ? Token.DONEINPROC : Token.DONE;
  if (!result || !Array.isArray(result.items)) {
    throw new TdsEncodeError('engine result has no items array');
  }
  const items = result.items;
  if (ctx.databaseChange) {
    const { from, to } = ctx.databaseChange;
    t.envChangeText(EnvChangeType.DATABASE, to, from);
    if (!items.some((i) => i.kind === 'message' && i.message.number === 5701)) {
      t.message({ number: 5701, state: 1, severity: 0, message: `Changed database context to '${to}'.` });
    }
  }

  let pendingError = false;
  let anyError = false;
  let returnStatusSent = items.some((i) => i.kind === 'returnStatus');
  const closeStatement = (status: number, curCmd: number, count: number): void => {
    t.done(stmtDone, status | (pendingError ? DoneStatus.ERROR : 0), curCmd, count);
    pendingError = false;
  };

  items.forEach((item: ExecutionItem, index) => {
    switch (item.kind) {
      case 'resultSet': {
        const { columns, rows } = item.resultSet;
        if (pendingError) closeStatement(DoneStatus.MORE, CurCmd.NONE, 0);
        columns.forEach((c, i) =>
          assertColumnType(c.type, `result item ${index}, column ${i} ("${c.name}")`),
        );
        t.colMetadata(columns);
        rows.forEach((row, r) => t.row(columns, row, r));
        closeStatement(DoneStatus.MORE | DoneStatus.COUNT, CurCmd.SELECT, rows.length);
        return;
      }
      case 'rowCount':
        if (pendingError) closeStatement(DoneStatus.MORE, CurCmd.NONE, 0);
        closeStatement(DoneStatus.MORE | DoneStatus.COUNT, CurCmd.NONE, item.count);
        return;
      case 'message':
        t.message(item.message);
        if (item.message.severity >= 11) {
          pendingError = true;
          anyError = true;
        }
        return;
      case 'returnStatus':
        t.returnStatus(item.value);
        return;
      case 'outputParam': {
        if (ctx.kind === 'rpc' && !returnStatusSent) {
          t.returnStatus(0);
          returnStatusSent = true;
        }
        assertColumnType(item.type, `output parameter "${item.name}"`);
        const wanted = item.name.startsWith('@') ? item.name : `@${item.name}`;
        const param = ctx.params?.find((p) => p.name.toLowerCase() === wanted.toLowerCase());
        t.returnValue(param?.ordinal ?? 0, wanted, item.type, item.value);
        return;
      }
      default:
        throw new TdsEncodeError(
          `result item ${index} has unknown kind ${JSON.stringify((item as { kind?: unknown }).kind)}`,
        );
    }
  });

  if (ctx.kind === 'rpc') {
    if (!returnStatusSent) t.returnStatus(0);
    t.done(Token.DONEPROC, anyError ? DoneStatus.ERROR : DoneStatus.FINAL, CurCmd.EXECUTE, 0);
  } else {
    t.done(Token.DONE, anyError ? DoneStatus.ERROR : DoneStatus.FINAL, CurCmd.NONE, 0);
  }
  return t.toBuffer();
}

/** A response made of one ERROR token, for calls the protocol layer answers itself (faults, unsupported input). */
export function buildErrorResponse(kind: 'batch' | 'rpc', serverName: string, message: SqlMessage): Buffer {
  const t = new TokenWriter(serverName).message(message);
  const status = message.severity >= 11 ? DoneStatus.ERROR : DoneStatus.FINAL;
  t.done(kind === 'rpc' ? Token.DONEPROC : Token.DONE, status, CurCmd.NONE, 0);
  return t.toBuffer();
}

/** A response that is just a DONE, e.g. for a SET-only batch or an ignored message. */
export function buildDoneResponse(serverName: string, status: number = DoneStatus.FINAL): Buffer {
  return new TokenWriter(serverName).done(Token.DONE, status, CurCmd.NONE, 0).toBuffer();
}
