import type { Column, ColumnType, SqlMessage, SqlValue } from '../engine-api.ts';
import { ByteWriter } from './byte-writer.ts';
import { SERVER_COLLATION } from './charset.ts';
import { TdsEncodeError } from './protocol-error.ts';
import { writeTypeInfo, writeValue } from './type-writer.ts';

/** Token ids (MS-TDS 2.2.7). */
export const Token = {
  RETURNSTATUS: 0x79,
  COLMETADATA: 0x81,
  ERROR: 0xaa,
  INFO: 0xab,
  RETURNVALUE: 0xac,
  LOGINACK: 0xad,
  FEATUREEXTACK: 0xae,
  ROW: 0xd1,
  NBCROW: 0xd2,
  ENVCHANGE: 0xe3,
  DONE: 0xfd,
  DONEPROC: 0xfe,
  DONEINPROC: 0xff,
} as const;

/** DONE status bits. */
export const DoneStatus = {
  FINAL: 0x00,
  MORE: 0x01,
  ERROR: 0x02,
  INXACT: 0x04,
  COUNT: 0x10,
  ATTN: 0x20,
  SRVERROR: 0x100,
} as const;

export const EnvChangeType = {
  DATABASE: 1,
  LANGUAGE: 2,
  PACKET_SIZE: 4,
  SQL_COLLATION: 7,
  RESET_CONNECTION: 18,
} as const;

/** Current command codes carried in DONE tokens. */
export const CurCmd = { NONE: 0x00, SELECT: 0xc1, EXECUTE: 0xe0 } as const;

/**
 * Builds a token stream (the payload of a TABULAR_RESULT message). Methods append one token each
 * and return `this`; {@link toBuffer} yields the bytes.
 */
export class TokenWriter {
  readonly w = new ByteWriter(1024);
  private readonly serverName: string;

  constructor(serverName: string) {
    this.serverName = serverName;
  }

  get length(): number {
    return this.w.length;
  }

  envChangeText(type: number, newValue: string, oldValue: string): this {
    this.w.u8(Token.ENVCHANGE);
    const done = this.w.lengthPrefix16();
    this.w.u8(type).bVarchar(newValue).bVarchar(oldValue);
    done();
    return this;
  }

  envChangeBytes(type: number, newValue: Buffer, oldValue: Buffer): this {
    this.w.u8(Token.ENVCHANGE);
    const done = this.w.lengthPrefix16();
    this.w.u8(type).u8(newValue.length).bytes(newValue).u8(oldValue.length).bytes(oldValue);
    done();
    return this;
  }

  collation(): this {
    return this.envChangeBytes(EnvChangeType.SQL_COLLATION, SERVER_COLLATION, Buffer.alloc(0));
  }

  /** INFO (severity <= 10) or ERROR (severity >= 11) token. */
  message(m: SqlMessage): this {
    this.w.u8(m.severity >= 11 ? Token.ERROR : Token.INFO);
    const done = this.w.lengthPrefix16();
    this.w
      .i32(m.number)
      .u8(m.state & 0xff)
      .u8(m.severity & 0xff)
      .usVarchar(m.message)
      .bVarchar(this.serverName)
      .bVarchar(m.procName ?? '')
      .i32(m.lineNumber ?? 1);
    done();
    return this;
  }

  loginAck(
    tdsVersion: number,
    programName: string,
    version: { major: number; minor: number; build: number },
  ): this {
    this.w.u8(Token.LOGINACK);
    const done = this.w.lengthPrefix16();
    this.w
      .u8(1) // interface: SQL_TSQL
      .u32be(tdsVersion)
      .bVarchar(programName)
      .u8(version.major)
      .u8(version.minor)
      .u8((version.build >> 8) & 0xff)
      .u8(version.build & 0xff);
    done();
    return this;
  }

  featureExtAck(features: Array<[number, Buffer]>): this {
    this.w.u8(Token.FEATUREEXTACK);
    for (const [id, data] of features) this.w.u8(id).u32(data.length).bytes(data);
    this.w.u8(0xff);
    return this;
  }

  colMetadata(columns: Column[]): this {
    this.w.u8(Token.COLMETADATA).u16(columns.length);
    for (const col of columns) {
      const nullable = col.nullable ?? true;
      // flags: fNullable, usUpdateable = read/write unknown (0b10 << 2)
      this.w.u32(0).u16((nullable ? 0x01 : 0x00) | 0x08);
      try {
        writeTypeInfo(this.w, col.type);
      } catch (err) {
        throw withContext(err, `column "${col.name}"`);
      }
      this.w.bVarchar(col.name);
    }
    return this;
  }

  /** ROW, or NBCROW when the row has NULLs (they are then carried by the bitmap alone). */
  row(columns: Column[], values: SqlValue[], rowIndex: number): this {
    if (values.length !== columns.length) {
      throw new TdsEncodeError(
        `row ${rowIndex} has ${values.length} value(s) for ${columns.length} column(s)`,
      );
    }
    const hasNull = values.some((v) => v === null || v === undefined);
    if (hasNull) {
      this.w.u8(Token.NBCROW);
      const bitmap = Buffer.alloc(Math.ceil(columns.length / 8));
      values.forEach((v, i) => {
        if (v === null || v === undefined) bitmap[i >> 3]! |= 1 << (i & 7);
      });
      this.w.bytes(bitmap);
    } else {
      this.w.u8(Token.ROW);
    }
    for (let i = 0; i < columns.length; i++) {
      const v = values[i];
      if (v === null || v === undefined) continue;
      try {
        writeValue(this.w, columns[i]!.type, v);
      } catch (err) {
        throw withContext(err, `row ${rowIndex}, column "${columns[i]!.name}"`);
      }
    }
    return this;
  }

  returnStatus(value: number): this {
    this.w.u8(Token.RETURNSTATUS).i32(value | 0);
    return this;
  }

  returnValue(ordinal: number, name: string, type: ColumnType, value: SqlValue): this {
    this.w
      .u8(Token.RETURNVALUE)
      .u16(ordinal)
      .bVarchar(name.startsWith('@') ? name : `@${name}`)
      .u8(0x01);
    this.w.u32(0).u16(0x01 | 0x08);
    try {
      writeTypeInfo(this.w, type);
      writeValue(this.w, type, value);
    } catch (err) {
      throw withContext(err, `output parameter "${name}"`);
    }
    return this;
  }

  done(token: number, status: number, curCmd: number, rowCount: number | bigint): this {
    this.w.u8(token).u16(status).u16(curCmd).u64(rowCount);
    return this;
  }

  toBuffer(): Buffer {
    return this.w.toBuffer();
  }
}

function withContext(err: unknown, where: string): Error {
  const message = err instanceof Error ? err.message : String(err);
  return new TdsEncodeError(`${where}: ${message}`);
}
