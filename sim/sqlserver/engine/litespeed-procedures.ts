import type { ExecutionItem, ResultSet, SqlMessage } from '../engine-api.ts';
import type { BackupSetImage } from './backup-set-image.ts';
import { verifyBackup, headerOnly, fileListOnly } from './backup-inspection.ts';
import { performBackup, type BackupRequest } from './backup-operation.ts';
import { parseWithOptions } from './backup-statement-parser.ts';
import { terminating, type Operation } from './error-catalog.ts';
import { liteSpeedErrors } from './litespeed-errors.ts';
import {
  BACKUP_DATABASE_PARAMS,
  BACKUP_LOG_PARAMS,
  INSPECT_PARAMS,
  readParams,
  RESTORE_DATABASE_PARAMS,
  RESTORE_LOG_PARAMS,
  VERIFY_PARAMS,
  type ParamSpecs,
} from './litespeed-params.ts';
import type { ProcArg, ProcContext, ProcHandler, ProcResult } from './procedure-types.ts';
import { performRestore } from './restore-operation.ts';
import { col, resultSet, T } from './result-columns.ts';
import { SqlError } from './sql-error.ts';
import { tokenize } from './tsql-lexer.ts';
import { TokenStream } from './token-stream.ts';
import { interpretOptions, type EvaluatedOption, type OptionContext } from './with-options.ts';

/** Modelled size after LiteSpeed compression, by @compressionlevel (0 = none). */
const COMPRESSION_RATIO = [1, 0.4, 0.34, 0.3, 0.29, 0.28, 0.27, 0.24, 0.22];
/** LiteSpeed's default when neither @compressionlevel nor @adaptivecompression is given (unconfirmed). */
const DEFAULT_COMPRESSION = 2;

const SPECS: Record<string, ParamSpecs> = {
  xp_backup_database: BACKUP_DATABASE_PARAMS,
  xp_backup_log: BACKUP_LOG_PARAMS,
  xp_restore_database: RESTORE_DATABASE_PARAMS,
  xp_restore_log: RESTORE_LOG_PARAMS,
  xp_restore_verifyonly: VERIFY_PARAMS,
  xp_restore_headeronly: INSPECT_PARAMS,
  xp_restore_filelistonly: INSPECT_PARAMS,
};

const OPERATION: Record<string, Operation> = {
  xp_backup_database: 'BACKUP DATABASE',
  xp_backup_log: 'BACKUP LOG',
  xp_restore_database: 'RESTORE DATABASE',
  xp_restore_log: 'RESTORE LOG',
  xp_restore_verifyonly: 'VERIFY DATABASE',
  xp_restore_headeronly: 'RESTORE HEADERONLY',
  xp_restore_filelistonly: 'RESTORE FILELISTONLY',
};

type Body = (ctx: ProcContext, args: ProcArg[]) => Promise<ExecutionItem[]>;

/**
 * Runs a LiteSpeed procedure body: success is return code 0 with its INFO messages and result
 * sets; any error becomes ERROR messages (a SQL Server error is followed by its 3013) and return
 * code 1, as LiteSpeed reports failures both ways. `EXEC xp_... show_help` lists the parameters.
 */
function liteSpeed(name: string, body: Body): ProcHandler {
  return async (ctx, args): Promise<ProcResult> => {
    if (args.length === 1 && args[0]!.name === null && String(args[0]!.value).toLowerCase() === 'show_help') {
      return { items: [{ kind: 'resultSet', resultSet: help(SPECS[name]!) }], returnValue: 0 };
    }
    try {
      return { items: await body(ctx, args), returnValue: 0 };
    } catch (err) {
      if (!(err instanceof SqlError)) throw err;
      return { items: errorItems(err, OPERATION[name]!, name), returnValue: 1 };
    }
  };
}

export function errorItems(err: SqlError, operation: Operation, procName?: string): ExecutionItem[] {
  const msgs: SqlMessage[] = [err.toMessage(procName), ...err.following];
  if (err.number < 50000 && err.severity >= 11 && !err.following.some((m) => m.number === 3013))
    msgs.push(terminating(operation));
  return msgs.map((message) => ({ kind: 'message', message }));
}

/** Parses @with values (each may hold several comma-separated options) into evaluated options. */
export function parseWithValues(
  values: string[],
  context: OptionContext,
): ReturnType<typeof interpretOptions> {
  const options: EvaluatedOption[] = [];
  for (const text of values) {
    const s = new TokenStream(tokenize(text), text);
    for (const o of parseWithOptions(s)) {
      const literal = (e: typeof o.value): EvaluatedOption['value'] => {
        if (e === null || e === undefined) return null;
        if (e.kind === 'literal') return e.value;
        throw liteSpeedErrors.parameter('@with', `option ${o.name} needs a constant value`);
      };
      options.push({
        name: o.name,
        value: literal(o.value),
        ...(o.moveTo ? { moveTo: literal(o.moveTo) } : {}),
      });
    }
    if (!s.atEnd()) throw liteSpeedErrors.parameter('@with', `cannot read ${JSON.stringify(text)}`);
  }
  return interpretOptions(options, context, (names) =>
    liteSpeedErrors.parameter('@with', `${names} is not a valid option here`),
  );
}

const backup =
  (kind: 'database' | 'log'): Body =>
  async (ctx, args) => {
    const name = kind === 'database' ? 'xp_backup_database' : 'xp_backup_log';
    const p = readParams(name, args, SPECS[name]!);
    if (p.int('read_write_filegroups') === 0 && (p.has('filegroup') || p.has('file')))
      throw liteSpeedErrors.readWriteFilegroupsZero();
    const o = parseWithValues(p.strings('with'), kind === 'database' ? 'backup-database' : 'backup-log');
    if (p.has('compressionlevel') && p.has('adaptivecompression'))
      throw liteSpeedErrors.parameter('@adaptivecompression', 'cannot be combined with @compressionlevel');
    if (p.has('cryptlevel') && !p.has('encryptionkey'))
      throw liteSpeedErrors.parameter('@cryptlevel', 'requires @encryptionkey');
    const filenames = p.strings('filename');
    const mirrors = p.strings('mirror');
    if (mirrors.length > 0 && mirrors.length !== filenames.length) {
      throw liteSpeedErrors.parameter(
        '@mirror',
        `${mirrors.length} mirror file(s) for ${filenames.length} @filename stripe(s); give one @mirror per @filename`,
      );
    }
    const adaptive = p.string('adaptivecompression')?.toLowerCase();
    const level = adaptive
      ? adaptive === 'speed'
        ? 2
        : 7
      : Math.min(8, p.int('compressionlevel') ?? DEFAULT_COMPRESSION);
    const key = p.string('encryptionkey');
    const request: BackupRequest = {
      format: 'litespeed',
      operation: name,
      database: p.string('database')!,
      kind,
      filegroups: p.strings('filegroup'),
      files: p.strings('file'),
      readWriteFilegroups: p.int('read_write_filegroups') === 1,
      differential: o.differential,
      copyOnly: o.copyOnly,
      checksum: o.checksum,
      devices: mirrors.length > 0 ? [filenames, mirrors] : [filenames],
      init: p.int('init') === 1,
      formatMedia: (p.int('format') ?? 0) > 0,
      noRecovery: o.noRecovery,
      noTruncate: o.noTruncate,
      continueAfterError: o.continueAfterError,
      compressionLevel: level,
      compressionRatio: COMPRESSION_RATIO[level]!,
      encryption: key === null ? null : { key, cryptLevel: p.int('cryptlevel') ?? 8 },
      name: p.string('backupname') ?? o.name,
      description: p.string('desc') ?? o.description,
      statsPercent: o.stats || 25,
      expiration:
        p.date('expiration') ??
        (p.int('retaindays') !== null ? { days: p.int('retaindays')! } : o.expiration),
      userName: ctx.session.login,
    };
    const result = await performBackup(ctx.server, request, ctx.signal);
    const items: ExecutionItem[] = result.messages.map((message) => ({ kind: 'message', message }));
    if (p.int('verify') === 1) {
      const messages = await verifyBackup(
        ctx.server,
        {
          format: 'litespeed',
          operation: 'xp_restore_verifyonly',
          devices: filenames,
          position: result.position,
          key,
        },
        ctx.signal,
      );
      items.push(...messages.map((message): ExecutionItem => ({ kind: 'message', message })));
    }
    if (p.int('returndetails') === 1)
      items.push({
        kind: 'resultSet',
        resultSet: backupDetails(result.image, result.position, filenames.length),
      });
    return items;
  };

const restore =
  (kind: 'database' | 'log'): Body =>
  async (ctx, args) => {
    const name = kind === 'database' ? 'xp_restore_database' : 'xp_restore_log';
    const p = readParams(name, args, SPECS[name]!);
    const o = parseWithValues(p.strings('with'), kind === 'database' ? 'restore-database' : 'restore-log');
    const database = p.string('database')!;
    const result = await performRestore(
      ctx.server,
      {
        format: 'litespeed',
        operation: name,
        kind,
        database,
        devices: p.strings('filename'),
        position: p.int('filenumber') ?? o.file ?? 1,
        key: p.string('encryptionkey'),
        filegroups: p.strings('filegroup'),
        files: p.strings('file'),
        readWriteFilegroups: p.int('read_write_filegroups') === 1,
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
    const progress: SqlMessage[] = [25, 50, 75, 100].map((n) => ({
      number: 0,
      severity: 0,
      state: 1,
      message: `Restore progress: ${n}%`,
    }));
    const items: ExecutionItem[] = [...progress, ...result.messages].map((message) => ({
      kind: 'message',
      message,
    }));
    if (p.int('returndetails') === 1) {
      const db = ctx.server.database(database);
      items.push({
        kind: 'resultSet',
        resultSet: resultSet(
          [col('Database', T.sysname), col('State', T.nvarchar(60)), col('Recovered', T.bit)],
          [{ Database: database, State: db?.state ?? null, Recovered: result.recovered }],
        ),
      });
    }
    return items;
  };

const inspect =
  (name: 'xp_restore_verifyonly' | 'xp_restore_headeronly' | 'xp_restore_filelistonly'): Body =>
  async (ctx, args) => {
    const p = readParams(name, args, SPECS[name]!);
    const position = p.int('filenumber');
    const req = {
      format: 'litespeed' as const,
      operation: name,
      devices: p.strings('filename'),
      key: p.string('encryptionkey'),
    };
    if (name === 'xp_restore_verifyonly') {
      parseWithValues(p.strings('with'), 'verify');
      const messages = await verifyBackup(ctx.server, { ...req, position: position ?? 1 }, ctx.signal);
      return messages.map((message): ExecutionItem => ({ kind: 'message', message }));
    }
    const rs =
      name === 'xp_restore_headeronly'
        ? await headerOnly(ctx.server, { ...req, position }, ctx.signal)
        : await fileListOnly(ctx.server, { ...req, position: position ?? 1 }, ctx.signal);
    return [{ kind: 'resultSet', resultSet: rs }];
  };

export const liteSpeedProcedures: Record<string, ProcHandler> = {
  xp_backup_database: liteSpeed('xp_backup_database', backup('database')),
  xp_backup_log: liteSpeed('xp_backup_log', backup('log')),
  xp_restore_database: liteSpeed('xp_restore_database', restore('database')),
  xp_restore_log: liteSpeed('xp_restore_log', restore('log')),
  xp_restore_verifyonly: liteSpeed('xp_restore_verifyonly', inspect('xp_restore_verifyonly')),
  xp_restore_headeronly: liteSpeed('xp_restore_headeronly', inspect('xp_restore_headeronly')),
  xp_restore_filelistonly: liteSpeed('xp_restore_filelistonly', inspect('xp_restore_filelistonly')),
};

function backupDetails(image: BackupSetImage, position: number, stripes: number): ResultSet {
  return resultSet(
    [
      col('Database', T.sysname),
      col('BackupType', T.char1),
      col('BackupSetGUID', T.guid),
      col('Position', T.int),
      col('Stripes', T.int),
      col('FirstLSN', T.lsn),
      col('LastLSN', T.lsn),
      col('CheckpointLSN', T.lsn),
      col('DatabaseBackupLSN', T.lsn),
      col('BackupSize', T.bigint),
      col('CompressedBackupSize', T.bigint),
      col('BackupStartDate', T.datetime),
      col('BackupFinishDate', T.datetime),
    ],
    [
      {
        Database: image.databaseName,
        BackupType: image.type,
        BackupSetGUID: image.backupSetGuid,
        Position: position,
        Stripes: stripes,
        FirstLSN: image.firstLsn,
        LastLSN: image.lastLsn,
        CheckpointLSN: image.checkpointLsn,
        DatabaseBackupLSN: image.databaseBackupLsn,
        BackupSize: image.backupSize,
        CompressedBackupSize: image.compressedBackupSize,
        BackupStartDate: new Date(image.backupStartDate),
        BackupFinishDate: new Date(image.backupFinishDate),
      },
    ],
  );
}

function help(specs: ParamSpecs): ResultSet {
  return resultSet(
    [
      col('Parameter', T.sysname),
      col('Type', T.nvarchar(20)),
      col('Repeatable', T.bit),
      col('Required', T.bit),
      col('Range', T.nvarchar(100)),
    ],
    Object.entries(specs).map(([name, s]) => ({
      Parameter: `@${name}`,
      Type: s.kind,
      Repeatable: s.repeatable === true,
      Required: s.required === true,
      Range: s.oneOf
        ? s.oneOf.join('|')
        : s.min !== undefined || s.max !== undefined
          ? `${s.min ?? ''}..${s.max ?? ''}`
          : s.maxLength !== undefined
            ? `<= ${s.maxLength} chars`
            : null,
    })),
  );
}
