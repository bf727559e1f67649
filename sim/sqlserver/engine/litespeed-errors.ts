import { SqlError } from './sql-error.ts';

/**
 * LiteSpeed's own errors (severity 16). Only 60601 is confirmed from a real install (reference
 * §1.1, OLA-348); the others are the simulator's choice, documented in sim/sqlserver/README.md.
 * Errors that SQL Server raises during a LiteSpeed backup or restore (3136, 4305...) keep their
 * SQL Server numbers.
 */
export const LiteSpeedError = {
  /** The target drive/folder cannot be read or written. */
  Drive: 60601,
  /** A parameter value is missing, malformed or out of range. */
  Parameter: 60602,
  /** A parameter this procedure does not accept. */
  UnknownParameter: 60603,
  /** @read_write_filegroups = 0 together with @filegroup (the source documents' gotcha). */
  ReadWriteFilegroupsZero: 60604,
  /** Encrypted backup and no key, or the wrong key. */
  EncryptionKey: 60605,
  /** The backup file is damaged (checksum mismatch, truncated) or is not a LiteSpeed file. */
  Damaged: 60606,
  /** Writing the backup failed: the disk is full (Windows error 112). */
  DiskFull: 60607,
  /** A fault injected through the simulator's fault API. */
  Injected: 60609,
  /** xp_slssqlmaint: bad command line. */
  Maintenance: 60610,
} as const;

export const liteSpeedErrors = {
  drive: (path: string, why: string) =>
    new SqlError(LiteSpeedError.Drive, `LiteSpeed: Could not read the drive for '${path}': ${why}`),
  parameter: (name: string, problem: string) =>
    new SqlError(LiteSpeedError.Parameter, `LiteSpeed: Invalid value for parameter ${name}: ${problem}`),
  unknownParameter: (procedure: string, name: string, accepted: readonly string[]) =>
    new SqlError(
      LiteSpeedError.UnknownParameter,
      `LiteSpeed: ${procedure} does not accept the parameter ${name}. Accepted parameters: ${accepted.join(', ')}.`,
    ),
  readWriteFilegroupsZero: () =>
    new SqlError(
      LiteSpeedError.ReadWriteFilegroupsZero,
      'LiteSpeed: @read_write_filegroups = 0 together with @filegroup is refused: LiteSpeed would take a full database backup instead of the filegroup backup. Omit @read_write_filegroups for a filegroup backup, or pass @read_write_filegroups = 1 for a partial backup.',
    ),
  keyRequired: (device: string) =>
    new SqlError(
      LiteSpeedError.EncryptionKey,
      `LiteSpeed: The backup on '${device}' is encrypted. Supply the encryption key with @encryptionkey.`,
    ),
  wrongKey: (device: string) =>
    new SqlError(
      LiteSpeedError.EncryptionKey,
      `LiteSpeed: The encryption key supplied cannot decrypt the backup on '${device}'. Check @encryptionkey.`,
    ),
  damaged: (device: string, why: string) =>
    new SqlError(LiteSpeedError.Damaged, `LiteSpeed: The backup file '${device}' is damaged: ${why}`),
  notLiteSpeed: (device: string) =>
    new SqlError(
      LiteSpeedError.Damaged,
      `LiteSpeed: '${device}' is not a LiteSpeed backup file (it is a native SQL Server backup or another file). Use native RESTORE for native backups.`,
    ),
  diskFull: (device: string) =>
    new SqlError(
      LiteSpeedError.DiskFull,
      `LiteSpeed: Write on '${device}' failed: 112(There is not enough space on the disk.) The backup was not completed and the partial file was removed.`,
    ),
  maintenance: (problem: string) =>
    new SqlError(LiteSpeedError.Maintenance, `LiteSpeed: xp_slssqlmaint: ${problem}`),
};
