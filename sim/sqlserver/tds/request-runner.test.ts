import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger.ts';
import type { SessionInfo } from '../engine-api.ts';
import { FaultController } from './fault-controller.ts';
import { PacketType, type TdsMessage } from './packet-framing.ts';
import { RequestRunner, type ResponseSink } from './request-runner.ts';
import { EchoEngine } from './testing/echo-engine.ts';
import { Token } from './token-writer.ts';

/**
 * The runner's handling of message flags tedious rarely produces on cue (IGNORE, RESETCONNECTION,
 * a late ATTENTION, unsupported request kinds), driven with hand-made messages and a capturing sink.
 */
function setup(): {
  runner: RequestRunner;
  sent: Buffer[];
  closed: string[];
  session: SessionInfo;
  engine: EchoEngine;
} {
  const sent: Buffer[] = [];
  const closed: string[] = [];
  const sink: ResponseSink = {
    send: (p) => sent.push(p),
    sendPartThenDrop: (p) => sent.push(p.subarray(0, 1)),
    close: (reason) => closed.push(reason),
  };
  const engine = new EchoEngine();
  const session: SessionInfo = { id: 60, login: 'sa', database: 'appdb' };
  const runner = new RequestRunner(sink, session, { engine, faults: new FaultController() }, silentLogger());
  return { runner, sent, closed, session, engine };
}

function batch(sql: string, flags: Partial<TdsMessage> = {}): TdsMessage {
  const headers = Buffer.alloc(22);
  headers.writeUInt32LE(22, 0);
  headers.writeUInt32LE(18, 4);
  headers.writeUInt16LE(2, 8);
  headers.writeUInt32LE(1, 18);
  return {
    type: PacketType.SQL_BATCH,
    payload: Buffer.concat([headers, Buffer.from(sql, 'utf16le')]),
    ignore: false,
    resetConnection: false,
    ...flags,
  };
}

/** The DONE-family tokens at the end of a response: [token, status]. */
function lastDone(payload: Buffer): [number, number] {
  const at = payload.length - 13;
  return [payload[at]!, payload.readUInt16LE(at + 1)];
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

describe('RequestRunner message flags', () => {
  it('answers an IGNOREd message with a plain DONE and never calls the engine', async () => {
    const { runner, sent, engine } = setup();
    runner.onMessage(batch('SELECT DB_NAME()', { ignore: true }));
    await tick();
    expect(sent).toHaveLength(1);
    expect(lastDone(sent[0]!)).toEqual([Token.DONE, 0]);
    expect(engine.calls).toEqual([]);
  });

  it('acknowledges an ATTENTION with nothing in flight by DONE(ATTN) alone', async () => {
    const { runner, sent } = setup();
    runner.onMessage({
      type: PacketType.ATTENTION,
      payload: Buffer.alloc(0),
      ignore: false,
      resetConnection: false,
    });
    expect(sent.map(lastDone)).toEqual([[Token.DONE, 0x20]]);
  });

  it('cancels a running call: DONE for the request, then DONE(ATTN) in its own message', async () => {
    const { runner, sent, engine } = setup();
    runner.onMessage(batch('WAITFOR DELAY'));
    await tick();
    runner.onMessage({
      type: PacketType.ATTENTION,
      payload: Buffer.alloc(0),
      ignore: false,
      resetConnection: false,
    });
    await tick();
    expect(sent.map(lastDone)).toEqual([
      [Token.DONE, 0],
      [Token.DONE, 0x20],
    ]);
    expect(engine.aborted).toBe(1);
  });

  it('RESETCONNECTION returns to the login database and acknowledges with ENVCHANGE 18 before the response', async () => {
    const { runner, sent, session } = setup();
    runner.onMessage(batch('USE msdb'));
    await tick();
    expect(session.database).toBe('msdb');
    runner.onMessage(batch('set textsize 2147483647\nset quoted_identifier on', { resetConnection: true }));
    await tick();
    expect(session.database).toBe('appdb');
    const response = sent[1]!;
    expect(response[0]).toBe(Token.ENVCHANGE);
    expect(response[3]).toBe(1); // DATABASE first
    const second = 3 + response.readUInt16LE(1);
    expect(response[second]).toBe(Token.ENVCHANGE);
    expect(response[second + 3]).toBe(18);
    expect(lastDone(response)).toEqual([Token.DONE, 0]);
  });

  it('refuses transaction manager requests with an error and keeps going', async () => {
    const { runner, sent, closed } = setup();
    runner.onMessage({
      type: PacketType.TRANSACTION_MANAGER,
      payload: Buffer.alloc(4),
      ignore: false,
      resetConnection: false,
    });
    await tick();
    expect(sent[0]![0]).toBe(Token.ERROR);
    expect(sent[0]!.includes(Buffer.from('transaction manager requests', 'utf16le'))).toBe(true);
    expect(lastDone(sent[0]!)).toEqual([Token.DONE, 0x02]);
    expect(closed).toEqual([]);
  });

  it('closes the connection on a malformed RPC payload', async () => {
    const { runner, closed } = setup();
    runner.onMessage({
      type: PacketType.RPC,
      payload: Buffer.from([1, 2, 3]),
      ignore: false,
      resetConnection: false,
    });
    await tick();
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatch(
      /^malformed request: RPC request: ALL_HEADERS TotalLength needs 4 byte\(s\) at offset 0/,
    );
  });
});
