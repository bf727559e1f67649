import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionItem } from '../engine-api.ts';
import { liteSpeedErrors } from './litespeed-errors.ts';
import type { ProcArg, ProcContext, ProcHandler } from './procedure-types.ts';
import { col, resultSet, T } from './result-columns.ts';
import type { ServerModel } from './server-model.ts';
import { magicFor } from './media-file.ts';
import { SqlError, info } from './sql-error.ts';
import { dateValue } from './with-options.ts';

const UNIT_MS: Record<string, number> = {
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
  weeks: 604_800_000,
};

/**
 * xp_slssqlmaint, LiteSpeed's maintenance command line. Supported:
 *
 * - age-based cleanup, as Ola's DatabaseBackup calls it:
 *   `-MAINTDEL -DELFOLDER "<folder>" -DELEXTENSION "<ext>" -DELUNIT "<n>" -DELUNITTYPE "minutes|hours|days|weeks" [-DELUSEAGE]`
 *   deletes the files of that folder (not its subfolders) with that extension last written more than
 *   n units before the simulator's clock;
 * - one file (the simulator's own form, for chain-aware retention):
 *   `-MAINTDEL -DELFILE "<path>"`.
 *
 * Each deleted file is reported as an INFO message "Deleted file: <path>".
 */
const slsSqlMaint: ProcHandler = async (ctx, args) => {
  try {
    const command = positionalText(args, 'xp_slssqlmaint');
    const opts = parseCommandLine(command);
    if (!opts.has('-MAINTDEL'))
      throw liteSpeedErrors.maintenance('only -MAINTDEL (file deletion) is supported by the simulator');
    const deleted = opts.has('-DELFILE')
      ? await deleteOne(ctx.server, opts.get('-DELFILE')!)
      : await deleteByAge(ctx.server, opts);
    const items: ExecutionItem[] = deleted.map((p) => ({
      kind: 'message',
      message: info(`Deleted file: ${p}`),
    }));
    items.push({ kind: 'message', message: info(`xp_slssqlmaint: ${deleted.length} file(s) deleted.`) });
    return { items, returnValue: 0 };
  } catch (err) {
    if (!(err instanceof SqlError)) throw err;
    return { items: [{ kind: 'message', message: err.toMessage('xp_slssqlmaint') }], returnValue: 1 };
  }
};

function parseCommandLine(command: string): Map<string, string | null> {
  const out = new Map<string, string | null>();
  const re = /\s*(-[A-Za-z]+)(?:\s+(?:"([^"]*)"|([^\s"-][^\s"]*)))?/y;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = re.exec(command)) !== null) {
    out.set(m[1]!.toUpperCase(), m[2] ?? m[3] ?? null);
    last = re.lastIndex;
  }
  if (command.slice(last).trim().length > 0)
    throw liteSpeedErrors.maintenance(
      `cannot read the command line near ${JSON.stringify(command.slice(last).trim().slice(0, 40))}`,
    );
  return out;
}

async function deleteOne(server: ServerModel, path: string): Promise<string[]> {
  if (!path) throw liteSpeedErrors.maintenance('-DELFILE needs a path');
  const host = server.paths.toHost(path);
  const exists = await stat(host).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!exists) throw liteSpeedErrors.maintenance(`-DELFILE: the file '${path}' does not exist`);
  await rm(host);
  return [path];
}

async function deleteByAge(server: ServerModel, opts: Map<string, string | null>): Promise<string[]> {
  const folder = opts.get('-DELFOLDER');
  const ext = opts.get('-DELEXTENSION');
  const unit = Number(opts.get('-DELUNIT'));
  const unitType = (opts.get('-DELUNITTYPE') ?? '').toLowerCase();
  if (!folder) throw liteSpeedErrors.maintenance('-DELFOLDER is required');
  if (!ext) throw liteSpeedErrors.maintenance('-DELEXTENSION is required');
  if (!Number.isInteger(unit) || unit < 0)
    throw liteSpeedErrors.maintenance('-DELUNIT must be a whole number >= 0');
  if (!(unitType in UNIT_MS))
    throw liteSpeedErrors.maintenance(`-DELUNITTYPE must be one of ${Object.keys(UNIT_MS).join(', ')}`);
  const cutoff = server.now().getTime() - unit * UNIT_MS[unitType]!;
  const dir = server.paths.toHost(folder);
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => null);
  if (entries === null)
    throw liteSpeedErrors.maintenance(`-DELFOLDER: the folder '${folder}' does not exist`);
  const suffix = `.${ext.replace(/^\./, '').toLowerCase()}`;
  const deleted: string[] = [];
  for (const e of entries) {
    if (!e.isFile() || !e.name.toLowerCase().endsWith(suffix)) continue;
    const host = join(dir, e.name);
    const s = await stat(host);
    if (s.mtimeMs < cutoff) {
      await rm(host);
      deleted.push(
        `${folder.replace(/[\\/]+$/, '')}${folder.includes('/') && !folder.includes('\\') ? '/' : '\\'}${e.name}`,
      );
    }
  }
  return deleted;
}

/** `EXEC master.dbo.xp_fileexist N'path'` (result set) or `..., @exists OUTPUT` (int output). */
const fileExist: ProcHandler = async (ctx, args) => {
  const path = positionalText(args.slice(0, 1), 'xp_fileexist');
  const state = await pathState(ctx.server, path);
  const output = args[1];
  if (output?.output)
    return { items: [], returnValue: 0, outputs: { [output.name ?? '#1']: state.file ? 1 : 0 } };
  const rs = resultSet(
    [col('File Exists', T.int), col('File is a Directory', T.int), col('Parent Directory Exists', T.int)],
    [
      {
        'File Exists': state.file ? 1 : 0,
        'File is a Directory': state.directory ? 1 : 0,
        'Parent Directory Exists': state.parent ? 1 : 0,
      },
    ],
  );
  return { items: [{ kind: 'resultSet', resultSet: rs }], returnValue: 0 };
};

/** `EXEC master.dbo.xp_create_subdir N'Y:\SQL_BACKUPS\DW'`: creates the folder and its parents. */
const createSubdir: ProcHandler = async (ctx: ProcContext, args) => {
  const path = positionalText(args, 'xp_create_subdir');
  if (ctx.server.paths.isOffline(path)) {
    return {
      items: [
        {
          kind: 'message',
          message: new SqlError(
            22048,
            `xp_create_subdir() returned error 21, 'The device is not ready.'`,
          ).toMessage('xp_create_subdir'),
        },
      ],
      returnValue: 1,
    };
  }
  await mkdir(ctx.server.paths.toHost(path), { recursive: true });
  return { items: [], returnValue: 0 };
};

export interface PathState {
  file: boolean;
  directory: boolean;
  parent: boolean;
}

/** What sys.dm_os_file_exists / xp_fileexist report for a client path. */
export async function pathState(server: ServerModel, path: string): Promise<PathState> {
  if (server.paths.isOffline(path)) return { file: false, directory: false, parent: false };
  // A server's drives exist (unless marked offline): make a drive's root folder on first sight, so `Y:\X` has a parent.
  const drive = server.paths.driveOf(path);
  if (drive) await mkdir(server.paths.toHost(`${drive}:\\`), { recursive: true });
  const host = server.paths.toHost(path);
  const s = await stat(host).catch(() => null);
  const parent = await stat(join(host, '..')).then(
    (p) => p.isDirectory(),
    () => false,
  );
  return { file: s?.isFile() ?? false, directory: s?.isDirectory() ?? false, parent };
}

function positionalText(args: ProcArg[], procedure: string): string {
  const a = args[0];
  if (!a || typeof a.value !== 'string' || a.value.length === 0) {
    throw new SqlError(
      201,
      `Procedure or function '${procedure}' expects parameter '@path', which was not supplied.`,
    );
  }
  return a.value;
}

/**
 * SQL Server's `xp_delete_file` (as Ola's cleanup and holdfast's native remove call it):
 * `xp_delete_file 0, N'<file>'` deletes one file, and
 * `xp_delete_file 0, N'<folder>', N'<ext>', N'<cutoff>' [, 1]` deletes files of that extension last written
 * before the cutoff (with subfolders when 1). Like the real procedure it only deletes SQL Server backup
 * files (native media header) for type 0 and silently skips anything else, LiteSpeed files included.
 */
const deleteFile: ProcHandler = async (ctx, args) => {
  const type = Number(args[0]?.value);
  if (type !== 0 && type !== 1)
    throw new SqlError(22049, "xp_delete_file() returned error 87, 'The parameter is incorrect.'");
  const path = positionalText(args.slice(1), 'xp_delete_file');
  const isBackup = async (host: string) =>
    await readFile(host).then(
      (b) => b.subarray(0, 8).equals(magicFor('native')),
      () => false,
    );
  const wanted = (host: string) => (type === 0 ? isBackup(host) : Promise.resolve(true));
  if (args.length <= 2) {
    const host = ctx.server.paths.toHost(path);
    if (
      await stat(host).then(
        (s) => s.isFile(),
        () => false,
      )
    )
      if (await wanted(host)) await rm(host);
    return { items: [], returnValue: 0 };
  }
  const ext = String(args[2]?.value ?? '')
    .replace(/^\./, '')
    .toLowerCase();
  const cutoff =
    args[3]?.value === undefined || args[3]?.value === null ? ctx.server.now() : dateValue(args[3].value);
  const recursive = Number(args[4]?.value ?? 0) === 1;
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const host = join(dir, e.name);
      if (e.isDirectory() && recursive) await walk(host);
      else if (
        e.isFile() &&
        (ext === '' || e.name.toLowerCase().endsWith(`.${ext}`)) &&
        (await stat(host)).mtimeMs < cutoff.getTime() &&
        (await wanted(host))
      )
        await rm(host);
    }
  };
  await walk(ctx.server.paths.toHost(path));
  return { items: [], returnValue: 0 };
};

export const maintenanceProcedures: Record<string, ProcHandler> = {
  xp_delete_file: deleteFile,
  xp_slssqlmaint: slsSqlMaint,
  xp_fileexist: fileExist,
  xp_create_subdir: createSubdir,
};
