import type { SpecProblem } from '../../src/plugin/contract.ts';
import { checkPathPatterns } from './check-path-patterns.ts';
import { directoriesOf, type LiteSpeedBackupSpec } from './job-spec-schema.ts';
import { isKnownTimeZone } from './server-time.ts';

/**
 * The kind's own checks, in the manner of Ola's DatabaseBackup parameter checks: value ranges and the rules
 * that tie options together, every problem reported at once with what was found and what is allowed.
 */
export function validateLiteSpeedSpec(raw: unknown): SpecProblem[] {
  const spec = raw as LiteSpeedBackupSpec;
  const problems: SpecProblem[] = [];
  const add = (path: (string | number)[], message: string, found?: unknown, allowed?: string) =>
    problems.push({ path, message, found, allowed });
  const range = (
    path: (string | number)[],
    value: number | undefined,
    min: number,
    max: number,
    what: string,
  ) => {
    if (value !== undefined && (value < min || value > max))
      add(path, `${what} ${value} is out of range`, value, `an integer from ${min} to ${max}`);
  };
  const native = spec.engine === 'native';
  const nativeRefuses = (path: string, what: string) =>
    add(
      [path],
      `${what} is a LiteSpeed option; engine: native cannot use it`,
      spec[path as keyof LiteSpeedBackupSpec],
      'leave it out, or use engine: litespeed',
    );

  // server
  const server = spec.server;
  if (typeof server.port === 'number') range(['server', 'port'], server.port, 1, 65535, 'port');
  if (server.port !== undefined && server.instance !== undefined)
    add(
      ['server', 'instance'],
      'give either port or instance, not both',
      server.instance,
      'port (a fixed TCP port) or instance (resolved through SQL Browser)',
    );
  if (!isKnownTimeZone(server.timeZone))
    add(
      ['server', 'timeZone'],
      `unknown time zone "${server.timeZone}"`,
      server.timeZone,
      'an IANA name such as UTC or Europe/London',
    );
  range(['server', 'connectTimeoutSeconds'], server.connectTimeoutSeconds, 1, 600, 'connectTimeoutSeconds');
  range(['server', 'queryTimeoutSeconds'], server.queryTimeoutSeconds, 1, 3600, 'queryTimeoutSeconds');

  // compression
  if (native) {
    if (spec.compressionLevel !== undefined && spec.compressionLevel !== 0 && spec.compressionLevel !== 1) {
      add(
        ['compressionLevel'],
        `native BACKUP compresses or not; compressionLevel ${spec.compressionLevel} has no native meaning`,
        spec.compressionLevel,
        '0 (NO_COMPRESSION) or 1 (COMPRESSION)',
      );
    }
    if (spec.adaptiveCompression !== undefined) nativeRefuses('adaptiveCompression', 'adaptiveCompression');
  } else {
    range(['compressionLevel'], spec.compressionLevel, 0, 8, 'compressionLevel');
  }
  if (spec.compressionLevel !== undefined && spec.adaptiveCompression !== undefined) {
    add(
      ['adaptiveCompression'],
      'give either compressionLevel or adaptiveCompression, not both',
      spec.adaptiveCompression,
      'one of the two',
    );
  }

  // encryption
  if (spec.encryption) {
    range(['encryption', 'level'], spec.encryption.level, 0, 8, 'encryption level');
    if (!spec.encryption.key)
      add(
        ['encryption'],
        `encryption level ${spec.encryption.level} needs a key`,
        spec.encryption,
        'encryption: { level, key: { secretRef: ... } }',
      );
    if (native)
      add(
        ['encryption'],
        'LiteSpeed encryption needs engine: litespeed (native BACKUP encrypts with a server certificate, which holdfast does not manage)',
        spec.encryption.level,
        'engine: litespeed, or no encryption',
      );
  }

  // LiteSpeed-only tuning
  if (native && spec.threads !== undefined) nativeRefuses('threads', 'threads');
  if (native && spec.throttle !== undefined) nativeRefuses('throttle', 'throttle');
  if (native && spec.objectLevelRecoveryMap)
    nativeRefuses('objectLevelRecoveryMap', 'objectLevelRecoveryMap');
  range(['threads'], spec.threads, 1, 32, 'threads');
  range(['throttle'], spec.throttle, 1, 100, 'throttle');
  range(['maxTransferSize'], spec.maxTransferSize, 65536, 4194304, 'maxTransferSize');
  if (spec.maxTransferSize !== undefined && spec.maxTransferSize % 65536 !== 0)
    add(
      ['maxTransferSize'],
      `maxTransferSize ${spec.maxTransferSize} is not a multiple of 65536`,
      spec.maxTransferSize,
      'a multiple of 65536 from 65536 to 4194304',
    );
  range(['bufferCount'], spec.bufferCount, 1, 2147483647, 'bufferCount');
  if (spec.description !== undefined && spec.description.length > 128)
    add(
      ['description'],
      `description is ${spec.description.length} characters long`,
      `${spec.description.slice(0, 40)}...`,
      'at most 128 characters',
    );
  range(
    ['maxConcurrentBackupsPerServer'],
    spec.maxConcurrentBackupsPerServer,
    1,
    64,
    'maxConcurrentBackupsPerServer',
  );

  // directories and names
  const directories = directoriesOf(spec);
  if (directories.length > 64)
    add(['directory'], `${directories.length} directories given`, directories.length, 'at most 64');
  const lower = directories.map((d) => d.toLowerCase().replace(/[\\/]+$/, ''));
  lower.forEach((d, i) => {
    if (lower.indexOf(d) !== i)
      add(
        ['directory', i],
        `directory ${directories[i]} is given twice`,
        directories[i],
        'distinct directories',
      );
    if (/[\r\n"]/.test(directories[i]!) || directories[i]!.includes(String.fromCharCode(0)))
      add(
        typeof spec.directory === 'string' ? ['directory'] : ['directory', i],
        'a directory must not contain quotes or line breaks',
        directories[i],
        'a Windows (Y:\\SQL_BACKUPS, \\\\server\\share) or Linux (/var/opt/mssql/backup) path',
      );
  });
  const numberOfFiles = spec.numberOfFiles ?? directories.length;
  range(['numberOfFiles'], spec.numberOfFiles, 1, 64, 'numberOfFiles');
  if (numberOfFiles < directories.length || numberOfFiles % directories.length !== 0) {
    add(
      ['numberOfFiles'],
      `numberOfFiles ${numberOfFiles} does not spread evenly over ${directories.length} directories`,
      numberOfFiles,
      `a multiple of ${directories.length} (the number of directories)`,
    );
  }
  for (const p of checkPathPatterns({
    directoryStructure: spec.directoryStructure,
    fileName: spec.fileName,
    numberOfFiles,
    filegroupBackups: true,
  })) {
    add([p.path], p.message, p.path === 'fileName' ? spec.fileName : spec.directoryStructure);
  }
  for (const key of ['fileExtensionFull', 'fileExtensionDiff', 'fileExtensionLog'] as const) {
    if (!/^[A-Za-z0-9_-]{1,16}$/.test(spec[key]))
      add(
        [key],
        `${key} "${spec[key]}" is not a plain file extension`,
        spec[key],
        '1-16 letters, digits, _ or - (no dot)',
      );
  }

  // backup types
  if (spec.copyOnly && spec.schedule?.differential !== undefined) {
    add(
      ['schedule', 'differential'],
      'copy-only backups have no differentials (COPY_ONLY is ignored with DIFFERENTIAL)',
      spec.schedule.differential,
      'no differential schedule with copyOnly: true',
    );
  }

  // retention
  if (spec.retention?.deleteVia === 'path') {
    const mounts = Object.keys(spec.mountedPaths ?? {}).map((k) => k.toLowerCase().replace(/[\\/]+$/, ''));
    directories.forEach((d, i) => {
      const dir = d.toLowerCase().replace(/[\\/]+$/, '');
      if (!mounts.some((m) => dir === m || dir.startsWith(`${m}\\`) || dir.startsWith(`${m}/`))) {
        add(
          ['mountedPaths'],
          `retention.deleteVia: path needs to know where ${d} is mounted here`,
          directories[i],
          'mountedPaths: { "<server directory>": "<local path>" } covering every directory',
        );
      }
    });
  }
  return problems;
}
