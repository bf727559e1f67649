import type { SqlMessage } from '../engine-api.ts';
import { FeatureId, type Login7 } from './login7.ts';
import { CurCmd, DoneStatus, EnvChangeType, Token, TokenWriter } from './token-writer.ts';

export const PROGRAM_NAME = 'Microsoft SQL Server';
export const LANGUAGE = 'us_english';
export const MIN_PACKET_SIZE = 512;
export const MAX_PACKET_SIZE = 32767;
export const DEFAULT_PACKET_SIZE = 4096;

/** The packet size the server agrees to: the client's request, held within 512..32767. */
export function negotiatePacketSize(requested: number): number {
  if (!requested) return DEFAULT_PACKET_SIZE;
  return Math.min(MAX_PACKET_SIZE, Math.max(MIN_PACKET_SIZE, requested));
}

export function loginFailedMessage(user: string): SqlMessage {
  return { number: 18456, state: 1, severity: 14, message: `Login failed for user '${user}'.` };
}

/**
 * Why a LOGIN7 is refused before the engine is asked, or undefined when it may proceed:
 * integrated (SSPI/NTLM) and federated (Entra ID) authentication are not simulated.
 */
export function unsupportedLogin(login: Login7): SqlMessage | undefined {
  if (login.integratedSecurity || login.sspiLength > 0) {
    return {
      number: 18452,
      state: 1,
      severity: 14,
      message:
        'Login failed. The login is from an untrusted domain and cannot be used with Integrated authentication.',
    };
  }
  if (login.features.has(FeatureId.FEDAUTH)) {
    return {
      number: 18456,
      state: 1,
      severity: 14,
      message:
        'Login failed: federated (Microsoft Entra) authentication is not supported by the simulator; use SQL authentication.',
    };
  }
  return undefined;
}

/** ERROR and DONE(ERROR): the whole answer to a refused login, after which the server closes. */
export function buildLoginFailure(serverName: string, error: SqlMessage): Buffer {
  return new TokenWriter(serverName)
    .message(error)
    .done(Token.DONE, DoneStatus.ERROR, CurCmd.NONE, 0)
    .toBuffer();
}

export interface LoginSuccess {
  serverName: string;
  database: string;
  tdsVersion: number;
  version: { major: number; minor: number; build: number };
  packetSize: number;
  /** Feature ids the client requested in FeatureExt. */
  requestedFeatures: ReadonlySet<number>;
}

/**
 * The tokens SQL Server sends for a successful login, in its order: ENVCHANGE database, INFO 5701,
 * ENVCHANGE collation, ENVCHANGE language, INFO 5703, LOGINACK, FEATUREEXTACK (UTF-8 support, when
 * the client asked for extensions), ENVCHANGE packet size, DONE.
 */
export function buildLoginSuccess(s: LoginSuccess): Buffer {
  const t = new TokenWriter(s.serverName)
    .envChangeText(EnvChangeType.DATABASE, s.database, 'master')
    .message({ number: 5701, state: 2, severity: 0, message: `Changed database context to '${s.database}'.` })
    .collation()
    .envChangeText(EnvChangeType.LANGUAGE, LANGUAGE, '')
    .message({ number: 5703, state: 1, severity: 0, message: `Changed language setting to ${LANGUAGE}.` })
    .loginAck(s.tdsVersion, PROGRAM_NAME, s.version);
  if (s.requestedFeatures.has(FeatureId.UTF8_SUPPORT)) {
    t.featureExtAck([[FeatureId.UTF8_SUPPORT, Buffer.from([0x01])]]);
  }
  return t
    .envChangeText(EnvChangeType.PACKET_SIZE, String(s.packetSize), String(DEFAULT_PACKET_SIZE))
    .done(Token.DONE, DoneStatus.FINAL, CurCmd.NONE, 0)
    .toBuffer();
}
