import type { SecretResolver } from '../../../src/config/secret-resolver.ts';
import { ErrorCode, HoldfastError } from '../../../src/core/errors.ts';
import type { ServerSpec } from '../job-spec-schema.ts';
import { isKnownTimeZone } from '../server-time.ts';
import { resolveServer } from '../server-target.ts';
import { SqlServerSession, type SqlServerTarget } from './sql-server-session.ts';

/** A server named on the command line. */
export interface ServerFlags {
  /** `HOST`, `HOST:PORT` or `HOST\INSTANCE`. */
  server: string;
  /** SQL login; absent: Microsoft Entra ID (DefaultAzureCredential). */
  user?: string;
  /** A secret reference (env:NAME, file:PATH, Key Vault), never the password itself. */
  passwordRef?: string;
  encrypt?: boolean;
  trustServerCertificate?: boolean;
  timeZone?: string;
}

function invalid(message: string): HoldfastError {
  return new HoldfastError(ErrorCode.ConfigInvalid, message);
}

/** Parses `HOST`, `HOST:PORT`, `[v6]:PORT` or `HOST\INSTANCE`. */
export function parseServerAddress(text: string): { host: string; port?: number; instance?: string } {
  const s = text.trim();
  const instance = /^([^\\]+)\\([^\\]+)$/.exec(s);
  if (instance) return { host: instance[1]!, instance: instance[2]! };
  const withPort = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(s);
  if (withPort) {
    const port = Number(withPort[2]);
    if (port < 1 || port > 65535) throw invalid(`--server ${text}: port ${port} is not between 1 and 65535`);
    return { host: withPort[1]!.replace(/^\[|\]$/g, ''), port };
  }
  if (s.length === 0 || /[\s:\\]/.test(s))
    throw invalid(`--server "${text}" is not HOST, HOST:PORT or HOST\\INSTANCE`);
  return { host: s };
}

function checkTimeZone(zone: string, where: string): string {
  if (!isKnownTimeZone(zone))
    throw invalid(`${where} "${zone}" is not an IANA time zone (such as UTC or Europe/London)`);
  return zone;
}

/**
 * The target for `--server HOST[:PORT] [--user U --password-ref REF]`, built with the LiteSpeed plugin's
 * own server resolution (so flags and job files connect the same way); the password is resolved here.
 */
export async function serverTargetFromFlags(
  flags: ServerFlags,
  resolveSecret: SecretResolver,
  baseDir: string,
): Promise<SqlServerTarget> {
  const address = parseServerAddress(flags.server);
  if (flags.passwordRef !== undefined && flags.user === undefined)
    throw invalid('--password-ref needs --user (without --user, holdfast signs in with Microsoft Entra ID)');
  if (flags.user !== undefined && flags.passwordRef === undefined) {
    throw invalid(
      `--user ${flags.user} needs --password-ref env:NAME (a secret reference; a password is never given on the command line)`,
    );
  }
  const spec: ServerSpec = {
    host: address.host,
    ...(address.port !== undefined ? { port: address.port } : {}),
    ...(address.instance !== undefined ? { instance: address.instance } : {}),
    auth:
      flags.user !== undefined
        ? { type: 'sql', user: flags.user, password: { secretRef: flags.passwordRef! } }
        : { type: 'entra' },
    encrypt: flags.encrypt ?? true,
    trustServerCertificate: flags.trustServerCertificate ?? false,
    timeZone: checkTimeZone(flags.timeZone ?? 'UTC', '--server-time-zone'),
    connectTimeoutSeconds: 15,
    queryTimeoutSeconds: 60,
  };
  return serverTargetFromSpec(spec, resolveSecret, baseDir);
}

/** The target a LiteSpeedBackup job's `spec.server` describes (host, port and password may be secret references). */
export async function serverTargetFromSpec(
  server: ServerSpec,
  resolveSecret: SecretResolver,
  baseDir: string,
  overrides: { timeZone?: string } = {},
): Promise<SqlServerTarget> {
  const timeZone = checkTimeZone(
    overrides.timeZone ?? server.timeZone,
    overrides.timeZone ? '--server-time-zone' : 'spec.server.timeZone',
  );
  const resolved = await resolveServer(server, (ref) => resolveSecret(ref, baseDir), 1);
  return { label: resolved.label, connection: resolved.target, timeZone, secrets: resolved.secrets };
}

/** How the command line names a server: flags, or a LiteSpeedBackup job's spec.server. */
export interface ServerChoice {
  server?: string;
  user?: string;
  passwordRef?: string;
  encrypt?: boolean;
  trustServerCertificate?: boolean;
  serverTimeZone?: string;
  job: { spec: ServerSpec; baseDir: string } | null;
}

/** A session on the chosen server (secrets resolved now), or null when none was named. */
export async function openServerSession(
  c: ServerChoice,
  resolveSecret: SecretResolver,
  cwd: string,
): Promise<SqlServerSession | null> {
  if (c.job) {
    if (c.user !== undefined || c.passwordRef !== undefined)
      throw invalid('--user and --password-ref come from the job with --job; leave them out');
    const zone = c.serverTimeZone ? { timeZone: c.serverTimeZone } : {};
    return new SqlServerSession(await serverTargetFromSpec(c.job.spec, resolveSecret, c.job.baseDir, zone));
  }
  if (c.server === undefined) return null;
  const flags: ServerFlags = { server: c.server };
  if (c.user !== undefined) flags.user = c.user;
  if (c.passwordRef !== undefined) flags.passwordRef = c.passwordRef;
  if (c.encrypt !== undefined) flags.encrypt = c.encrypt;
  if (c.trustServerCertificate !== undefined) flags.trustServerCertificate = c.trustServerCertificate;
  if (c.serverTimeZone !== undefined) flags.timeZone = c.serverTimeZone;
  return new SqlServerSession(await serverTargetFromFlags(flags, resolveSecret, cwd));
}
