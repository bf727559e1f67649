import type { SqlMessage } from '../engine-api.ts';

/**
 * Which calls a fault applies to. Calls are RPC and SQL batch requests (client housekeeping such as
 * tedious' SET batch and mssql's `SELECT 1;` pool probe is not counted), over all connections,
 * counted from the moment the fault was set. All given conditions must hold.
 */
export interface CallMatch {
  /** Only the n-th matching call (1 = the first after the fault was set). Fires once. */
  nth?: number;
  /**
   * The RPC's procedure. A string matches case-insensitively, either the whole name as sent or
   * its last part (`xp_backup_database` matches `master.dbo.xp_backup_database`); brackets are
   * ignored. A RegExp is tested against the name as sent. Never matches a SQL batch.
   */
  procedure?: string | RegExp;
  /** Case-insensitive substring of the SQL text: a batch's text or sp_executesql's statement. */
  sqlContains?: string;
  /** Fire on the first matching call only, then forget the fault. */
  once?: boolean;
}

/** The call being matched, as the connection describes it. */
export interface CallDescription {
  kind: 'batch' | 'rpc';
  procedure?: string;
  sql?: string;
}

/** When a dropped connection is cut: before the engine runs, or mid-response after it ran. */
export type DropPoint = 'before-engine' | 'mid-response';

export type FaultAction = { kind: 'drop'; at: DropPoint } | { kind: 'fail'; message: SqlMessage };

interface Rule {
  match: CallMatch;
  action: FaultAction;
  seen: number;
  spent: boolean;
}

/**
 * Connection-level faults on demand, settable at any time while the server runs. Faults that
 * belong to the simulated database (disk full during a backup...) are the engine's business.
 */
export class FaultController {
  private rules: Rule[] = [];
  private delayMs = 0;

  /**
   * Close the connection while handling a matching call, after its request was read and before a
   * full response was sent. `at: 'mid-response'` (default) lets the engine run and cuts the socket
   * after part of the response; `'before-engine'` cuts it before the engine sees the call.
   */
  dropConnectionOnCall(match: CallMatch, options: { at?: DropPoint } = {}): void {
    this.add(match, { kind: 'drop', at: options.at ?? 'mid-response' });
  }

  /** Answer a matching call with this ERROR (or INFO, when severity <= 10) instead of calling the engine. */
  failCall(match: CallMatch, message: SqlMessage): void {
    if (!message || typeof message.message !== 'string' || typeof message.number !== 'number') {
      throw new TypeError('failCall: message must be a SqlMessage with a number and a message text');
    }
    this.add(match, { kind: 'fail', message });
  }

  /** Slow every response to RPC and batch calls by `ms` milliseconds; 0 turns it off. */
  delay(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError(`delay: ${ms} is not a non-negative number of milliseconds`);
    this.delayMs = ms;
  }

  /** Forget every fault and the delay. */
  reset(): void {
    this.rules = [];
    this.delayMs = 0;
  }

  get responseDelayMs(): number {
    return this.delayMs;
  }

  /**
   * Counts the call against every fault and returns the action to take, if any (a drop wins over
   * a failure when both fire). Used by the protocol layer once per RPC or batch call.
   */
  onCall(call: CallDescription): FaultAction | undefined {
    let chosen: FaultAction | undefined;
    for (const rule of this.rules) {
      if (rule.spent || !matches(rule.match, call)) continue;
      rule.seen += 1;
      if (rule.match.nth !== undefined && rule.seen !== rule.match.nth) continue;
      if (rule.match.once || rule.match.nth !== undefined) rule.spent = true;
      if (!chosen || (chosen.kind === 'fail' && rule.action.kind === 'drop')) chosen = rule.action;
    }
    this.rules = this.rules.filter((r) => !r.spent);
    return chosen;
  }

  private add(match: CallMatch, action: FaultAction): void {
    if (match.nth !== undefined && (!Number.isInteger(match.nth) || match.nth < 1)) {
      throw new RangeError(`fault match: nth must be an integer >= 1, got ${match.nth}`);
    }
    this.rules.push({ match: { ...match }, action, seen: 0, spent: false });
  }
}

function bare(name: string): string {
  return name.replace(/[[\]]/g, '').toLowerCase();
}

function matches(match: CallMatch, call: CallDescription): boolean {
  if (match.procedure !== undefined) {
    if (call.kind !== 'rpc' || call.procedure === undefined) return false;
    if (match.procedure instanceof RegExp) {
      match.procedure.lastIndex = 0;
      if (!match.procedure.test(call.procedure)) return false;
    } else {
      const want = bare(match.procedure);
      const full = bare(call.procedure);
      if (full !== want && full.split('.').pop() !== want) return false;
    }
  }
  if (match.sqlContains !== undefined) {
    if (call.sql === undefined || !call.sql.toLowerCase().includes(match.sqlContains.toLowerCase()))
      return false;
  }
  return true;
}
