import type { ColumnType, RpcParameter } from '../engine-api.ts';
import { ByteReader } from './byte-reader.ts';
import { TdsUnsupportedError } from './protocol-error.ts';
import { readTypeInfo, readValue } from './type-reader.ts';

/** Names of the well-known procedures an RPC may call by id (MS-TDS 2.2.6.6). */
export const PROCEDURE_BY_ID: Readonly<Record<number, string>> = {
  1: 'sp_cursor',
  2: 'sp_cursoropen',
  3: 'sp_cursorprepare',
  4: 'sp_cursorexecute',
  5: 'sp_cursorprepexec',
  6: 'sp_cursorunprepare',
  7: 'sp_cursorfetch',
  8: 'sp_cursoroption',
  9: 'sp_cursorclose',
  10: 'sp_executesql',
  11: 'sp_prepare',
  12: 'sp_execute',
  13: 'sp_prepexec',
  14: 'sp_prepexecrpc',
  15: 'sp_unprepare',
};

const STATUS_BY_REF = 0x01;
const STATUS_DEFAULT = 0x02;
const STATUS_ENCRYPTED = 0x08;

export interface BatchRequest {
  kind: 'batch';
  sql: string;
}

export interface DecodedParameter extends RpcParameter {
  /** Position in the request, counting from 0 (RETURNVALUE reports it back). */
  ordinal: number;
  /** The client passed DEFAULT instead of a value. */
  isDefault: boolean;
  type: ColumnType;
}

export interface RpcRequest {
  kind: 'rpc';
  procedure: string;
  /** The procedure was named by well-known id rather than by text. */
  procId?: number;
  params: DecodedParameter[];
}

/**
 * Skips ALL_HEADERS (MS-TDS 2.2.5.3), which TDS 7.2+ puts in front of SQL batch and RPC payloads.
 * Its TotalLength counts itself; each header has its own length, checked against the total.
 */
function skipAllHeaders(r: ByteReader): void {
  const start = r.offset;
  const total = r.u32('ALL_HEADERS TotalLength');
  if (total < 4 || total > r.buffer.length - start) {
    r.fail(`ALL_HEADERS TotalLength ${total} does not fit the ${r.buffer.length - start}-byte payload`);
  }
  while (r.offset < start + total) {
    const headerLength = r.u32('ALL_HEADERS HeaderLength');
    if (headerLength < 6 || r.offset - 4 + headerLength > start + total) {
      r.fail(`ALL_HEADERS header of length ${headerLength} overruns the headers' total of ${total}`);
    }
    r.offset += headerLength - 4;
  }
}

export function decodeSqlBatch(payload: Buffer): BatchRequest {
  const r = new ByteReader(payload, 'SQL batch');
  skipAllHeaders(r);
  if (r.remaining % 2 !== 0) r.fail(`SQL text has an odd byte count ${r.remaining}`);
  return { kind: 'batch', sql: r.bytes(r.remaining, 'SQL text').toString('utf16le') };
}

/** Decodes one RPC request (MS-TDS 2.2.6.6). Batched RPCs (several in one message) are refused. */
export function decodeRpc(payload: Buffer): RpcRequest {
  const r = new ByteReader(payload, 'RPC request');
  skipAllHeaders(r);
  const nameLength = r.u16('procedure name length');
  let procedure: string;
  let procId: number | undefined;
  if (nameLength === 0xffff) {
    procId = r.u16('ProcID');
    const known = PROCEDURE_BY_ID[procId];
    if (!known)
      throw new TdsUnsupportedError(`RPC names unknown well-known procedure id ${procId} (known: 1..15)`);
    procedure = known;
  } else {
    procedure = r.ucs2(nameLength, 'procedure name');
  }
  r.u16('OptionFlags');

  const params: DecodedParameter[] = [];
  while (r.remaining > 0) {
    const next = r.buffer[r.offset]!;
    // 0xFF / 0xFE separate batched RPCs (0x80 is ambiguous with a 128-character name, and tedious never batches).
    if (next === 0xff || next === 0xfe) {
      throw new TdsUnsupportedError('several RPCs batched in one request are not supported by the simulator');
    }
    const ordinal = params.length;
    const name = r.bVarchar(`parameter ${ordinal + 1} name`);
    const status = r.u8(`parameter ${ordinal + 1} status`);
    if (status & STATUS_ENCRYPTED) {
      throw new TdsUnsupportedError(
        `parameter ${ordinal + 1} (${name || 'unnamed'}) uses Always Encrypted, which is not supported`,
      );
    }
    let wire;
    try {
      wire = readTypeInfo(r);
    } catch (err) {
      if (err instanceof TdsUnsupportedError) {
        throw new TdsUnsupportedError(
          `RPC ${procedure}, parameter ${ordinal + 1} (${name || 'unnamed'}): ${err.message}`,
        );
      }
      throw err;
    }
    const value = readValue(r, wire);
    params.push({
      name,
      value,
      type: wire.column,
      output: (status & STATUS_BY_REF) !== 0,
      ordinal,
      isDefault: (status & STATUS_DEFAULT) !== 0,
    });
  }
  return { kind: 'rpc', procedure, ...(procId === undefined ? {} : { procId }), params };
}
