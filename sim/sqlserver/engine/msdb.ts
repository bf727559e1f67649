import type { BackupSetImage, BackupType } from './backup-set-image.ts';
import { parseOptionalLsn, parseLsn, type Lsn } from './lsn.ts';

/**
 * msdb's backup and restore history tables, filled the way SQL Server fills them. Column names are
 * the real ones; LSNs are bigint (numeric(25,0) at the edge), GUIDs upper-case strings.
 */

export interface BackupMediaSetRow {
  media_set_id: number;
  media_uuid: string;
  media_family_count: number;
  name: string | null;
  description: string | null;
  software_name: string;
  software_vendor_id: number;
  MTF_major_version: number;
  mirror_count: number;
  is_password_protected: boolean;
  is_compressed: boolean;
  is_encrypted: boolean;
}

export interface BackupMediaFamilyRow {
  media_set_id: number;
  family_sequence_number: number;
  media_family_id: string;
  media_count: number;
  logical_device_name: string | null;
  physical_device_name: string;
  /** 2 disk, 7 virtual device (LiteSpeed). */
  device_type: number;
  physical_block_size: number;
  mirror: number;
}

export interface BackupSetRow {
  backup_set_id: number;
  backup_set_uuid: string;
  media_set_id: number;
  first_family_number: number;
  first_media_number: number;
  last_family_number: number;
  last_media_number: number;
  position: number;
  expiration_date: Date | null;
  software_vendor_id: number;
  name: string | null;
  description: string | null;
  user_name: string;
  software_major_version: number;
  software_minor_version: number;
  software_build_version: number;
  first_lsn: Lsn;
  last_lsn: Lsn;
  checkpoint_lsn: Lsn;
  database_backup_lsn: Lsn;
  database_creation_date: Date;
  backup_start_date: Date;
  backup_finish_date: Date;
  type: BackupType;
  compatibility_level: number;
  backup_size: number;
  database_name: string;
  server_name: string;
  machine_name: string;
  collation_name: string;
  is_password_protected: boolean;
  recovery_model: string;
  is_snapshot: boolean;
  is_readonly: boolean;
  is_single_user: boolean;
  has_backup_checksums: boolean;
  is_damaged: boolean;
  begins_log_chain: boolean;
  has_incomplete_metadata: boolean;
  is_force_offline: boolean;
  is_copy_only: boolean;
  first_recovery_fork_guid: string;
  last_recovery_fork_guid: string;
  fork_point_lsn: Lsn | null;
  database_guid: string;
  family_guid: string;
  differential_base_lsn: Lsn | null;
  differential_base_guid: string | null;
  compressed_backup_size: number;
  key_algorithm: string | null;
}

export interface BackupFileRow {
  backup_set_id: number;
  first_family_number: number;
  first_media_number: number;
  filegroup_name: string | null;
  page_size: number;
  file_number: number;
  backed_up_page_count: number;
  file_type: 'D' | 'L';
  file_size: number;
  logical_name: string;
  physical_drive: string;
  physical_name: string;
  state: number;
  state_desc: string;
  create_lsn: Lsn;
  drop_lsn: Lsn | null;
  file_guid: string;
  read_only_lsn: Lsn | null;
  read_write_lsn: Lsn | null;
  differential_base_lsn: Lsn | null;
  differential_base_guid: string | null;
  backup_size: number;
  filegroup_guid: string | null;
  is_readonly: boolean;
  is_present: boolean;
}

export interface BackupFilegroupRow {
  backup_set_id: number;
  name: string;
  filegroup_id: number;
  filegroup_guid: string;
  type: string;
  type_desc: string;
  is_default: boolean;
  is_readonly: boolean;
}

export interface RestoreHistoryRow {
  restore_history_id: number;
  restore_date: Date;
  destination_database_name: string;
  user_name: string;
  backup_set_id: number;
  /** D database, F file, G filegroup, I differential, L log, V verifyonly. */
  restore_type: 'D' | 'F' | 'G' | 'I' | 'L' | 'V';
  replace: boolean;
  recovery: boolean;
  restart: boolean;
  stop_at: Date | null;
  device_count: number;
  stop_at_mark_name: string | null;
  stop_before: boolean;
}

/** How a backup set's media looked: one entry per family per mirror. */
export interface MediaDescription {
  mediaSetGuid: string;
  familyCount: number;
  mirrorCount: number;
  softwareName: string;
  /** 7 for LiteSpeed (virtual device), 2 for native disk backups. */
  deviceType: number;
  isCompressed: boolean;
  isEncrypted: boolean;
  devices: Array<{ family: number; mirror: number; physicalName: string; mediaFamilyGuid: string }>;
}

const MICROSOFT_VENDOR_ID = 4608;

export class Msdb {
  readonly backupmediaset: BackupMediaSetRow[] = [];
  readonly backupmediafamily: BackupMediaFamilyRow[] = [];
  readonly backupset: BackupSetRow[] = [];
  readonly backupfile: BackupFileRow[] = [];
  readonly backupfilegroup: BackupFilegroupRow[] = [];
  readonly restorehistory: RestoreHistoryRow[] = [];

  /** Records a backup set (BACKUP, or RESTORE reading a set msdb does not know) and returns its row. */
  recordBackupSet(image: BackupSetImage, media: MediaDescription, position: number): BackupSetRow {
    const mediaSetId = this.#mediaSet(media);
    const row: BackupSetRow = {
      backup_set_id: this.backupset.length + 1,
      backup_set_uuid: image.backupSetGuid,
      media_set_id: mediaSetId,
      first_family_number: 1,
      first_media_number: 1,
      last_family_number: media.familyCount,
      last_media_number: 1,
      position,
      expiration_date: image.expirationDate ? new Date(image.expirationDate) : null,
      software_vendor_id: MICROSOFT_VENDOR_ID,
      name: image.name,
      description: image.description,
      user_name: image.userName,
      software_major_version: image.softwareVersion.major,
      software_minor_version: image.softwareVersion.minor,
      software_build_version: image.softwareVersion.build,
      first_lsn: parseLsn(image.firstLsn),
      last_lsn: parseLsn(image.lastLsn),
      checkpoint_lsn: parseLsn(image.checkpointLsn),
      database_backup_lsn: parseLsn(image.databaseBackupLsn),
      database_creation_date: new Date(image.databaseCreationDate),
      backup_start_date: new Date(image.backupStartDate),
      backup_finish_date: new Date(image.backupFinishDate),
      type: image.type,
      compatibility_level: image.compatibilityLevel,
      backup_size: image.backupSize,
      database_name: image.databaseName,
      server_name: image.serverName,
      machine_name: image.machineName,
      collation_name: image.collation,
      is_password_protected: false,
      recovery_model: image.recoveryModel === 'BULK_LOGGED' ? 'BULK-LOGGED' : image.recoveryModel,
      is_snapshot: false,
      is_readonly: image.isReadOnlyDatabase,
      is_single_user: false,
      has_backup_checksums: image.hasChecksums,
      is_damaged: image.isDamaged,
      begins_log_chain: image.beginsLogChain,
      has_incomplete_metadata: image.hasIncompleteMetadata,
      is_force_offline: false,
      is_copy_only: image.isCopyOnly,
      first_recovery_fork_guid: image.firstRecoveryForkGuid,
      last_recovery_fork_guid: image.lastRecoveryForkGuid,
      fork_point_lsn: parseOptionalLsn(image.forkPointLsn),
      database_guid: image.databaseGuid,
      family_guid: image.familyGuid,
      differential_base_lsn: parseOptionalLsn(image.differentialBaseLsn),
      differential_base_guid: image.differentialBaseGuid,
      compressed_backup_size: image.compressedBackupSize,
      key_algorithm: null,
    };
    this.backupset.push(row);
    for (const f of image.files) {
      this.backupfile.push({
        backup_set_id: row.backup_set_id,
        first_family_number: 1,
        first_media_number: 1,
        filegroup_name: f.filegroupName,
        page_size: 8192,
        file_number: f.fileId,
        backed_up_page_count: Math.ceil(f.backupBytes / 8192),
        file_type: f.fileType,
        file_size: f.sizeBytes,
        logical_name: f.logicalName,
        physical_drive: driveOf(f.physicalName),
        physical_name: f.physicalName,
        state: f.state === 'ONLINE' ? 0 : 1,
        state_desc: f.state,
        create_lsn: parseLsn(f.createLsn),
        drop_lsn: null,
        file_guid: f.fileGuid,
        read_only_lsn: parseOptionalLsn(f.readOnlyLsn),
        read_write_lsn: parseOptionalLsn(f.readWriteLsn),
        differential_base_lsn: parseOptionalLsn(f.differentialBaseLsn),
        differential_base_guid: f.differentialBaseGuid,
        backup_size: f.backupBytes,
        filegroup_guid: f.filegroupGuid,
        is_readonly: f.isReadOnly,
        is_present: f.isPresent,
      });
    }
    for (const fg of image.filegroups) {
      this.backupfilegroup.push({
        backup_set_id: row.backup_set_id,
        name: fg.name,
        filegroup_id: fg.id,
        filegroup_guid: fg.guid,
        type: 'FG',
        type_desc: 'ROWS_FILEGROUP',
        is_default: fg.isDefault,
        is_readonly: fg.isReadOnly,
      });
    }
    return row;
  }

  recordRestore(entry: Omit<RestoreHistoryRow, 'restore_history_id'>): RestoreHistoryRow {
    const row = { ...entry, restore_history_id: this.restorehistory.length + 1 };
    this.restorehistory.push(row);
    return row;
  }

  mediaSet(id: number): BackupMediaSetRow | undefined {
    return this.backupmediaset.find((m) => m.media_set_id === id);
  }

  #mediaSet(media: MediaDescription): number {
    const existing = this.backupmediaset.find((m) => m.media_uuid === media.mediaSetGuid);
    if (existing) return existing.media_set_id;
    const id = this.backupmediaset.length + 1;
    this.backupmediaset.push({
      media_set_id: id,
      media_uuid: media.mediaSetGuid,
      media_family_count: media.familyCount,
      name: null,
      description: null,
      software_name: media.softwareName,
      software_vendor_id: MICROSOFT_VENDOR_ID,
      MTF_major_version: 1,
      mirror_count: media.mirrorCount,
      is_password_protected: false,
      is_compressed: media.isCompressed,
      is_encrypted: media.isEncrypted,
    });
    for (const d of media.devices) {
      this.backupmediafamily.push({
        media_set_id: id,
        family_sequence_number: d.family,
        media_family_id: d.mediaFamilyGuid,
        media_count: 1,
        logical_device_name: null,
        physical_device_name: d.physicalName,
        device_type: media.deviceType,
        physical_block_size: 512,
        mirror: d.mirror,
      });
    }
    return id;
  }
}

function driveOf(path: string): string {
  const m = /^([A-Za-z]:)/.exec(path);
  return m ? `${m[1]!.toUpperCase()}\\` : '';
}
