/**
 * Faults that belong to the simulated server rather than the connection: a procedure call that
 * fails with a chosen error, a disk that fills up during a backup, a backup file that gets
 * corrupted (so the verify after it fails), slowness per call. Dropped connections are the protocol
 * layer's (see tds/fault-controller.ts).
 *
 * Operations are named by procedure (`xp_backup_database`, `xp_restore_verifyonly`, ...) or by native
 * statement (`BACKUP DATABASE`, `RESTORE LOG`, ...). Calls are counted from the moment a fault is set.
 */
export interface OperationMatch {
  /** Case-insensitive: the procedure's last name part (`xp_backup_log`) or a statement (`BACKUP DATABASE`). */
  operation?: string;
  /** Only calls for this database (case-insensitive). */
  database?: string;
  /** Only the n-th matching call (1 = first); fires once. */
  nth?: number;
  /** Fire on the first matching call only. */
  once?: boolean;
}

export interface InjectedError {
  number: number;
  message: string;
  severity?: number;
}

type FaultKind =
  | { kind: 'fail'; error: InjectedError }
  | { kind: 'disk-full' }
  | { kind: 'corrupt-after' }
  | { kind: 'corrupt-before' }
  | { kind: 'slow'; ms: number };

interface Rule {
  match: OperationMatch;
  fault: FaultKind;
  seen: number;
  spent: boolean;
}

/** What the operation must do for this call. */
export interface CallFaults {
  error: InjectedError | null;
  diskFull: boolean;
  /** Corrupt the backup files right after writing them. */
  corruptAfterWrite: boolean;
  /** Corrupt the files about to be read (verify/restore). */
  corruptBeforeRead: boolean;
  delayMs: number;
}

export class EngineFaults {
  #rules: Rule[] = [];

  /** The matching call fails with `error` (LiteSpeed 60601, say) before doing anything. */
  failCall(match: OperationMatch, error: InjectedError): void {
    if (typeof error?.number !== 'number' || typeof error.message !== 'string')
      throw new TypeError('failCall: error needs a number and a message');
    this.#add(match, { kind: 'fail', error });
  }

  /** The matching backup runs out of disk space while writing: error 112, partial files removed, no msdb row. */
  diskFull(match: OperationMatch = {}): void {
    this.#add(match, { kind: 'disk-full' });
  }

  /** The matching backup succeeds, then its files are damaged (a later verify or restore fails). */
  corruptBackup(match: OperationMatch = {}): void {
    this.#add(match, { kind: 'corrupt-after' });
  }

  /** The files read by the matching verify/restore are damaged just before it reads them. */
  failVerify(match: OperationMatch = { operation: 'xp_restore_verifyonly' }): void {
    this.#add(match, { kind: 'corrupt-before' });
  }

  /** The matching calls take `ms` longer (while the database is being backed up or restored). */
  slow(match: OperationMatch, ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError(`slow: ${ms} is not a non-negative number of milliseconds`);
    this.#add(match, { kind: 'slow', ms });
  }

  reset(): void {
    this.#rules = [];
  }

  get pending(): number {
    return this.#rules.length;
  }

  /** Counts one call against every rule and says which faults fire. */
  onCall(operation: string, database: string | null): CallFaults {
    const out: CallFaults = {
      error: null,
      diskFull: false,
      corruptAfterWrite: false,
      corruptBeforeRead: false,
      delayMs: 0,
    };
    for (const rule of this.#rules) {
      if (rule.spent || !matches(rule.match, operation, database)) continue;
      rule.seen += 1;
      if (rule.match.nth !== undefined && rule.seen !== rule.match.nth) continue;
      if (rule.match.once || rule.match.nth !== undefined) rule.spent = true;
      const f = rule.fault;
      if (f.kind === 'fail') out.error ??= f.error;
      else if (f.kind === 'disk-full') out.diskFull = true;
      else if (f.kind === 'corrupt-after') out.corruptAfterWrite = true;
      else if (f.kind === 'corrupt-before') out.corruptBeforeRead = true;
      else out.delayMs += f.ms;
    }
    this.#rules = this.#rules.filter((r) => !r.spent);
    return out;
  }

  #add(match: OperationMatch, fault: FaultKind): void {
    if (match.nth !== undefined && (!Number.isInteger(match.nth) || match.nth < 1))
      throw new RangeError(`nth must be an integer >= 1, got ${match.nth}`);
    this.#rules.push({ match: { ...match }, fault, seen: 0, spent: false });
  }
}

function matches(match: OperationMatch, operation: string, database: string | null): boolean {
  if (match.operation !== undefined) {
    const want = match.operation.replace(/[[\]]/g, '').toLowerCase();
    const got = operation.replace(/[[\]]/g, '').toLowerCase();
    if (got !== want && got.split('.').pop() !== want) return false;
  }
  if (
    match.database !== undefined &&
    (database === null || database.toLowerCase() !== match.database.toLowerCase())
  )
    return false;
  return true;
}
