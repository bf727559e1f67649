import type { ExecutionItem, SqlValue } from '../engine-api.ts';
import { fileListOnly, headerOnly, verifyBackup } from './backup-inspection.ts';
import { performBackup } from './backup-operation.ts';
import { setDatabaseReadOnly, setFilegroupReadOnly, setRecoveryModel } from './database-changes.ts';
import { sqlErrors, type Operation } from './error-catalog.ts';
import { errorItems } from './litespeed-procedures.ts';
import { RECOVERY_MODELS, type RecoveryModel } from './model.ts';
import type { ProcContext } from './procedure-types.ts';
import { performRestore } from './restore-operation.ts';
import { SqlError, errorMessage } from './sql-error.ts';
import type {
  AlterDatabaseStatement,
  BackupStatement,
  DeviceSpec,
  Expr,
  RestoreStatement,
} from './tsql-ast.ts';
import { interpretOptions, type EvaluatedOption, type ParsedOptions } from './with-options.ts';

type Evaluate = (e: Expr) => SqlValue;

/** Native BACKUP DATABASE/LOG: the same operation as xp_backup_*, with SQL Server's native format (device type 2). */
export async function runNativeBackup(
  ctx: ProcContext,
  stmt: BackupStatement,
  evaluate: Evaluate,
): Promise<ExecutionItem[]> {
  const operation: Operation = stmt.target === 'log' ? 'BACKUP LOG' : 'BACKUP DATABASE';
  try {
    const devices = [stmt.devices, ...stmt.mirrors].map((list) => diskPaths(list, evaluate));
    if (devices.some((d) => d.length !== devices[0]!.length)) throw sqlErrors.mirrorMembers();
    const o = options(stmt.options, stmt.target === 'log' ? 'backup-log' : 'backup-database', evaluate);
    const compressed = o.compression === true;
    const result = await performBackup(
      ctx.server,
      {
        format: 'native',
        operation,
        database: text(evaluate(stmt.database), 'database name'),
        kind: stmt.target,
        filegroups: stmt.filegroups.map((e) => text(evaluate(e), 'FILEGROUP')),
        files: stmt.files.map((e) => text(evaluate(e), 'FILE')),
        readWriteFilegroups: stmt.readWriteFilegroups,
        differential: o.differential,
        copyOnly: o.copyOnly,
        checksum: o.checksum,
        devices,
        init: o.init === true || o.format === true,
        formatMedia: o.format === true,
        noRecovery: o.noRecovery,
        noTruncate: o.noTruncate,
        continueAfterError: o.continueAfterError,
        compressionLevel: compressed ? 1 : 0,
        compressionRatio: compressed ? 0.35 : 1,
        encryption: null,
        name: o.name,
        description: o.description,
        statsPercent: o.stats,
        expiration: o.expiration,
        userName: ctx.session.login,
      },
      ctx.signal,
    );
    return result.messages.map((message) => ({ kind: 'message', message }));
  } catch (err) {
    if (err instanceof SqlError) return errorItems(err, operation);
    throw err;
  }
}

/** Native RESTORE DATABASE/LOG/HEADERONLY/FILELISTONLY/VERIFYONLY. Reading a LiteSpeed file fails 3241. */
export async function runNativeRestore(
  ctx: ProcContext,
  stmt: RestoreStatement,
  evaluate: Evaluate,
): Promise<ExecutionItem[]> {
  const operation: Operation =
    stmt.what === 'log'
      ? 'RESTORE LOG'
      : stmt.what === 'verifyonly'
        ? 'VERIFY DATABASE'
        : stmt.what === 'headeronly'
          ? 'RESTORE HEADERONLY'
          : stmt.what === 'filelistonly'
            ? 'RESTORE FILELISTONLY'
            : 'RESTORE DATABASE';
  try {
    const devices = diskPaths(stmt.devices, evaluate);
    if (stmt.what === 'labelonly') throw sqlErrors.optionsNotSupported('LABELONLY');
    if (stmt.what === 'database' || stmt.what === 'log') {
      const o = options(stmt.options, stmt.what === 'log' ? 'restore-log' : 'restore-database', evaluate);
      const result = await performRestore(
        ctx.server,
        {
          format: 'native',
          operation,
          kind: stmt.what,
          database: text(evaluate(stmt.database!), 'database name'),
          devices,
          position: o.file ?? 1,
          key: null,
          filegroups: stmt.filegroups.map((e) => text(evaluate(e), 'FILEGROUP')),
          files: stmt.files.map((e) => text(evaluate(e), 'FILE')),
          readWriteFilegroups: stmt.readWriteFilegroups,
          partial: o.partial,
          recovery: o.recovery,
          replace: o.replace,
          moves: o.moves,
          stopAt: o.stopAt,
          statsPercent: o.stats,
          continueAfterError: o.continueAfterError,
          userName: ctx.session.login,
        },
        ctx.signal,
      );
      return result.messages.map((message) => ({ kind: 'message', message }));
    }
    const o = options(stmt.options, stmt.what === 'verifyonly' ? 'verify' : 'inspect', evaluate);
    const req = {
      format: 'native' as const,
      operation: `RESTORE ${stmt.what.toUpperCase()}`,
      devices,
      key: null,
    };
    if (stmt.what === 'verifyonly')
      return (await verifyBackup(ctx.server, { ...req, position: o.file ?? 1 }, ctx.signal)).map(
        (message) => ({ kind: 'message', message }),
      );
    const rs =
      stmt.what === 'headeronly'
        ? await headerOnly(ctx.server, { ...req, position: o.file }, ctx.signal)
        : await fileListOnly(ctx.server, { ...req, position: o.file ?? 1 }, ctx.signal);
    return [{ kind: 'resultSet', resultSet: rs }];
  } catch (err) {
    if (err instanceof SqlError) return errorItems(err, operation);
    throw err;
  }
}

/** ALTER DATABASE ... SET RECOVERY / SET READ_ONLY|READ_WRITE / MODIFY FILEGROUP ... READ_ONLY|READ_WRITE. */
export function runAlterDatabase(
  ctx: ProcContext,
  stmt: AlterDatabaseStatement,
  evaluate: Evaluate,
): ExecutionItem[] {
  try {
    const db = ctx.server.requireDatabase(text(evaluate(stmt.database), 'database name'));
    const now = ctx.server.now();
    const a = stmt.action;
    if (a.kind === 'recovery') {
      if (!RECOVERY_MODELS.includes(a.model as RecoveryModel))
        throw new SqlError(102, `Incorrect syntax near '${a.model}'.`, { severity: 15 });
      setRecoveryModel(db, a.model as RecoveryModel, now);
    } else if (a.kind === 'database-access') setDatabaseReadOnly(db, a.readOnly, now);
    else {
      setFilegroupReadOnly(db, a.filegroup, a.readOnly, now);
      return [
        {
          kind: 'message',
          message: {
            number: 0,
            severity: 0,
            state: 1,
            message: `The filegroup property '${a.readOnly ? 'READ_ONLY' : 'READ_WRITE'}' has been set.`,
          },
        },
      ];
    }
    return [];
  } catch (err) {
    if (!(err instanceof SqlError)) throw err;
    return [err.toMessage(), ...err.following, errorMessage(5069, 'ALTER DATABASE statement failed.')].map(
      (message) => ({ kind: 'message', message }),
    );
  }
}

function diskPaths(list: DeviceSpec[], evaluate: Evaluate): string[] {
  return list.map((d) => {
    if (d.type !== 'DISK') throw sqlErrors.optionsNotSupported(`${d.type} devices`);
    return text(evaluate(d.path), 'DISK');
  });
}

function options(
  list: BackupStatement['options'],
  context: Parameters<typeof interpretOptions>[1],
  evaluate: Evaluate,
): ParsedOptions {
  const evaluated: EvaluatedOption[] = list.map((o) => ({
    name: o.name,
    value: o.value === null ? null : evaluate(o.value),
    ...(o.moveTo ? { moveTo: evaluate(o.moveTo) } : {}),
  }));
  return interpretOptions(evaluated, context, (names) => sqlErrors.optionsNotSupported(names));
}

function text(v: SqlValue, what: string): string {
  if (typeof v !== 'string' || v.length === 0)
    throw new SqlError(3217, `Invalid value specified for ${what} parameter.`);
  return v;
}
