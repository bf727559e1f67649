import type { ResultSet, SqlMessage } from '../engine-api.ts';
import {
  backupTypeDescription,
  headerBackupType,
  type BackupFormat,
  type BackupSetImage,
} from './backup-set-image.ts';
import { sqlNotices } from './error-catalog.ts';
import { openAll, readBackupSet } from './media-reader.ts';
import { abortable, delay } from './operation-support.ts';
import { col, resultSet, T } from './result-columns.ts';
import type { ServerModel } from './server-model.ts';
import { SqlError } from './sql-error.ts';

export interface InspectRequest {
  format: BackupFormat;
  operation: string;
  devices: string[];
  /** null: every backup set on the media (HEADERONLY without FILE =). */
  position: number | null;
  key: string | null;
}

async function prepare(server: ServerModel, req: InspectRequest, signal: AbortSignal, allFamilies = true) {
  const faults = server.faults.onCall(req.operation, null);
  if (faults.error)
    throw new SqlError(faults.error.number, faults.error.message, { severity: faults.error.severity ?? 16 });
  const read = await readBackupSet(server.paths, {
    reader: req.format,
    devices: req.devices,
    position: req.position ?? 1,
    key: req.key,
    corruptFirst: faults.corruptBeforeRead,
    allFamilies,
  });
  await abortable(delay(faults.delayMs, signal), signal);
  return read;
}

/** RESTORE VERIFYONLY / xp_restore_verifyonly: every family present, intact and readable with the key. */
export async function verifyBackup(
  server: ServerModel,
  req: InspectRequest,
  signal: AbortSignal,
): Promise<SqlMessage[]> {
  const read = await prepare(server, req, signal);
  return [sqlNotices.backupSetValid(read.descriptor.position)];
}

/** RESTORE HEADERONLY / xp_restore_headeronly: one row per backup set. */
export async function headerOnly(
  server: ServerModel,
  req: InspectRequest,
  signal: AbortSignal,
): Promise<ResultSet> {
  const read = await prepare(server, req, signal, false);
  const images =
    req.position === null ? await openAll(read.allSets, req.key, req.format, req.devices[0]!) : [read.image];
  const positions =
    req.position === null ? read.allSets.map((s) => s.descriptor.position) : [read.descriptor.position];
  const compressed = read.descriptor.compressionLevel > 0;
  return resultSet(
    HEADER_COLUMNS,
    images.map((img, i) => headerRow(img, positions[i]!, compressed, req.format)),
  );
}

/** RESTORE FILELISTONLY / xp_restore_filelistonly: the database files of one backup set. */
export async function fileListOnly(
  server: ServerModel,
  req: InspectRequest,
  signal: AbortSignal,
): Promise<ResultSet> {
  const { image } = await prepare(server, req, signal, false);
  return resultSet(
    FILELIST_COLUMNS,
    image.files.map((f) => ({
      LogicalName: f.logicalName,
      PhysicalName: f.physicalName,
      Type: f.fileType,
      FileGroupName: f.filegroupName,
      Size: String(f.sizeBytes),
      MaxSize: '35184372080640',
      FileId: f.fileId,
      CreateLSN: f.createLsn,
      DropLSN: null,
      UniqueId: f.fileGuid,
      ReadOnlyLSN: f.readOnlyLsn,
      ReadWriteLSN: f.readWriteLsn,
      BackupSizeInBytes: f.backupBytes,
      SourceBlockSize: 512,
      FileGroupId: f.filegroupId ?? 0,
      LogGroupGUID: null,
      DifferentialBaseLSN: f.differentialBaseLsn,
      DifferentialBaseGUID: f.differentialBaseGuid,
      IsReadOnly: f.isReadOnly,
      IsPresent: f.isPresent,
      TDEThumbprint: null,
      SnapshotUrl: null,
    })),
  );
}

function headerRow(img: BackupSetImage, position: number, compressed: boolean, format: BackupFormat) {
  return {
    BackupName: img.name,
    BackupDescription: img.description,
    BackupType: headerBackupType(img.type),
    ExpirationDate: img.expirationDate ? new Date(img.expirationDate) : null,
    Compressed: compressed,
    Position: position,
    DeviceType: format === 'litespeed' ? 7 : 2,
    UserName: img.userName,
    ServerName: img.serverName,
    DatabaseName: img.databaseName,
    DatabaseVersion: 957,
    DatabaseCreationDate: new Date(img.databaseCreationDate),
    BackupSize: String(img.backupSize),
    FirstLSN: img.firstLsn,
    LastLSN: img.lastLsn,
    CheckpointLSN: img.checkpointLsn,
    DatabaseBackupLSN: img.databaseBackupLsn,
    BackupStartDate: new Date(img.backupStartDate),
    BackupFinishDate: new Date(img.backupFinishDate),
    SortOrder: 52,
    CodePage: 0,
    UnicodeLocaleId: 1033,
    UnicodeComparisonStyle: 196609,
    CompatibilityLevel: img.compatibilityLevel,
    SoftwareVendorId: 4608,
    SoftwareVersionMajor: img.softwareVersion.major,
    SoftwareVersionMinor: img.softwareVersion.minor,
    SoftwareVersionBuild: img.softwareVersion.build,
    MachineName: img.machineName,
    Flags: 512,
    BindingID: img.databaseGuid,
    RecoveryForkID: img.lastRecoveryForkGuid,
    Collation: img.collation,
    FamilyGUID: img.familyGuid,
    HasBulkLoggedData: false,
    IsSnapshot: false,
    IsReadOnly: img.isReadOnlyDatabase,
    IsSingleUser: false,
    HasBackupChecksums: img.hasChecksums,
    IsDamaged: img.isDamaged,
    BeginsLogChain: img.beginsLogChain,
    HasIncompleteMetaData: img.hasIncompleteMetadata,
    IsForceOffline: false,
    IsCopyOnly: img.isCopyOnly,
    FirstRecoveryForkID: img.firstRecoveryForkGuid,
    ForkPointLSN: img.forkPointLsn,
    RecoveryModel: img.recoveryModel,
    DifferentialBaseLSN: img.differentialBaseLsn,
    DifferentialBaseGUID: img.differentialBaseGuid,
    BackupTypeDescription: backupTypeDescription(img.type),
    BackupSetGUID: img.backupSetGuid,
    CompressedBackupSize: img.compressedBackupSize,
    Containment: 0,
    KeyAlgorithm: null,
    EncryptorThumbprint: null,
    EncryptorType: null,
  };
}

const HEADER_COLUMNS = [
  col('BackupName', T.nvarchar(128)),
  col('BackupDescription', T.nvarchar(255)),
  col('BackupType', T.smallint),
  col('ExpirationDate', T.datetime),
  col('Compressed', T.bit),
  col('Position', T.smallint),
  col('DeviceType', T.tinyint),
  col('UserName', T.sysname),
  col('ServerName', T.sysname),
  col('DatabaseName', T.sysname),
  col('DatabaseVersion', T.int),
  col('DatabaseCreationDate', T.datetime),
  col('BackupSize', T.numeric20),
  col('FirstLSN', T.lsn),
  col('LastLSN', T.lsn),
  col('CheckpointLSN', T.lsn),
  col('DatabaseBackupLSN', T.lsn),
  col('BackupStartDate', T.datetime),
  col('BackupFinishDate', T.datetime),
  col('SortOrder', T.smallint),
  col('CodePage', T.smallint),
  col('UnicodeLocaleId', T.int),
  col('UnicodeComparisonStyle', T.int),
  col('CompatibilityLevel', T.tinyint),
  col('SoftwareVendorId', T.int),
  col('SoftwareVersionMajor', T.int),
  col('SoftwareVersionMinor', T.int),
  col('SoftwareVersionBuild', T.int),
  col('MachineName', T.sysname),
  col('Flags', T.int),
  col('BindingID', T.guid),
  col('RecoveryForkID', T.guid),
  col('Collation', T.sysname),
  col('FamilyGUID', T.guid),
  col('HasBulkLoggedData', T.bit),
  col('IsSnapshot', T.bit),
  col('IsReadOnly', T.bit),
  col('IsSingleUser', T.bit),
  col('HasBackupChecksums', T.bit),
  col('IsDamaged', T.bit),
  col('BeginsLogChain', T.bit),
  col('HasIncompleteMetaData', T.bit),
  col('IsForceOffline', T.bit),
  col('IsCopyOnly', T.bit),
  col('FirstRecoveryForkID', T.guid),
  col('ForkPointLSN', T.lsn),
  col('RecoveryModel', T.nvarchar(60)),
  col('DifferentialBaseLSN', T.lsn),
  col('DifferentialBaseGUID', T.guid),
  col('BackupTypeDescription', T.nvarchar(60)),
  col('BackupSetGUID', T.guid),
  col('CompressedBackupSize', T.bigint),
  col('Containment', T.tinyint),
  col('KeyAlgorithm', T.nvarchar(32)),
  col('EncryptorThumbprint', T.varbinary(20)),
  col('EncryptorType', T.nvarchar(32)),
];

const FILELIST_COLUMNS = [
  col('LogicalName', T.sysname),
  col('PhysicalName', T.nvarchar(260)),
  col('Type', T.char1),
  col('FileGroupName', T.sysname),
  col('Size', T.numeric20),
  col('MaxSize', T.numeric20),
  col('FileId', T.bigint),
  col('CreateLSN', T.lsn),
  col('DropLSN', T.lsn),
  col('UniqueId', T.guid),
  col('ReadOnlyLSN', T.lsn),
  col('ReadWriteLSN', T.lsn),
  col('BackupSizeInBytes', T.bigint),
  col('SourceBlockSize', T.int),
  col('FileGroupId', T.int),
  col('LogGroupGUID', T.guid),
  col('DifferentialBaseLSN', T.lsn),
  col('DifferentialBaseGUID', T.guid),
  col('IsReadOnly', T.bit),
  col('IsPresent', T.bit),
  col('TDEThumbprint', T.varbinary(32)),
  col('SnapshotUrl', T.nvarchar(360)),
];
