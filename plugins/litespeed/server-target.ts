import { ErrorCode, HoldfastError } from '../../src/core/errors.ts';
import { isSecretRef, type SecretRef } from '../../src/core/job.ts';
import type { Secret } from '../../src/core/secret.ts';
import type { ServerSpec } from './job-spec-schema.ts';
import type { ConnectionTarget } from './sql-connection.ts';

export interface ResolvedServer {
  /** How targets, step ids and concurrency groups name the server: `sql01`, `sql01:14330`, `sql01\DW`. */
  label: string;
  /** The master-database connection. */
  target: ConnectionTarget;
  /** Secrets to scrub from server messages. */
  secrets: Secret[];
}

type Resolve = (ref: SecretRef) => Promise<Secret>;

/** Resolves the server's references (host and port may come from the environment) into a connection target. */
export async function resolveServer(
  server: ServerSpec,
  resolveSecret: Resolve,
  maxConnections: number,
): Promise<ResolvedServer> {
  const secrets: Secret[] = [];
  const host = isSecretRef(server.host) ? (await resolveSecret(server.host)).reveal().trim() : server.host;
  let port: number | undefined;
  if (isSecretRef(server.port)) {
    const text = (await resolveSecret(server.port)).reveal().trim();
    port = Number(text);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new HoldfastError(
        ErrorCode.ConfigInvalid,
        `server.port from ${server.port.secretRef} is "${text}", not a TCP port (1-65535)`,
      );
    }
  } else {
    port = server.port;
  }
  if (host === '') throw new HoldfastError(ErrorCode.ConfigInvalid, 'server.host is empty');
  let auth: ConnectionTarget['auth'];
  if (server.auth.type === 'sql') {
    const password = await resolveSecret(server.auth.password);
    secrets.push(password);
    auth = { type: 'sql', user: server.auth.user, password };
  } else {
    auth = { type: 'entra' };
  }
  const label = `${host.toLowerCase()}${server.instance ? `\\${server.instance}` : port !== undefined && port !== 1433 ? `:${port}` : ''}`;
  return {
    label,
    secrets,
    target: {
      host,
      ...(port !== undefined ? { port } : {}),
      ...(server.instance ? { instance: server.instance } : {}),
      database: 'master',
      auth,
      encrypt: server.encrypt,
      trustServerCertificate: server.trustServerCertificate,
      connectTimeoutMs: server.connectTimeoutSeconds * 1000,
      queryTimeoutMs: server.queryTimeoutSeconds * 1000,
      maxConnections: maxConnections + 1,
    },
  };
}

/** The executor's concurrency group for a server. */
export function serverGroup(label: string): string {
  return `sqlserver:${label}`;
}
