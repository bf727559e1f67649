import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';

/** holdfast logs structured JSON (pino). Secrets print as ******** by type; these paths are redacted too. */
export type Logger = PinoLogger;

export const REDACT_PATHS = [
  'password',
  'key',
  'encryptionKey',
  'connectionString',
  'url',
  'token',
  '*.password',
  '*.key',
  '*.encryptionKey',
  '*.connectionString',
  '*.token',
  '*.url',
];

export interface LoggerOptions {
  level?: string;
  /** Where JSON lines go; default stderr (stdout is for data). */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.HOLDFAST_LOG_LEVEL ?? 'info',
      base: { app: 'holdfast' },
      redact: { paths: REDACT_PATHS, censor: '********' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? pino.destination({ dest: 2, sync: true }),
  );
}

/** A logger that drops everything (tests, --quiet). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
