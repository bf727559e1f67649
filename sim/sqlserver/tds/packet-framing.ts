import { TdsProtocolError } from './protocol-error.ts';

/** TDS packet types (MS-TDS 2.2.3.1.1). */
export const PacketType = {
  SQL_BATCH: 0x01,
  RPC: 0x03,
  TABULAR_RESULT: 0x04,
  ATTENTION: 0x06,
  BULK_LOAD: 0x07,
  FEDAUTH_TOKEN: 0x08,
  TRANSACTION_MANAGER: 0x0e,
  LOGIN7: 0x10,
  SSPI: 0x11,
  PRELOGIN: 0x12,
} as const;

/** Packet status bits (MS-TDS 2.2.3.1.2). */
export const PacketStatus = {
  EOM: 0x01,
  IGNORE: 0x02,
  RESET_CONNECTION: 0x08,
  RESET_CONNECTION_SKIP_TRAN: 0x10,
} as const;

export const HEADER_LENGTH = 8;

const KNOWN_TYPES = new Set<number>(Object.values(PacketType));

/** A complete client message: the payloads of its packets up to and including the EOM packet. */
export interface TdsMessage {
  type: number;
  payload: Buffer;
  /** The last packet had the IGNORE bit: the client cancelled the message while sending it. */
  ignore: boolean;
  /** A packet of the message had RESETCONNECTION (or ..._SKIPTRAN) set. */
  resetConnection: boolean;
}

/**
 * Incremental packet parser: feed it bytes as they arrive; it calls `onMessage` for every
 * complete message. Malformed framing throws {@link TdsProtocolError}.
 */
export class PacketReader {
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private parts: Buffer[] = [];
  private partsLength = 0;
  private messageType = -1;
  private reset = false;
  private readonly maxMessageBytes: number;
  private readonly onMessage: (message: TdsMessage) => void;

  constructor(onMessage: (message: TdsMessage) => void, maxMessageBytes = 256 * 1024 * 1024) {
    this.onMessage = onMessage;
    this.maxMessageBytes = maxMessageBytes;
  }

  /** Bytes received but not yet part of a complete packet. */
  get buffered(): number {
    return this.pendingLength;
  }

  /** The first byte not yet consumed, if any (used to tell wrapped handshake packets from raw TLS). */
  peekByte(): number | undefined {
    return this.pending[0]?.[0];
  }

  /** Removes and returns everything not yet consumed. */
  drain(): Buffer {
    const all = Buffer.concat(this.pending, this.pendingLength);
    this.pending = [];
    this.pendingLength = 0;
    return all;
  }

  push(chunk: Buffer, stopWhen?: () => boolean): void {
    if (chunk.length > 0) {
      this.pending.push(chunk);
      this.pendingLength += chunk.length;
    }
    while (this.pendingLength >= HEADER_LENGTH) {
      if (stopWhen?.()) return;
      const head = this.pending.length === 1 ? this.pending[0]! : this.collapse();
      const type = head[0]!;
      const status = head[1]!;
      const length = head.readUInt16BE(2);
      if (!KNOWN_TYPES.has(type)) {
        throw new TdsProtocolError(
          `packet header: unknown packet type 0x${hex(type)} (length ${length}, status 0x${hex(status)})`,
        );
      }
      if (length < HEADER_LENGTH) {
        throw new TdsProtocolError(
          `packet header: length ${length} is shorter than the 8-byte header (type 0x${hex(type)})`,
        );
      }
      if (this.messageType !== -1 && type !== this.messageType) {
        throw new TdsProtocolError(
          `packet header: packet of type 0x${hex(type)} arrived in the middle of a message of type 0x${hex(this.messageType)}`,
        );
      }
      if (this.pendingLength < length) return;
      const packet = this.take(length);
      const data = packet.subarray(HEADER_LENGTH);
      this.messageType = type;
      if (status & (PacketStatus.RESET_CONNECTION | PacketStatus.RESET_CONNECTION_SKIP_TRAN))
        this.reset = true;
      this.parts.push(data);
      this.partsLength += data.length;
      if (this.partsLength > this.maxMessageBytes) {
        throw new TdsProtocolError(`message of type 0x${hex(type)} exceeds ${this.maxMessageBytes} bytes`);
      }
      if (status & PacketStatus.EOM) {
        const message: TdsMessage = {
          type,
          payload: this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.partsLength),
          ignore: (status & PacketStatus.IGNORE) !== 0,
          resetConnection: this.reset,
        };
        this.parts = [];
        this.partsLength = 0;
        this.messageType = -1;
        this.reset = false;
        this.onMessage(message);
      }
    }
  }

  private collapse(): Buffer {
    const all = Buffer.concat(this.pending, this.pendingLength);
    this.pending = [all];
    return all;
  }

  private take(n: number): Buffer {
    const head = this.pending.length === 1 ? this.pending[0]! : this.collapse();
    const packet = head.subarray(0, n);
    if (head.length === n) {
      this.pending = [];
    } else {
      this.pending[0] = head.subarray(n);
    }
    this.pendingLength -= n;
    return packet;
  }
}

/**
 * Splits a message payload into packets of at most `packetSize` bytes (header included); the last
 * packet carries EOM. Packet ids count from 1 and wrap at 256.
 */
export function encodeMessage(
  type: number,
  payload: Buffer,
  packetSize: number,
  spid = 0,
  extraStatus = 0,
): Buffer {
  const room = packetSize - HEADER_LENGTH;
  const count = Math.max(1, Math.ceil(payload.length / room));
  const out = Buffer.allocUnsafe(payload.length + count * HEADER_LENGTH);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const start = i * room;
    const end = Math.min(payload.length, start + room);
    const last = i === count - 1;
    out[at] = type;
    out[at + 1] = (last ? PacketStatus.EOM : 0) | extraStatus;
    out.writeUInt16BE(end - start + HEADER_LENGTH, at + 2);
    out.writeUInt16BE(spid & 0xffff, at + 4);
    out[at + 6] = (i + 1) % 256;
    out[at + 7] = 0;
    payload.copy(out, at + HEADER_LENGTH, start, end);
    at += HEADER_LENGTH + end - start;
  }
  return out;
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0').toUpperCase();
}
