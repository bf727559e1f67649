import type { RpcRequest } from './request-decoder.ts';
import { CurCmd, DoneStatus, Token, TokenWriter } from './token-writer.ts';

/**
 * Requests the client library sends on its own, which the protocol layer answers without the
 * engine and which fault matching does not count:
 *
 * - a batch of nothing but `SET <option> ...` lines: tedious sends one right after every login and
 *   on connection reset (`set textsize ...`, `set quoted_identifier on`, ...);
 * - mssql's pool validation probe: `sp_executesql` with the single statement `SELECT 1;`, sent before
 *   every pooled request when `validateConnection` is on (mssql's default).
 */
const SET_LINE = /^set\s+[a-z_]+(\s+[a-z_0-9]+)*\s*;?$/i;

export function isSessionOptionsBatch(sql: string): boolean {
  const lines = sql
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  return lines.length > 0 && lines.every((l) => SET_LINE.test(l));
}

const PROBE_STATEMENT = 'SELECT 1;';

export function isValidationProbe(rpc: RpcRequest): boolean {
  return (
    rpc.procedure === 'sp_executesql' && rpc.params.length === 1 && rpc.params[0]!.value === PROBE_STATEMENT
  );
}

/** What SQL Server answers to `SELECT 1;` through sp_executesql: one unnamed int column holding 1. */
export function validationProbeResponse(serverName: string): Buffer {
  const columns = [{ name: '', type: { type: 'int' as const }, nullable: false }];
  return new TokenWriter(serverName)
    .colMetadata(columns)
    .row(columns, [1], 0)
    .done(Token.DONEINPROC, DoneStatus.MORE | DoneStatus.COUNT, CurCmd.SELECT, 1)
    .returnStatus(0)
    .done(Token.DONEPROC, DoneStatus.FINAL, CurCmd.EXECUTE, 0)
    .toBuffer();
}
