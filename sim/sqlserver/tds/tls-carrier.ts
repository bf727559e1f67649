import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { encodeMessage, PacketReader, PacketType } from './packet-framing.ts';
import { TdsProtocolError } from './protocol-error.ts';

/** Packet size used for the wrapped handshake (the client has not announced its own yet). */
const HANDSHAKE_PACKET_SIZE = 4096;

/**
 * The byte stream under the server's TLS socket when encryption was negotiated in PRELOGIN.
 *
 * TDS carries the TLS handshake inside PRELOGIN (0x12) packets: every handshake flight the client
 * sends arrives as one PRELOGIN message, and the server answers each with exactly one PRELOGIN
 * message holding its whole flight. Once the client's handshake is complete it sends raw TLS
 * records straight on the socket (the first one holds LOGIN7). This carrier unwraps the packets
 * going in and wraps the TLS output going out while in the "wrapped" phase, and switches both
 * directions to pass-through as soon as a byte that cannot start a PRELOGIN packet arrives at a
 * packet boundary (TLS records start with 0x14..0x18).
 */
export class PreloginTlsCarrier extends Duplex {
  private wrapped = true;
  private readonly socket: Socket;
  private readonly reader: PacketReader;
  private outgoing: Buffer[] = [];
  private flushScheduled = false;

  constructor(socket: Socket) {
    super();
    this.socket = socket;
    this.reader = new PacketReader((message) => {
      if (message.type !== PacketType.PRELOGIN) {
        throw new TdsProtocolError(
          `TLS handshake: expected a PRELOGIN packet, got type 0x${message.type.toString(16)}`,
        );
      }
      this.push(message.payload);
    }, 1024 * 1024);
  }

  /** Raw bytes read from the socket. Throws {@link TdsProtocolError} on malformed handshake packets. */
  feed(chunk: Buffer): void {
    if (!this.wrapped) {
      this.push(chunk);
      return;
    }
    this.reader.push(chunk, () => this.reader.peekByte() !== PacketType.PRELOGIN);
    if (this.reader.buffered > 0 && this.reader.peekByte() !== PacketType.PRELOGIN) {
      this.flush();
      this.wrapped = false;
      this.push(this.reader.drain());
    }
  }

  override _read(): void {
    // Data is pushed by feed() as the socket delivers it.
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.wrapped) {
      this.outgoing.push(chunk);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // One flight of TLS output is written in one go; collect it and send it as one message.
        setImmediate(() => this.flush());
      }
      callback();
      return;
    }
    if (this.socket.destroyed) {
      callback();
      return;
    }
    this.socket.write(chunk, (err) => callback(err ?? null));
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.flush();
    this.socket.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy();
    callback(error);
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.outgoing.length === 0 || this.socket.destroyed) return;
    const payload = Buffer.concat(this.outgoing);
    this.outgoing = [];
    this.socket.write(encodeMessage(PacketType.PRELOGIN, payload, HANDSHAKE_PACKET_SIZE));
  }
}

/** Starts the server side of TLS over a {@link PreloginTlsCarrier}. */
export function startServerTls(carrier: PreloginTlsCarrier, secureContext: SecureContext): TLSSocket {
  return new TLSSocket(carrier, { isServer: true, secureContext });
}
