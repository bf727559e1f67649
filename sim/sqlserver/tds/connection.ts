import type { Socket } from 'node:net';
import type { SecureContext, TLSSocket } from 'node:tls';
import type { Logger } from '../../../src/core/logger.ts';
import type { SessionInfo, SqlEngine } from '../engine-api.ts';
import type { FaultController } from './fault-controller.ts';
import { negotiateTdsVersion, parseLogin7 } from './login7.ts';
import {
  buildLoginFailure,
  buildLoginSuccess,
  DEFAULT_PACKET_SIZE,
  loginFailedMessage,
  negotiatePacketSize,
  unsupportedLogin,
} from './login-response.ts';
import { encodeMessage, PacketReader, PacketType, type TdsMessage } from './packet-framing.ts';
import { buildServerPrelogin, Encryption, negotiateEncryption, parseClientPrelogin } from './prelogin.ts';
import { TdsProtocolError } from './protocol-error.ts';
import { RequestRunner } from './request-runner.ts';
import { PreloginTlsCarrier, startServerTls } from './tls-carrier.ts';

export interface ConnectionDeps {
  engine: SqlEngine;
  faults: FaultController;
  logger: Logger;
  secureContext: SecureContext;
  sessionId: number;
  onClosed: (connection: TdsConnection) => void;
}

type Phase = 'prelogin' | 'login' | 'ready' | 'refused' | 'closed';

/**
 * One client connection: PRELOGIN (and TLS inside it), LOGIN7, then requests one at a time, with
 * ATTENTION handled while a request runs. Any protocol error closes this connection only.
 */
export class TdsConnection {
  readonly id: number;
  private phase: Phase = 'prelogin';
  private readonly socket: Socket;
  private readonly deps: ConnectionDeps;
  private readonly reader: PacketReader;
  private tls: TLSSocket | undefined;
  private carrier: PreloginTlsCarrier | undefined;
  private packetSize = DEFAULT_PACKET_SIZE;
  private session: SessionInfo | undefined;
  private runner: RequestRunner | undefined;
  private readonly log: Logger;

  constructor(socket: Socket, deps: ConnectionDeps) {
    this.socket = socket;
    this.deps = deps;
    this.id = deps.sessionId;
    this.log = deps.logger.child({ spid: this.id, remote: `${socket.remoteAddress}:${socket.remotePort}` });
    this.reader = new PacketReader((m) => this.onMessage(m));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onSocketData(chunk));
    socket.on('error', (err) => this.close(`socket error: ${err.message}`, 'debug'));
    socket.on('close', () => this.close('client closed the connection', 'debug'));
  }

  get closed(): boolean {
    return this.phase === 'closed';
  }

  /** Ends the connection (server shutdown or fault): the socket is destroyed, the session released. */
  close(reason: string, level: 'debug' | 'info' | 'warn' = 'info'): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.log[level]({ reason }, 'TDS connection closed');
    this.runner?.abandon();
    this.tls?.destroy();
    this.socket.destroy();
    if (this.session) {
      try {
        this.deps.engine.endSession(this.session);
      } catch (err) {
        this.log.error({ err }, 'engine.endSession threw');
      }
    }
    this.deps.onClosed(this);
  }

  /** Sends a complete response message (TABULAR_RESULT) split at the negotiated packet size. */
  send(payload: Buffer): void {
    if (this.phase === 'closed') return;
    const bytes = encodeMessage(PacketType.TABULAR_RESULT, payload, this.packetSize, this.session?.id ?? 0);
    (this.tls ?? this.socket).write(bytes);
  }

  /** Sends only the first half of a response, then cuts the connection (the mid-response drop fault). */
  sendPartThenDrop(payload: Buffer, reason: string): void {
    if (this.phase === 'closed') return;
    const bytes = encodeMessage(PacketType.TABULAR_RESULT, payload, this.packetSize, this.session?.id ?? 0);
    const part = bytes.subarray(0, Math.max(8, Math.floor(bytes.length / 2)));
    (this.tls ?? this.socket).write(part, () => this.close(reason));
  }

  private onSocketData(chunk: Buffer): void {
    try {
      if (this.carrier) {
        this.carrier.feed(chunk);
        return;
      }
      this.reader.push(chunk, () => this.carrier !== undefined);
      // PRELOGIN may have started TLS while this chunk was parsed: hand what is left to the carrier.
      const started = this.carrier as PreloginTlsCarrier | undefined;
      if (started && this.reader.buffered > 0) started.feed(this.reader.drain());
    } catch (err) {
      this.protocolFailure(err);
    }
  }

  private protocolFailure(err: unknown): void {
    if (err instanceof TdsProtocolError) {
      this.close(`malformed input: ${err.message}`, 'warn');
    } else {
      this.log.error({ err }, 'unexpected failure in the TDS connection');
      this.close(`internal error: ${err instanceof Error ? err.message : String(err)}`, 'warn');
    }
  }

  private onMessage(message: TdsMessage): void {
    switch (this.phase) {
      case 'prelogin':
        if (message.type !== PacketType.PRELOGIN) {
          throw new TdsProtocolError(
            `expected PRELOGIN as the first message, got packet type 0x${message.type.toString(16)}`,
          );
        }
        this.onPrelogin(message.payload);
        return;
      case 'login':
        if (message.type !== PacketType.LOGIN7) {
          throw new TdsProtocolError(
            `expected LOGIN7 after PRELOGIN, got packet type 0x${message.type.toString(16)}`,
          );
        }
        this.onLogin7(message.payload);
        return;
      case 'ready':
        this.runner!.onMessage(message);
        return;
      case 'refused':
      case 'closed':
        return;
    }
  }

  private onPrelogin(payload: Buffer): void {
    const client = parseClientPrelogin(payload);
    const encryption = negotiateEncryption(client);
    const { engine } = this.deps;
    this.send(buildServerPrelogin({ version: engine.version, encryption, threadId: this.id }));
    this.phase = 'login';
    if (encryption !== Encryption.ON) {
      this.log.debug({ clientEncryption: client.encryption }, 'PRELOGIN done, no encryption');
      return;
    }
    const carrier = new PreloginTlsCarrier(this.socket);
    const tls = startServerTls(carrier, this.deps.secureContext);
    tls.on('secure', () =>
      this.log.debug({ cipher: tls.getCipher()?.name, protocol: tls.getProtocol() }, 'TLS established'),
    );
    tls.on('data', (chunk: Buffer) => {
      try {
        this.reader.push(chunk);
      } catch (err) {
        this.protocolFailure(err);
      }
    });
    tls.on('error', (err) => this.close(`TLS error: ${err.message}`, 'debug'));
    tls.on('close', () => this.close('TLS session closed', 'debug'));
    this.carrier = carrier;
    this.tls = tls;
  }

  private onLogin7(payload: Buffer): void {
    const login = parseLogin7(payload);
    const { engine } = this.deps;
    const tdsVersion = negotiateTdsVersion(login.tdsVersion);
    const refusal =
      tdsVersion === undefined
        ? {
            number: 18456,
            state: 1,
            severity: 14,
            message: `Login failed: TDS version 0x${login.tdsVersion.toString(16)} is older than 7.2.`,
          }
        : unsupportedLogin(login);
    let failure = refusal;
    let database = login.database || undefined;
    if (!failure) {
      try {
        const result = engine.login(login.userName, login.password, database);
        if (!result.ok) failure = result.error ?? loginFailedMessage(login.userName);
        else database = result.database ?? database ?? 'master';
      } catch (err) {
        this.log.error({ err }, 'engine.login threw');
        failure = loginFailedMessage(login.userName);
      }
    }
    if (failure || tdsVersion === undefined) {
      this.log.info({ user: login.userName, number: failure?.number }, 'login refused');
      this.send(buildLoginFailure(engine.serverName, failure ?? loginFailedMessage(login.userName)));
      this.phase = 'refused';
      this.endGracefully();
      return;
    }
    const packetSize = negotiatePacketSize(login.packetSize);
    this.session = {
      id: this.id,
      login: login.userName,
      database: database ?? 'master',
      ...(login.appName ? { appName: login.appName } : {}),
    };
    this.send(
      buildLoginSuccess({
        serverName: engine.serverName,
        database: this.session.database,
        tdsVersion,
        version: engine.version,
        packetSize,
        requestedFeatures: new Set(login.features.keys()),
      }),
    );
    this.packetSize = packetSize;
    this.runner = new RequestRunner(this, this.session, this.deps, this.log);
    this.phase = 'ready';
    this.log.info(
      { user: login.userName, database: this.session.database, app: login.appName, packetSize },
      'login succeeded',
    );
  }

  /** Half-closes after the last response; destroys the socket if the client does not close it soon. */
  private endGracefully(): void {
    (this.tls ?? this.socket).end();
    setTimeout(() => this.close('closed after refused login', 'debug'), 2000).unref();
  }
}
