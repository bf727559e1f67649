/**
 * Backup file paths in Ola Hallengren's token grammar (DatabaseBackup @DirectoryStructure and @FileName,
 * reference §4.1): tokens that do not apply to a backup are removed together with the separators they leave
 * behind (`_`, `-`, `$` and the directory separator), then the remaining tokens are replaced.
 *
 * holdfast adds one token, {FileGroupName}: the filegroup of a filegroup backup, dropped for every other
 * type. The defaults are Ola's with {FileGroupName} after {Partial}, so every non-filegroup backup gets
 * exactly Ola's default path. {Partial} applies to partial and differential partial backups only,
 * {CopyOnly} to copy-only backups, {FileNumber}/{NumberOfFiles} to striped backups. {ClusterName},
 * {AvailabilityGroupName} and {BackupSetName} are accepted and always dropped.
 */

export const DEFAULT_DIRECTORY_STRUCTURE =
  '{ServerName}${InstanceName}{DirectorySeparator}{DatabaseName}{DirectorySeparator}{BackupType}_{Partial}_{CopyOnly}';
export const DEFAULT_FILE_NAME =
  '{ServerName}${InstanceName}_{DatabaseName}_{BackupType}_{Partial}_{FileGroupName}_{CopyOnly}_{Year}{Month}{Day}_{Hour}{Minute}{Second}_{FileNumber}.{FileExtension}';

const COMMON_TOKENS = [
  'ServerName',
  'InstanceName',
  'ServiceName',
  'ClusterName',
  'AvailabilityGroupName',
  'DatabaseName',
  'BackupType',
  'Partial',
  'FileGroupName',
  'CopyOnly',
  'Description',
  'BackupSetName',
  'Year',
  'Month',
  'Day',
  'Week',
  'Weekday',
  'Hour',
  'Minute',
  'Second',
  'Millisecond',
  'Microsecond',
  'MajorVersion',
  'MinorVersion',
] as const;
export const DIRECTORY_TOKENS: readonly string[] = ['DirectorySeparator', ...COMMON_TOKENS];
export const FILE_NAME_TOKENS: readonly string[] = [
  ...COMMON_TOKENS,
  'FileNumber',
  'NumberOfFiles',
  'FileExtension',
];

/** msdb backup types this plugin takes. */
export type MsdbType = 'D' | 'I' | 'L' | 'F' | 'P' | 'Q';

export interface PathServer {
  machineName: string;
  instanceName: string | null;
  serviceName: string | null;
  majorVersion: string;
  minorVersion: string;
}

export interface BackupPathInput {
  directories: readonly string[];
  directoryStructure: string;
  fileName: string;
  numberOfFiles: number;
  extensions: { full: string; diff: string; log: string };
  server: PathServer;
  database: string;
  type: MsdbType;
  filegroup: string | null;
  copyOnly: boolean;
  description: string | null;
  /** The moment the tokens describe, read in `timeZone`. */
  at: Date;
  timeZone: string;
}

export interface BackupPaths {
  /** Full path of every file (stripe), in @filename order. */
  files: string[];
  /** The distinct directories they go to (to create before the backup). */
  directories: string[];
}

const UNSAFE_NAME_CHARS = /[\\/:*?"<>|]/g;
const MAX_PATH = 259;

/** `FULL` for D, P and F; `DIFF` for I and Q; `LOG` for L (the values of Ola's {BackupType}). */
export function backupTypeToken(type: MsdbType): 'FULL' | 'DIFF' | 'LOG' {
  return type === 'L' ? 'LOG' : type === 'I' || type === 'Q' ? 'DIFF' : 'FULL';
}

export function directorySeparatorFor(directories: readonly string[]): '\\' | '/' {
  return directories.every((d) => d.startsWith('/')) ? '/' : '\\';
}

/** The paths of one backup's files. Throws a RangeError when a path would be longer than 259 characters. */
export function renderBackupPaths(input: BackupPathInput): BackupPaths {
  const sep = directorySeparatorFor(input.directories);
  const values = tokenValues(input);
  const structure = expand(
    cleanDirectoryStructure(dropInapplicable(input.directoryStructure, values)),
    values,
    sep,
  );
  const name = expand(cleanFileName(dropInapplicable(input.fileName, values)), values, sep);
  const roots = input.directories.map((d) => trimSeparator(d));
  const perDirectory = input.numberOfFiles / roots.length;
  const width = input.numberOfFiles >= 10 ? 2 : 1;
  const files: string[] = [];
  for (let n = 1; n <= input.numberOfFiles; n++) {
    const root = roots[Math.min(roots.length - 1, Math.floor((n - 1) / perDirectory))]!;
    const dir = structure === '' ? root : `${root}${sep}${structure}`;
    const file =
      input.numberOfFiles > 1 ? name.replaceAll('{FileNumber}', String(n).padStart(width, '0')) : name;
    const full = `${dir}${sep}${file}`;
    if (full.length > MAX_PATH)
      throw new RangeError(
        `the backup path ${full} is ${full.length} characters long; SQL Server allows ${MAX_PATH}`,
      );
    files.push(full);
  }
  const directories = [...new Set(files.map((f) => f.slice(0, f.lastIndexOf(sep))))];
  return { files, directories };
}

function tokenValues(input: BackupPathInput): Map<string, string> {
  const t = timeParts(input.at, input.timeZone);
  const partial = input.type === 'P' || input.type === 'Q';
  const extension =
    input.type === 'L'
      ? input.extensions.log
      : backupTypeToken(input.type) === 'DIFF'
        ? input.extensions.diff
        : input.extensions.full;
  const description = (input.description ?? '').replace(UNSAFE_NAME_CHARS, '').trim();
  return new Map<string, string>([
    ['ServerName', input.server.machineName],
    ['InstanceName', input.server.instanceName ?? ''],
    ['ServiceName', input.server.serviceName ?? ''],
    ['ClusterName', ''],
    ['AvailabilityGroupName', ''],
    ['BackupSetName', ''],
    ['DatabaseName', input.database.replace(UNSAFE_NAME_CHARS, '').trimEnd()],
    ['BackupType', backupTypeToken(input.type)],
    ['Partial', partial ? 'PARTIAL' : ''],
    [
      'FileGroupName',
      input.type === 'F' && input.filegroup ? input.filegroup.replace(UNSAFE_NAME_CHARS, '') : '',
    ],
    ['CopyOnly', input.copyOnly ? 'COPY_ONLY' : ''],
    ['Description', description],
    ['Year', t.year],
    ['Month', t.month],
    ['Day', t.day],
    ['Week', t.week],
    ['Weekday', t.weekday],
    ['Hour', t.hour],
    ['Minute', t.minute],
    ['Second', t.second],
    ['Millisecond', t.millisecond],
    ['Microsecond', `${t.millisecond}000`],
    ['MajorVersion', input.server.majorVersion],
    ['MinorVersion', input.server.minorVersion],
    ['NumberOfFiles', input.numberOfFiles > 1 ? String(input.numberOfFiles) : ''],
    ['FileNumber', input.numberOfFiles > 1 ? '{FileNumber}' : ''],
    ['FileExtension', extension],
  ]);
}

/** Removes the tokens whose value is empty, so the separator cleanup can drop what they leave behind. */
function dropInapplicable(pattern: string, values: Map<string, string>): string {
  let out = pattern;
  for (const [token, value] of values) if (value === '') out = out.replaceAll(`{${token}}`, '');
  return out;
}

const DS = '{DirectorySeparator}';

function untilStable(text: string, step: (s: string) => string): string {
  let prev: string;
  let cur = text;
  do {
    prev = cur;
    cur = step(cur);
  } while (cur !== prev);
  return cur;
}

function cleanDirectoryStructure(pattern: string): string {
  return untilStable(pattern.replace(/[\\/]/g, DS), (s) => {
    let out = s
      .replaceAll('__', '_')
      .replaceAll('--', '-')
      .replaceAll(DS + DS, DS)
      .replaceAll(`${DS}$`, DS)
      .replaceAll(`$${DS}`, DS)
      .replaceAll(`${DS}_`, DS)
      .replaceAll(`_${DS}`, DS)
      .replaceAll(`${DS}-`, DS)
      .replaceAll(`-${DS}`, DS)
      .replaceAll('_$', '_')
      .replaceAll('$_', '_')
      .replaceAll('-$', '-')
      .replaceAll('$-', '-');
    out = out.replace(/^[_$-]+|[_$-]+$/g, '');
    if (out.startsWith(DS)) out = out.slice(DS.length);
    if (out.endsWith(DS)) out = out.slice(0, -DS.length);
    return out;
  });
}

function cleanFileName(pattern: string): string {
  return untilStable(pattern, (s) =>
    s
      .replaceAll('__', '_')
      .replaceAll('--', '-')
      .replaceAll('_$', '_')
      .replaceAll('$_', '_')
      .replaceAll('-$', '-')
      .replaceAll('$-', '-')
      .replaceAll('_.', '.')
      .replaceAll('-.', '.')
      .replaceAll('of.', '.')
      .replace(/^[_$-]+|[_$-]+$/g, ''),
  );
}

function expand(pattern: string, values: Map<string, string>, sep: string): string {
  let out = pattern.replaceAll(DS, sep);
  for (const [token, value] of values) if (token !== 'FileNumber') out = out.replaceAll(`{${token}}`, value);
  return out;
}

function trimSeparator(dir: string): string {
  return dir.trim().replace(/[\\/]+$/, '');
}

interface TimeParts {
  year: string;
  month: string;
  day: string;
  week: string;
  weekday: string;
  hour: string;
  minute: string;
  second: string;
  millisecond: string;
}

function timeParts(at: Date, timeZone: string): TimeParts {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    weekday: 'long',
  }).formatToParts(at);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const year = Number(get('year'));
  const month = Number(get('month'));
  const day = Number(get('day'));
  return {
    year: String(year).padStart(4, '0'),
    month: get('month'),
    day: get('day'),
    week: String(sqlWeek(year, month, day)).padStart(2, '0'),
    weekday: get('weekday'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
    millisecond: String(at.getUTCMilliseconds()).padStart(3, '0'),
  };
}

/** DATEPART(WEEK, ...) with SQL Server's default DATEFIRST 7: week 1 holds January 1, weeks start on Sunday. */
function sqlWeek(year: number, month: number, day: number): number {
  const jan1 = new Date(Date.UTC(year, 0, 1));
  const date = new Date(Date.UTC(year, month - 1, day));
  const dayOfYear = Math.round((date.getTime() - jan1.getTime()) / 86_400_000);
  return Math.floor((dayOfYear + jan1.getUTCDay()) / 7) + 1;
}
