import { z } from 'zod';
import { secretRefSchema } from '../../src/core/secret-ref-schema.ts';
import { notifyRuleSchema } from '../../src/notify/schema.ts';
import { retentionPolicySchema } from '../../src/retention/schema.ts';
import { rpoSchema, typedScheduleSchema } from '../../src/schedule/schedule-schema.ts';
import { DEFAULT_DIRECTORY_STRUCTURE, DEFAULT_FILE_NAME } from './backup-paths.ts';

/**
 * The `LiteSpeedBackup` kind. Option names follow Ola Hallengren's DatabaseBackup where one exists
 * (Databases, Directory, DirectoryStructure, FileName, CompressionLevel, AdaptiveCompression, Encrypt...),
 * spelled in camelCase. The schema checks types and shapes; value ranges and the rules that tie options
 * together are checked by validateLiteSpeedSpec (the kind's `validate`) so that every problem is reported
 * at once. Ranges are still published in the JSON Schema (`meta`) for editors.
 */

const int = (min: number, max: number, what: string) =>
  z.number().int().meta({ minimum: min, maximum: max }).describe(what);

/** A value written in the job, or read from a secret reference (for hosts and ports given by the environment). */
const textOrRef = z.union([z.string().min(1), secretRefSchema]);

export const serverAuthSchema = z
  .discriminatedUnion('type', [
    z
      .strictObject({
        type: z.literal('sql'),
        user: z.string().min(1).describe('SQL Server login.'),
        password: secretRefSchema.describe('The login password, as a secret reference.'),
      })
      .describe('SQL Server authentication.'),
    z
      .strictObject({ type: z.literal('entra') })
      .describe('Microsoft Entra ID through DefaultAzureCredential (managed identity in production).'),
  ])
  .describe('How holdfast logs in to SQL Server.');

export const serverSchema = z
  .strictObject({
    host: textOrRef.describe(
      'Host name or address of the SQL Server (or a secret reference to it, e.g. env:SQL_HOST).',
    ),
    port: z
      .union([z.number().int().meta({ minimum: 1, maximum: 65535 }), secretRefSchema])
      .optional()
      .describe('TCP port (default 1433); not with instance.'),
    instance: z
      .string()
      .min(1)
      .optional()
      .describe('Named instance (resolved through SQL Browser); not with port.'),
    auth: serverAuthSchema,
    encrypt: z.boolean().default(true).describe('Encrypt the connection with TLS (default true).'),
    trustServerCertificate: z
      .boolean()
      .default(false)
      .describe('Accept a certificate that does not chain to a trusted root (default false).'),
    timeZone: z
      .string()
      .min(1)
      .default('UTC')
      .describe(
        "IANA time zone the server's clock runs in: msdb dates are server-local times (default UTC).",
      ),
    connectTimeoutSeconds: int(1, 600, 'Seconds to wait for a connection (default 15).').default(15),
    queryTimeoutSeconds: int(
      1,
      3600,
      'Seconds a catalog query may take (default 60). Backups themselves have no time limit.',
    ).default(60),
  })
  .describe('The SQL Server to back up.');

const ENGINES = ['litespeed', 'native'] as const;

export const liteSpeedBackupSpecSchema = z
  .strictObject({
    server: serverSchema,
    databases: z
      .array(z.string().min(1))
      .min(1)
      .describe(
        'Databases (Ola @Databases): names, wildcards (* or %), SYSTEM_DATABASES, USER_DATABASES, ALL_DATABASES; a leading - excludes. Names without wildcards must exist.',
      ),
    readWriteFileGroups: z
      .boolean()
      .default(false)
      .describe(
        'The partial strategy (Ola @ReadWriteFileGroups): partial backups of PRIMARY and the read-write filegroups, and a filegroup backup of each read-only filegroup.',
      ),
    fileGroups: z
      .array(z.string().min(1))
      .default(['ALL_FILEGROUPS'])
      .describe(
        'Read-only filegroups that get filegroup backups, as Database.FileGroup (wildcards allowed), ALL_FILEGROUPS, or exclusions with a leading -.',
      ),
    schedule: typedScheduleSchema(['full', 'differential', 'log']).optional(),
    directory: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .describe(
        'Root directory on the server (Ola @Directory); several directories stripe each backup over them.',
      ),
    numberOfFiles: int(
      1,
      64,
      'Files per backup (Ola @NumberOfFiles, default: one per directory); a multiple of the number of directories.',
    ).optional(),
    directoryStructure: z
      .string()
      .default(DEFAULT_DIRECTORY_STRUCTURE)
      .describe("Sub-directory under each directory, in Ola's token grammar."),
    fileName: z
      .string()
      .default(DEFAULT_FILE_NAME)
      .describe("File name, in Ola's token grammar (plus {FileGroupName})."),
    fileExtensionFull: z
      .string()
      .min(1)
      .default('bak')
      .describe('{FileExtension} of full, partial and filegroup backups.'),
    fileExtensionDiff: z.string().min(1).default('bak').describe('{FileExtension} of differential backups.'),
    fileExtensionLog: z.string().min(1).default('trn').describe('{FileExtension} of log backups.'),
    compressionLevel: int(
      0,
      8,
      'LiteSpeed @compressionlevel 0-8 (0: none). Native: 0 (NO_COMPRESSION) or 1 (COMPRESSION).',
    ).optional(),
    adaptiveCompression: z
      .enum(['Speed', 'Size'])
      .optional()
      .describe('LiteSpeed @adaptivecompression, instead of a fixed level.'),
    encryption: z
      .strictObject({
        level: int(
          0,
          8,
          'LiteSpeed @cryptlevel: 0-5 RC2/3DES/RC4 (legacy), 6 AES-128, 7 AES-192, 8 AES-256.',
        ),
        key: secretRefSchema
          .optional()
          .describe('The encryption password, as a secret reference (needed again to verify and restore).'),
      })
      .optional()
      .describe('LiteSpeed encryption (Ola @Encrypt, @EncryptionKey).'),
    checksum: z.boolean().default(false).describe('WITH CHECKSUM (Ola @CheckSum).'),
    verify: z
      .boolean()
      .default(false)
      .describe(
        'Verify each backup after taking it (xp_restore_verifyonly / RESTORE VERIFYONLY); a failed verify fails the step.',
      ),
    threads: int(1, 32, 'LiteSpeed @threads.').optional(),
    throttle: int(1, 100, 'LiteSpeed @throttle: maximum CPU percentage.').optional(),
    maxTransferSize: int(65536, 4194304, 'Bytes per transfer, a multiple of 65536.').optional(),
    bufferCount: int(1, 2147483647, 'Buffers (@buffercount / BUFFERCOUNT).').optional(),
    description: z
      .string()
      .optional()
      .describe('Backup set description, at most 128 characters (@desc / DESCRIPTION).'),
    copyOnly: z
      .boolean()
      .default(false)
      .describe('Copy-only backups (they do not reset the differential base or the log chain).'),
    init: z
      .boolean()
      .default(false)
      .describe('Overwrite an existing file of the same name (@init = 1 / INIT) instead of appending.'),
    objectLevelRecoveryMap: z
      .boolean()
      .default(false)
      .describe('LiteSpeed @olrmap = 1 for full, partial and differential backups.'),
    changeBackupType: z
      .boolean()
      .default(true)
      .describe(
        'A differential without a valid base, or a log without any base, becomes a base backup (Ola @ChangeBackupType); false refuses it.',
      ),
    engine: z
      .enum(ENGINES)
      .default('litespeed')
      .describe('litespeed: xp_backup_database / xp_backup_log; native: BACKUP DATABASE ... TO DISK.'),
    maxConcurrentBackupsPerServer: int(
      1,
      64,
      'Backups running at once on this SQL Server (default 2); one database never has two at once.',
    ).default(2),
    mountedPaths: z
      .record(z.string().min(1), z.string().min(1))
      .optional()
      .describe('Server directory → local path where it is mounted, for retention.deleteVia: path.'),
    retention: retentionPolicySchema
      .optional()
      .describe(
        'Which backups to keep; chain-aware (a kept differential keeps its base and filegroup backups).',
      ),
    notify: z
      .array(notifyRuleSchema)
      .default([])
      .describe('Channels to tell about failures, successes, missed runs.'),
    rpo: rpoSchema.optional(),
  })
  .describe(
    'Backs up SQL Server databases through Quest LiteSpeed (or native BACKUP): filegroup, partial, differential, full and log backups.',
  );

export type LiteSpeedBackupSpec = z.output<typeof liteSpeedBackupSpecSchema>;
export type LiteSpeedBackupSpecInput = z.input<typeof liteSpeedBackupSpecSchema>;
export type ServerSpec = LiteSpeedBackupSpec['server'];
export type BackupEngine = (typeof ENGINES)[number];

/** The directories of a spec as a list (a single string is one directory). */
export function directoriesOf(spec: Pick<LiteSpeedBackupSpec, 'directory'>): string[] {
  return typeof spec.directory === 'string' ? [spec.directory] : [...spec.directory];
}
