import type { SqlMessage } from '../engine-api.ts';

/**
 * An error the simulated server raises, with SQL Server's number, severity and state. `preceding`
 * holds messages that go out before it (warnings, the real error before a 3013...).
 * Throwing one aborts the current statement; the interpreter turns it into ERROR tokens.
 */
export class SqlError extends Error {
  readonly number: number;
  readonly severity: number;
  readonly state: number;
  /** Sent after the main error (SQL Server's "... is terminating abnormally." 3013). */
  readonly following: SqlMessage[];
  /** The whole batch stops (THROW, compile errors), not only the statement. */
  readonly abortsBatch: boolean;

  constructor(
    number: number,
    message: string,
    options: { severity?: number; state?: number; following?: SqlMessage[]; abortsBatch?: boolean } = {},
  ) {
    super(message);
    this.name = 'SqlError';
    this.number = number;
    this.severity = options.severity ?? 16;
    this.state = options.state ?? 1;
    this.following = options.following ?? [];
    this.abortsBatch = options.abortsBatch ?? false;
  }

  toMessage(procName?: string): SqlMessage {
    return {
      number: this.number,
      severity: this.severity,
      state: this.state,
      message: this.message,
      ...(procName ? { procName } : {}),
      lineNumber: 1,
    };
  }

  /** The same error followed by `message` (e.g. 3013 after a restore rule violation). */
  withFollowing(...messages: SqlMessage[]): SqlError {
    return new SqlError(this.number, this.message, {
      severity: this.severity,
      state: this.state,
      following: [...this.following, ...messages],
      abortsBatch: this.abortsBatch,
    });
  }
}

/** An informational message (INFO token): severity 0 for PRINT-like output, 10 for SQL Server notices. */
export function info(message: string, number = 0, severity = 0): SqlMessage {
  return { number, severity, state: 1, message };
}

/** An error message object (not thrown), e.g. for 3013. */
export function errorMessage(number: number, message: string, severity = 16, state = 1): SqlMessage {
  return { number, severity, state, message, lineNumber: 1 };
}
