import type { Logger } from '../../../src/core/logger.ts';
import type { ExecutionResult, SessionInfo, SqlEngine, SqlMessage } from '../engine-api.ts';
import type { CallDescription, FaultController } from './fault-controller.ts';
import { isSessionOptionsBatch, isValidationProbe, validationProbeResponse } from './housekeeping.ts';
import { PacketType, type TdsMessage } from './packet-framing.ts';
import { TdsEncodeError, TdsProtocolError, TdsUnsupportedError } from './protocol-error.ts';
import { decodeRpc, decodeSqlBatch, type BatchRequest, type RpcRequest } from './request-decoder.ts';
import { buildDoneResponse, buildErrorResponse, buildResponse } from './response-builder.ts';
import { DoneStatus, EnvChangeType, TokenWriter } from './token-writer.ts';

/** What the runner needs from its connection. */
export interface ResponseSink {
  send(payload: Buffer): void;
  sendPartThenDrop(payload: Buffer, reason: string): void;
  close(reason: string, level?: 'debug' | 'info' | 'warn'): void;
}

interface ActiveCall {
  controller: AbortController;
  /** The client was already answered (ATTENTION): whatever the engine returns later is dropped. */
  answered: boolean;
}

function simulatorError(message: string, number = 50000): SqlMessage {
  return { number, state: 1, severity: 16, message };
}

/**
 * Runs the requests of one logged-in session, one at a time: decodes SQL batches and RPCs, applies
 * faults, calls the engine, encodes its result. ATTENTION aborts the running call through its
 * AbortSignal and is acknowledged at once: first a DONE closing the cancelled request's response,
 * then a separate message with DONE(ATTN), which is what tedious waits for.
 */
export class RequestRunner {
  private readonly sink: ResponseSink;
  private readonly session: SessionInfo;
  private readonly engine: SqlEngine;
  private readonly faults: FaultController;
  private readonly log: Logger;
  private readonly loginDatabase: string;
  private queue: TdsMessage[] = [];
  private active: ActiveCall | undefined;

  constructor(
    sink: ResponseSink,
    session: SessionInfo,
    deps: { engine: SqlEngine; faults: FaultController },
    log: Logger,
  ) {
    this.sink = sink;
    this.session = session;
    this.engine = deps.engine;
    this.faults = deps.faults;
    this.log = log;
    this.loginDatabase = session.database;
  }

  onMessage(message: TdsMessage): void {
    if (message.type === PacketType.ATTENTION) {
      this.onAttention();
      return;
    }
    if (message.type === PacketType.PRELOGIN || message.type === PacketType.LOGIN7) {
      throw new TdsProtocolError(`packet type 0x${message.type.toString(16)} is not allowed after login`);
    }
    this.queue.push(message);
    this.pump();
  }

  /** The connection is going away: abort whatever runs. */
  abandon(): void {
    if (this.active) {
      this.active.answered = true;
      this.active.controller.abort(new Error('connection closed'));
    }
    this.queue = [];
  }

  private onAttention(): void {
    const call = this.active;
    if (call && !call.answered) {
      call.answered = true;
      call.controller.abort(new Error('cancelled by the client (ATTENTION)'));
      this.sink.send(buildDoneResponse(this.engine.serverName, DoneStatus.FINAL));
      this.active = undefined;
      this.log.debug('request cancelled by ATTENTION');
    }
    this.sink.send(buildDoneResponse(this.engine.serverName, DoneStatus.ATTN));
    this.pump();
  }

  private pump(): void {
    if (this.active || this.queue.length === 0) return;
    const message = this.queue.shift()!;
    const call: ActiveCall = { controller: new AbortController(), answered: false };
    this.active = call;
    this.handle(message, call)
      .catch((err: unknown) => {
        if (err instanceof TdsProtocolError) this.sink.close(`malformed request: ${err.message}`, 'warn');
        else {
          this.log.error({ err }, 'request handling failed');
          this.sink.close(`internal error: ${err instanceof Error ? err.message : String(err)}`, 'warn');
        }
      })
      .finally(() => {
        if (this.active === call) this.active = undefined;
        this.pump();
      });
  }

  private respond(call: ActiveCall, payload: Buffer, prefix?: Buffer): void {
    if (call.answered) return;
    call.answered = true;
    this.sink.send(prefix ? Buffer.concat([prefix, payload]) : payload);
  }

  private async handle(message: TdsMessage, call: ActiveCall): Promise<void> {
    const serverName = this.engine.serverName;
    const prefix = message.resetConnection ? this.resetSession() : undefined;
    if (message.ignore) {
      this.respond(call, buildDoneResponse(serverName), prefix);
      return;
    }
    if (message.type !== PacketType.SQL_BATCH && message.type !== PacketType.RPC) {
      const what =
        message.type === PacketType.TRANSACTION_MANAGER
          ? 'transaction manager requests (client-side BEGIN/COMMIT)'
          : `requests of packet type 0x${message.type.toString(16)}`;
      this.respond(
        call,
        buildErrorResponse('batch', serverName, simulatorError(`The simulator does not support ${what}.`)),
        prefix,
      );
      return;
    }
    let request: BatchRequest | RpcRequest;
    try {
      request =
        message.type === PacketType.SQL_BATCH ? decodeSqlBatch(message.payload) : decodeRpc(message.payload);
    } catch (err) {
      if (!(err instanceof TdsUnsupportedError)) throw err;
      this.log.warn({ reason: err.message }, 'unsupported request');
      const kind = message.type === PacketType.RPC ? 'rpc' : 'batch';
      this.respond(call, buildErrorResponse(kind, serverName, simulatorError(err.message, 8009)), prefix);
      return;
    }

    if (request.kind === 'batch' ? isSessionOptionsBatch(request.sql) : isValidationProbe(request)) {
      this.respond(
        call,
        request.kind === 'batch' ? buildDoneResponse(serverName) : validationProbeResponse(serverName),
        prefix,
      );
      return;
    }

    const description: CallDescription =
      request.kind === 'batch'
        ? { kind: 'batch', sql: request.sql }
        : {
            kind: 'rpc',
            procedure: request.procedure,
            ...(request.procedure === 'sp_executesql' && typeof request.params[0]?.value === 'string'
              ? { sql: request.params[0].value }
              : {}),
          };
    const fault = this.faults.onCall(description);
    if (fault?.kind === 'drop' && fault.at === 'before-engine') {
      this.sink.close(`fault: connection dropped before the engine ran ${label(description)}`);
      return;
    }

    let payload: Buffer;
    if (fault?.kind === 'fail') {
      payload = buildErrorResponse(request.kind, serverName, fault.message);
    } else {
      payload = await this.execute(request, call);
      if (call.answered) return;
    }

    const delay = this.faults.responseDelayMs;
    if (delay > 0) await sleep(delay, call.controller.signal);
    if (call.answered) return;
    if (fault?.kind === 'drop') {
      call.answered = true;
      this.sink.sendPartThenDrop(payload, `fault: connection dropped mid-response to ${label(description)}`);
      return;
    }
    this.respond(call, payload, prefix);
  }

  private async execute(request: BatchRequest | RpcRequest, call: ActiveCall): Promise<Buffer> {
    const serverName = this.engine.serverName;
    const before = this.session.database;
    let result: ExecutionResult;
    try {
      result =
        request.kind === 'batch'
          ? await this.engine.executeBatch(this.session, request.sql, call.controller.signal)
          : await this.engine.executeRpc(
              this.session,
              request.procedure,
              request.params.map(({ name, value, type, output }) => ({ name, value, type, output })),
              call.controller.signal,
            );
    } catch (err) {
      if (call.answered) return Buffer.alloc(0);
      this.log.error(
        {
          err,
          call: label(
            request.kind === 'batch'
              ? { kind: 'batch', sql: request.sql }
              : { kind: 'rpc', procedure: request.procedure },
          ),
        },
        'engine threw',
      );
      return buildErrorResponse(
        request.kind,
        serverName,
        simulatorError(`Simulator engine failure: ${err instanceof Error ? err.message : String(err)}`),
      );
    }
    const after = this.session.database;
    try {
      return buildResponse(
        {
          kind: request.kind,
          serverName,
          ...(request.kind === 'rpc' ? { params: request.params } : {}),
          ...(before !== after ? { databaseChange: { from: before, to: after } } : {}),
        },
        result,
      );
    } catch (err) {
      if (!(err instanceof TdsEncodeError)) throw err;
      this.log.error({ reason: err.message }, 'engine result cannot be encoded');
      return buildErrorResponse(
        request.kind,
        serverName,
        simulatorError(`The simulator could not encode the engine's result: ${err.message}`),
      );
    }
  }

  /** RESETCONNECTION: back to the login database; acknowledged with ENVCHANGE type 18. */
  private resetSession(): Buffer {
    const t = new TokenWriter(this.engine.serverName);
    if (this.session.database !== this.loginDatabase) {
      t.envChangeText(EnvChangeType.DATABASE, this.loginDatabase, this.session.database);
      this.session.database = this.loginDatabase;
    }
    t.envChangeBytes(EnvChangeType.RESET_CONNECTION, Buffer.alloc(0), Buffer.alloc(0));
    return t.toBuffer();
  }
}

function label(call: CallDescription): string {
  if (call.kind === 'rpc') return `RPC ${call.procedure}`;
  const sql = call.sql ?? '';
  return `batch "${sql.length > 60 ? `${sql.slice(0, 60)}…` : sql}"`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
