import { createServer, type Socket } from 'node:net';
import { silentLogger, type Logger } from '../../src/core/logger.ts';
import type { SqlEngine } from './engine-api.ts';
import { serverCertificate } from './tds/certificate.ts';
import { TdsConnection } from './tds/connection.ts';
import { FaultController } from './tds/fault-controller.ts';

export { FaultController } from './tds/fault-controller.ts';
export type { CallMatch, DropPoint } from './tds/fault-controller.ts';

export interface TdsServerOptions {
  /** The simulated SQL Server behind the protocol layer. */
  engine: SqlEngine;
  /** Interface to listen on; default 127.0.0.1 (loopback). */
  host?: string;
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Connection-level faults; a fresh controller is created when omitted (see {@link TdsServer.faults}). */
  faults?: FaultController;
  /** pino logger; silent when omitted. */
  logger?: Logger;
}

export interface TdsServer {
  host: string;
  port: number;
  /** The fault controller in use (the one passed in, or the server's own). */
  faults: FaultController;
  /** Open client connections right now. */
  readonly connections: number;
  /** Stops listening and ends every open connection (in-flight engine calls are aborted). */
  close(): Promise<void>;
}

/** SPIDs of user sessions start at 51 on SQL Server. */
const FIRST_SESSION_ID = 51;

/**
 * Starts a TDS 7.4 endpoint for `engine` that the unmodified mssql/tedious client can use with
 * `{ encrypt: true, trustServerCertificate: true }` (a self-signed certificate is generated once per
 * process). Clients that do not ask for encryption get an unencrypted session.
 */
export async function startTdsServer(options: TdsServerOptions): Promise<TdsServer> {
  const { engine } = options;
  const logger = (options.logger ?? silentLogger()).child({ component: 'sim-sqlserver-tds' });
  const faults = options.faults ?? new FaultController();
  const { secureContext } = await serverCertificate();
  const open = new Set<TdsConnection>();
  let nextSessionId = FIRST_SESSION_ID;

  const server = createServer((socket: Socket) => {
    try {
      const sessionId = nextSessionId;
      nextSessionId = nextSessionId >= 32767 ? FIRST_SESSION_ID : nextSessionId + 1;
      const connection = new TdsConnection(socket, {
        engine,
        faults,
        logger,
        secureContext,
        sessionId,
        onClosed: (c) => open.delete(c),
      });
      open.add(connection);
    } catch (err) {
      logger.error({ err }, 'could not set up a TDS connection');
      socket.destroy();
    }
  });
  server.on('error', (err) => logger.error({ err }, 'TDS listener error'));

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new Error(`TDS listener has no TCP address (${String(address)})`);
  logger.info({ host, port: address.port, serverName: engine.serverName }, 'TDS server listening');

  let closing: Promise<void> | undefined;
  return {
    host,
    port: address.port,
    faults,
    get connections() {
      return open.size;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const connection of [...open]) connection.close('server shutting down', 'debug');
        logger.info({ port: address.port }, 'TDS server stopped');
      });
      return closing;
    },
  };
}
