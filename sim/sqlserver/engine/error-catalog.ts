import { SqlError, errorMessage, info } from './sql-error.ts';
import type { SqlMessage } from '../engine-api.ts';

/**
 * SQL Server's own messages, with the texts of sys.messages (SQL Server 2022), for everything the
 * simulator enforces. Each function returns the error to throw (or a message to send).
 * LiteSpeed's own numbers are in litespeed-errors.ts.
 */

export type Operation =
  | 'BACKUP DATABASE'
  | 'BACKUP LOG'
  | 'RESTORE DATABASE'
  | 'RESTORE LOG'
  | 'VERIFY DATABASE'
  | 'RESTORE HEADERONLY'
  | 'RESTORE FILELISTONLY';

/** 3013: follows the real error of a failed BACKUP/RESTORE. */
export function terminating(operation: Operation): SqlMessage {
  return errorMessage(3013, `${operation} is terminating abnormally.`);
}

export const sqlErrors = {
  databaseMissing: (db: string) =>
    new SqlError(911, `Database '${db}' does not exist. Make sure that the name is entered correctly.`),
  databaseRestoring: (db: string) =>
    new SqlError(927, `Database '${db}' cannot be opened. It is in the middle of a restore.`, {
      severity: 14,
    }),
  databaseNotOnline: (db: string) =>
    new SqlError(942, `Database '${db}' cannot be opened because it is offline.`, { severity: 14 }),
  tempdb: () => new SqlError(3147, 'Backup and restore operations are not allowed on database tempdb.'),
  procedureMissing: (name: string) => new SqlError(2812, `Could not find stored procedure '${name}'.`),
  variableUndeclared: (name: string) =>
    new SqlError(137, `Must declare the scalar variable "${name}".`, { severity: 15, abortsBatch: true }),
  serialized: () =>
    new SqlError(
      3023,
      'Backup, file manipulation operations (such as ALTER DATABASE ADD FILE) and encryption changes on a database must be serialized. Reissue the statement after the current backup or file manipulation operation is completed.',
    ),
  exclusiveAccess: () =>
    new SqlError(3101, 'Exclusive access could not be obtained because the database is in use.'),

  // ---- backup ----
  primaryFileBackupInSimple: () =>
    new SqlError(
      3004,
      'The primary filegroup cannot be backed up as a file backup because the database is using the SIMPLE recovery model. Consider taking a partial backup by specifying READ_WRITE_FILEGROUPS.',
    ),
  multiBasedDifferential: () =>
    new SqlError(
      3006,
      'The differential backup is not allowed because it would be based on more than one base backup. Multi-based differential backups are not allowed in the simple recovery model, and are never allowed for partial differential backups.',
    ),
  fileNotOnline: (name: string, state: string) =>
    new SqlError(
      3007,
      `The backup of the file or filegroup "${name}" is not permitted because it is not online. Container state: "${state}" (1). Restore status: 0. BACKUP can be performed by using the FILEGROUP or FILE clauses to restrict the selection to include only online data.`,
    ),
  pageError: (db: string, fileId: number, file: string) =>
    new SqlError(3043, `BACKUP '${db}' detected an error on page (${fileId}:1337) in file '${file}'.`),
  damagedBackupSet: () =>
    new SqlError(
      3182,
      'The backup set cannot be restored because the database was damaged when the backup occurred. Salvage attempts may exploit WITH CONTINUE_AFTER_ERROR.',
    ),
  mirrorMembers: () =>
    new SqlError(
      3010,
      'Invalid backup mirror specification. All mirrors must have the same number of members.',
    ),
  readWriteFileBackupInSimple: (filegroup: string) =>
    new SqlError(
      3022,
      `This backup is a file backup of read-write data from a database that uses the simple recovery model. This is only appropriate if you plan to set the filegroup to read-only followed by a differential file backup. Consult Books Online for more information on managing read-only data for the simple recovery model. In particular, consider how partial backups are used. (filegroup "${filegroup}"; the simulator refuses this backup, see sim/sqlserver/README.md)`,
    ),
  filegroupMissing: (filegroup: string, db: string) =>
    new SqlError(3027, `The filegroup "${filegroup}" is not part of database "${db}".`),
  optionConflict: (option: string, others: string) =>
    new SqlError(
      3031,
      `Option '${option}' conflicts with option(s) '${others}'. Remove the conflicting option and reissue the statement.`,
    ),
  optionsNotSupported: (options: string) =>
    new SqlError(
      3032,
      `One or more of the options (${options}) are not supported for this statement. Review the documentation for supported options.`,
    ),
  noFilesSelected: () =>
    new SqlError(
      3034,
      'No files were selected to be processed. You may have selected one or more filegroups that have no members.',
    ),
  noDifferentialBase: (db: string) =>
    new SqlError(
      3035,
      `Cannot perform a differential backup for database "${db}", because a current database backup does not exist. Perform a full database backup by reissuing BACKUP DATABASE, omitting the WITH DIFFERENTIAL option.`,
    ),
  standbyBackup: (db: string) =>
    new SqlError(
      3036,
      `The database "${db}" is in warm-standby state (set by executing RESTORE WITH STANDBY) and cannot be backed up until the entire restore sequence is completed.`,
    ),
  noFileDifferentialBase: (file: string) =>
    new SqlError(
      3039,
      `Cannot perform a differential backup for file '${file}' because a current file backup does not exist. Reissue BACKUP DATABASE omitting the WITH DIFFERENTIAL option.`,
    ),
  readWriteFileDifferentialInSimple: () =>
    new SqlError(
      3054,
      'Differential file backups can include only read-only data for databases using the simple recovery model. Consider taking a partial backup by specifying READ_WRITE_FILEGROUPS.',
    ),
  logInSimple: () =>
    new SqlError(
      4208,
      'The statement BACKUP LOG is not allowed while the recovery model is SIMPLE. Use BACKUP DATABASE or change the recovery model using ALTER DATABASE.',
    ),
  noCurrentDatabaseBackup: () =>
    new SqlError(4214, 'BACKUP LOG cannot be performed because there is no current database backup.'),
  mirrorNeedsFormat: () => new SqlError(3215, 'Use WITH FORMAT to create a new mirrored backup set.'),
  nonAppendable: (device: string) =>
    new SqlError(
      3246,
      `The media family on device '${device}' is marked as nonappendable. Reissue the statement using the INIT option to overwrite the media.`,
    ),

  // ---- devices / media ----
  cannotOpenDevice: (device: string, osError: string) =>
    new SqlError(3201, `Cannot open backup device '${device}'. Operating system error ${osError}.`),
  writeFailed: (device: string, osError: string) =>
    new SqlError(3202, `Write on "${device}" failed: ${osError}`),
  mediaFamiliesMissing: (families: number, provided: number) =>
    new SqlError(
      3132,
      `The media set has ${families} media families but only ${provided} are provided. All members must be provided.`,
    ),
  familyAlreadyProcessed: (device: string, family: number, other: string) =>
    new SqlError(
      3227,
      `The backup media on "${device}" is part of media family ${family} which has already been processed on "${other}". Ensure that backup devices are correctly specified. For tape devices, ensure that the correct volumes are loaded.`,
    ),
  familyCountMismatch: (device: string, formatted: number, expected: number) =>
    new SqlError(
      3231,
      `The media loaded on "${device}" is formatted to support ${formatted} media families, but ${expected} media families are expected according to the backup device specification.`,
    ),
  incorrectlyFormed: (device: string) =>
    new SqlError(
      3241,
      `The media family on device '${device}' is incorrectly formed. SQL Server cannot process this media family.`,
    ),
  notPartOfMediaSet: (device: string) =>
    new SqlError(
      3258,
      `The volume on the device "${device}" is not part of the media set that is currently being processed. Ensure that the backup devices are loaded with the correct media.`,
    ),
  fileIdMissing: (position: number, device: string) =>
    new SqlError(4038, `Cannot find file ID ${position} on device '${device}'.`),
  damaged: () => new SqlError(3189, 'Damage to the backup set was detected.'),
  createdBy: (device: string, by: string) =>
    new SqlError(
      3135,
      `The backup set in file '${device}' was created by ${by} and cannot be used for this restore operation.`,
    ),

  // ---- restore ----
  partialNotInitiated: () =>
    new SqlError(
      3103,
      'A partial restore sequence cannot be initiated by this command. To initiate a partial restore sequence, use the WITH PARTIAL clause of the RESTORE statement and provide a backup set which includes a full copy of at least the primary data file. The WITH PARTIAL clause of the RESTORE statement may not be used for any other purpose.',
    ),
  simpleSubsetOfReadWrite: () =>
    new SqlError(
      3115,
      'The database is using the simple recovery model. It is not possible to restore a subset of the read-write data.',
    ),
  notSameRecoveryPath: () =>
    new SqlError(
      3116,
      'The supplied backup is not on the same recovery path as the database, and is ineligible for use for an online file restore.',
    ),
  noFilesReady: () =>
    new SqlError(
      3117,
      'The log or differential backup cannot be restored because no files are ready to rollforward.',
    ),
  databaseMissingForRestore: (db: string) =>
    new SqlError(
      3118,
      `The database "${db}" does not exist. RESTORE can only create a database when restoring either a full backup or a file backup of the primary file.`,
    ),
  alreadyBeyond: () =>
    new SqlError(
      3120,
      'This backup set will not be restored because all data has already been restored to a point beyond the time covered by this backup set.',
    ),
  simpleInconsistent: () =>
    new SqlError(
      3125,
      'The database is using the simple recovery model. The data in the backup it is not consistent with the current state of the database. Restoring more data is required before recovery is possible. Either restore a full file backup taken since the data was marked read-only, or restore the most recent base backup for the target data followed by a differential file backup.',
    ),
  notConsistentForTransition: (file: string) =>
    new SqlError(
      3129,
      `The contents of the file "${file}" are not consistent with a transition into the restore sequence. A restore from a backup set may be required.`,
    ),
  differentialWrongState: () =>
    new SqlError(
      3136,
      'This differential backup cannot be restored because the database has not been restored to the correct earlier state.',
    ),
  fileNotInBackup: (file: string, position: number, device: string) =>
    new SqlError(
      3144,
      `File '${file}' was not backed up in file ${position} on device '${device}'. The file cannot be restored from this backup set.`,
    ),
  stopAtInSimple: () =>
    new SqlError(
      3145,
      'The STOPAT option is not supported for databases that use the SIMPLE recovery model.',
    ),
  recoverOnlyContext: () =>
    new SqlError(
      3148,
      "This RESTORE statement is invalid in the current context. The 'Recover Data Only' option is only defined for secondary filegroups when the database is in an online state. When the database is in an offline state filegroups cannot be specified.",
    ),
  recoverOnlyState: (name: string) =>
    new SqlError(
      3149,
      `The file or filegroup "${name}" is not in a valid state for the "Recover Data Only" option to be used. Only secondary files in the OFFLINE or RECOVERY_PENDING state can be processed.`,
    ),
  alreadyRecovered: () => new SqlError(3153, 'The database is already fully recovered.'),
  otherDatabase: (db: string) =>
    new SqlError(
      3154,
      `The backup set holds a backup of a database other than the existing '${db}' database.`,
    ),
  filesAddedOrDropped: () =>
    new SqlError(
      3155,
      'The RESTORE operation cannot proceed because one or more files have been added or dropped from the database since the backup set was created.',
    ),
  cannotRestoreTo: (file: string, path: string) =>
    new SqlError(
      3156,
      `File '${file}' cannot be restored to '${path}'. Use WITH MOVE to identify a valid location for the file.`,
    ),
  tailNotBackedUp: (db: string) =>
    new SqlError(
      3159,
      `The tail of the log for the database "${db}" has not been backed up. Use BACKUP LOG WITH NORECOVERY to backup the log if it contains work you do not want to lose. Use the WITH REPLACE or WITH STOPAT clause of the RESTORE statement to just overwrite the contents of the log.`,
    ),
  fileDefunct: (file: string) =>
    new SqlError(3171, `File ${file} is defunct and cannot be restored into the online database.`),
  filegroupDefunct: (filegroup: string) =>
    new SqlError(3172, `Filegroup ${filegroup} is defunct and cannot be restored into the online database.`),
  fileClaimedTwice: (path: string, a: string, b: string) =>
    new SqlError(
      3176,
      `File '${path}' is claimed by '${a}'(1) and '${b}'(2). The WITH MOVE clause can be used to relocate one or more files.`,
    ),
  differentialFileState: (file: string) =>
    new SqlError(
      3178,
      `File ${file} is not in the correct state to have this differential backup applied to it.`,
    ),
  filegroupNotInBackup: (filegroup: string) =>
    new SqlError(
      3190,
      `Filegroup '${filegroup}' cannot be restored because it does not exist in the backup set.`,
    ),
  logicalFileUnknown: (file: string, db: string) =>
    new SqlError(
      3234,
      `Logical file '${file}' is not part of database '${db}'. Use RESTORE FILELISTONLY to list the logical file names.`,
    ),
  logTooRecent: (first: string, needed: string) =>
    new SqlError(
      4305,
      `The log in this backup set begins at LSN ${first}, which is too recent to apply to the database. An earlier log backup that includes LSN ${needed} can be restored.`,
    ),
  logTooEarlyForRecovery: (file: string, at: string, end: string) =>
    new SqlError(
      4318,
      `File '${file}' has been rolled forward to LSN ${at}. This log terminates at LSN ${end}, which is too early to apply the WITH RECOVERY option. Reissue the RESTORE LOG statement WITH NORECOVERY.`,
    ),
  logTooEarly: (last: string, needed: string) =>
    new SqlError(
      4326,
      `The log in this backup set terminates at LSN ${last}, which is too early to apply to the database. A more recent log backup that includes LSN ${needed} can be restored.`,
    ),
  recoveryPathInconsistent: () =>
    new SqlError(
      4330,
      'This backup set cannot be applied because it is on a recovery path that is inconsistent with the database. The recovery path is the sequence of data and log backups that have brought the database to a particular recovery point. Find a compatible backup to restore, or restore the rest of the database to match a recovery point within this backup set, which will restore the database to a different point in time. For more information about recovery paths, see SQL Server Books Online.',
    ),
  inconsistentPoints: () =>
    new SqlError(
      4331,
      'The database cannot be recovered because the files have been restored to inconsistent points in time.',
    ),
  stopAtTooEarly: () =>
    new SqlError(
      4335,
      'The specified STOPAT time is too early. All or part of the database is already rolled forward beyond that point.',
    ),
  conflictingMove: (file: string) =>
    new SqlError(
      4353,
      `Conflicting file relocations have been specified for file '${file}'. Only a single WITH MOVE clause should be specified for any logical file name.`,
    ),
  mustBeRestoredTo: (file: string, at: string, needed: string) =>
    new SqlError(
      4358,
      `The database can not be brought online because file '${file}' is currently restored to LSN ${at} but must be restored to LSN ${needed}.`,
    ),
};

export const sqlNotices = {
  processedPages: (pages: number, db: string, file: string, position: number) =>
    info(`Processed ${pages} pages for database '${db}', file '${file}' on file ${position}.`, 4035, 10),
  successfullyProcessed: (operation: string, pages: number, seconds: number) => {
    const mbps = seconds > 0 ? (pages * 8192) / 1048576 / seconds : 0;
    return info(
      `${operation} successfully processed ${pages} pages in ${seconds.toFixed(3)} seconds (${mbps.toFixed(3)} MB/sec).`,
      3014,
      10,
    );
  },
  continuedAfterError: () =>
    info(
      'BACKUP WITH CONTINUE_AFTER_ERROR successfully generated a backup of the damaged database. Refer to the SQL Server error log for information about the errors that were encountered.',
      3042,
      10,
    ),
  restoredDamaged: () =>
    info(
      'RESTORE WITH CONTINUE_AFTER_ERROR was successful but some damage was encountered. Inconsistencies in the database are possible.',
      3184,
      10,
    ),
  percentProcessed: (percent: number) => info(`${percent} percent processed.`, 3211, 10),
  backupSetValid: (position: number) => info(`The backup set on file ${position} is valid.`, 3262, 10),
  multiBasedWarning: () =>
    info(
      'This BACKUP WITH DIFFERENTIAL will be based on more than one file backup. All those file backups must be restored before attempting to restore this differential backup.',
      3003,
      10,
    ),
  partialIncludesReadOnly: (filegroup: string) =>
    info(
      `The differential partial backup is including a read-only filegroup, '${filegroup}'. This filegroup was read-write when the base partial backup was created, but was later changed to read-only access. We recommend that you create a separate file backup of the '${filegroup}' filegroup now, and then create a new partial backup to provide a new base for later differential partial backups.`,
      3005,
      10,
    ),
  /** SQL Server writes 3127 to the error log; the simulator also tells the client, as an INFO. */
  defunct: (file: string, db: string) =>
    info(
      `The file '${file}' of restored database '${db}' is being left in the defunct state because the database is using the simple recovery model and the file is marked for read-write access. Therefore, only read-only files can be recovered by piecemeal restore.`,
      3127,
      10,
    ),
  rollForwardNeeded: (start: string, past: string) =>
    info(
      `The roll forward start point is now at log sequence number (LSN) ${start}. Additional roll forward past LSN ${past} is required to complete the restore sequence.`,
      4303,
      10,
    ),
  pointInTimeNotReached: () =>
    info(
      'This backup set contains records that were logged before the designated point in time. The database is being left in the restoring state so that more roll forward can be performed.',
      4322,
      10,
    ),
  notBroughtOnline: () =>
    info(
      'This RESTORE statement successfully performed some actions, but the database could not be brought online because one or more RESTORE steps are needed. Previous messages indicate reasons why recovery cannot occur at this point.',
      4339,
      10,
    ),
  onlineRestoreIncomplete: () =>
    info(
      'Some files still require more restore steps before the online restore sequence can be completed.',
      4315,
      10,
    ),
  restoreComplete: (db: string) =>
    info(`Restore is complete on database '${db}'. The database is now available.`, 4356, 10),
};
