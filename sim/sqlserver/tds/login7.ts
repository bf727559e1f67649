import { TdsProtocolError } from './protocol-error.ts';

/** Feature ids of the LOGIN7 FeatureExt block (MS-TDS 2.2.6.4). */
export const FeatureId = {
  SESSION_RECOVERY: 0x01,
  FEDAUTH: 0x02,
  COLUMN_ENCRYPTION: 0x04,
  GLOBAL_TRANSACTIONS: 0x05,
  AZURE_SQL_SUPPORT: 0x08,
  DATA_CLASSIFICATION: 0x09,
  UTF8_SUPPORT: 0x0a,
  TERMINATOR: 0xff,
} as const;

export interface Login7 {
  tdsVersion: number;
  packetSize: number;
  clientPid: number;
  hostName: string;
  userName: string;
  password: string;
  appName: string;
  serverName: string;
  libraryName: string;
  language: string;
  database: string;
  /** Integrated (SSPI/NTLM) authentication was requested. */
  integratedSecurity: boolean;
  sspiLength: number;
  /** Feature ids the client asked for in FeatureExt, with their data. */
  features: Map<number, Buffer>;
}

const FIXED_LENGTH = 94;
const OPTION_FLAGS2_INTEGRATED_SECURITY = 0x80;
const OPTION_FLAGS3_EXTENSION = 0x10;

/** Reverses the LOGIN7 password obfuscation: XOR 0xA5, then swap the nibbles of each byte. */
export function unscramblePassword(bytes: Buffer): string {
  const plain = Buffer.allocUnsafe(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const x = bytes[i]! ^ 0xa5;
    plain[i] = ((x & 0x0f) << 4) | (x >> 4);
  }
  return plain.toString('utf16le');
}

/** Decodes a LOGIN7 message (MS-TDS 2.2.6.4). */
export function parseLogin7(payload: Buffer): Login7 {
  if (payload.length < FIXED_LENGTH) {
    throw new TdsProtocolError(
      `LOGIN7: payload is ${payload.length} bytes, shorter than the ${FIXED_LENGTH}-byte fixed part`,
    );
  }
  const declared = payload.readUInt32LE(0);
  if (declared > payload.length) {
    throw new TdsProtocolError(`LOGIN7: declares ${declared} bytes but the message holds ${payload.length}`);
  }
  const text = (at: number, field: string, scrambled = false): string => {
    const offset = payload.readUInt16LE(at);
    const chars = payload.readUInt16LE(at + 2);
    if (chars === 0) return '';
    const end = offset + chars * 2;
    if (end > payload.length) {
      throw new TdsProtocolError(
        `LOGIN7: ${field} spans bytes ${offset}..${end}, beyond the ${payload.length}-byte message`,
      );
    }
    const bytes = payload.subarray(offset, end);
    return scrambled ? unscramblePassword(bytes) : bytes.toString('utf16le');
  };

  const optionFlags2 = payload[25]!;
  const optionFlags3 = payload[27]!;
  const login: Login7 = {
    tdsVersion: payload.readUInt32LE(4),
    packetSize: payload.readUInt32LE(8),
    clientPid: payload.readUInt32LE(16),
    hostName: text(36, 'HostName'),
    userName: text(40, 'UserName'),
    password: text(44, 'Password', true),
    appName: text(48, 'AppName'),
    serverName: text(52, 'ServerName'),
    libraryName: text(60, 'CltIntName'),
    language: text(64, 'Language'),
    database: text(68, 'Database'),
    integratedSecurity: (optionFlags2 & OPTION_FLAGS2_INTEGRATED_SECURITY) !== 0,
    sspiLength: payload.readUInt16LE(80) || payload.readUInt32LE(90),
    features: new Map(),
  };

  if (optionFlags3 & OPTION_FLAGS3_EXTENSION) {
    const ibExtension = payload.readUInt16LE(56);
    const cbExtension = payload.readUInt16LE(58);
    if (cbExtension >= 4) {
      if (ibExtension + 4 > payload.length) {
        throw new TdsProtocolError(
          `LOGIN7: FeatureExt offset pointer at ${ibExtension} lies beyond the message`,
        );
      }
      readFeatures(payload, payload.readUInt32LE(ibExtension), login.features);
    }
  }
  return login;
}

function readFeatures(payload: Buffer, start: number, into: Map<number, Buffer>): void {
  let at = start;
  for (;;) {
    if (at >= payload.length)
      throw new TdsProtocolError(`LOGIN7: FeatureExt starting at ${start} has no terminator`);
    const id = payload[at]!;
    if (id === FeatureId.TERMINATOR) return;
    if (at + 5 > payload.length)
      throw new TdsProtocolError(`LOGIN7: FeatureExt entry 0x${id.toString(16)} is cut short at ${at}`);
    const length = payload.readUInt32LE(at + 1);
    const end = at + 5 + length;
    if (end > payload.length) {
      throw new TdsProtocolError(
        `LOGIN7: FeatureExt entry 0x${id.toString(16)} declares ${length} bytes beyond the message`,
      );
    }
    into.set(id, payload.subarray(at + 5, end));
    at = end;
  }
}

/** TDS 7.4 as LOGINACK spells it (big-endian on the wire). */
export const TDS_7_4 = 0x74000004;
const KNOWN_VERSIONS = [0x72090002, 0x730a0003, 0x730b0003, TDS_7_4];

/** The version to acknowledge: the client's own when it is 7.2..7.4, else 7.4; undefined when it is too old. */
export function negotiateTdsVersion(clientVersion: number): number | undefined {
  if (KNOWN_VERSIONS.includes(clientVersion)) return clientVersion;
  if (clientVersion > TDS_7_4 || clientVersion === 0x08000000) return TDS_7_4;
  return undefined;
}
