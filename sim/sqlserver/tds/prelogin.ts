import { TdsProtocolError } from './protocol-error.ts';

/** PRELOGIN option tokens (MS-TDS 2.2.6.5). */
const Option = {
  VERSION: 0x00,
  ENCRYPTION: 0x01,
  INSTOPT: 0x02,
  THREADID: 0x03,
  MARS: 0x04,
  TRACEID: 0x05,
  FEDAUTHREQUIRED: 0x06,
  NONCEOPT: 0x07,
  TERMINATOR: 0xff,
} as const;

export const Encryption = {
  OFF: 0x00,
  ON: 0x01,
  NOT_SUP: 0x02,
  REQ: 0x03,
} as const;

export interface ClientPrelogin {
  version?: { major: number; minor: number; build: number; subbuild: number };
  /** Encryption byte the client sent; OFF when absent. */
  encryption: number;
  instance?: string;
  threadId?: number;
  mars: boolean;
}

/** Decodes the option table of a client PRELOGIN message. */
export function parseClientPrelogin(payload: Buffer): ClientPrelogin {
  const result: ClientPrelogin = { encryption: Encryption.OFF, mars: false };
  let at = 0;
  for (;;) {
    if (at >= payload.length)
      throw new TdsProtocolError(`PRELOGIN: option table has no terminator (read ${at} bytes)`);
    const token = payload[at]!;
    if (token === Option.TERMINATOR) break;
    if (at + 5 > payload.length)
      throw new TdsProtocolError(
        `PRELOGIN: option 0x${token.toString(16)} header is cut short at offset ${at}`,
      );
    const offset = payload.readUInt16BE(at + 1);
    const length = payload.readUInt16BE(at + 3);
    if (offset + length > payload.length) {
      throw new TdsProtocolError(
        `PRELOGIN: option 0x${token.toString(16)} points at bytes ${offset}..${offset + length} beyond the ${payload.length}-byte payload`,
      );
    }
    const data = payload.subarray(offset, offset + length);
    switch (token) {
      case Option.VERSION:
        if (length >= 6) {
          result.version = {
            major: data[0]!,
            minor: data[1]!,
            build: data.readUInt16BE(2),
            subbuild: data.readUInt16BE(4),
          };
        }
        break;
      case Option.ENCRYPTION:
        if (length !== 1)
          throw new TdsProtocolError(`PRELOGIN: ENCRYPTION option has length ${length}, expected 1`);
        result.encryption = data[0]!;
        if ((result.encryption & 0x7f) > Encryption.REQ) {
          throw new TdsProtocolError(
            `PRELOGIN: unknown ENCRYPTION value 0x${result.encryption.toString(16)}`,
          );
        }
        break;
      case Option.INSTOPT: {
        const end = data.indexOf(0);
        result.instance = data.subarray(0, end === -1 ? data.length : end).toString('latin1');
        break;
      }
      case Option.THREADID:
        if (length >= 4) result.threadId = data.readUInt32BE(0);
        break;
      case Option.MARS:
        result.mars = length >= 1 && data[0] === 1;
        break;
      default:
        // TRACEID, FEDAUTHREQUIRED, NONCEOPT and future options carry nothing the simulator uses.
        break;
    }
    at += 5;
  }
  return result;
}

/** The server's answer: encryption ON when the client asked ON or REQ, NOT_SUP otherwise (no TLS at all). */
export function negotiateEncryption(client: ClientPrelogin): number {
  const asked = client.encryption & 0x0f;
  return asked === Encryption.ON || asked === Encryption.REQ ? Encryption.ON : Encryption.NOT_SUP;
}

export interface ServerPreloginOptions {
  version: { major: number; minor: number; build: number };
  encryption: number;
  threadId: number;
}

/** Builds the server PRELOGIN response: VERSION, ENCRYPTION, INSTOPT, THREADID, MARS (off). */
export function buildServerPrelogin(options: ServerPreloginOptions): Buffer {
  const version = Buffer.alloc(6);
  version[0] = options.version.major & 0xff;
  version[1] = options.version.minor & 0xff;
  version.writeUInt16BE(options.version.build & 0xffff, 2);
  version.writeUInt16BE(0, 4);
  const threadId = Buffer.alloc(4);
  threadId.writeUInt32BE(options.threadId >>> 0, 0);
  const entries: Array<[number, Buffer]> = [
    [Option.VERSION, version],
    [Option.ENCRYPTION, Buffer.from([options.encryption])],
    [Option.INSTOPT, Buffer.from([0])],
    [Option.THREADID, threadId],
    [Option.MARS, Buffer.from([0])],
  ];
  const tableLength = entries.length * 5 + 1;
  const dataLength = entries.reduce((n, [, d]) => n + d.length, 0);
  const out = Buffer.alloc(tableLength + dataLength);
  let at = 0;
  let dataAt = tableLength;
  for (const [token, data] of entries) {
    out[at] = token;
    out.writeUInt16BE(dataAt, at + 1);
    out.writeUInt16BE(data.length, at + 3);
    data.copy(out, dataAt);
    dataAt += data.length;
    at += 5;
  }
  out[at] = Option.TERMINATOR;
  return out;
}
