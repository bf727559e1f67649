import { z } from 'zod';
import { LSN_PATTERN } from './lsn.ts';

/**
 * The backup-history file: what msdb knows about one database's backups, as JSON. The same types are
 * produced by the live msdb reader. Field names and meanings follow msdb.dbo.backupset, backupfile and
 * backupmediafamily; docs/history-file.md documents every field and gives the FOR JSON query.
 */

const LSN_ALLOWED =
  'a decimal string of 1-25 digits (numeric(25,0) cast to varchar: LSNs exceed JavaScript exact integers)';
const GUID_ALLOWED = 'a GUID such as "6F9619FF-8B86-D011-B42D-00C04FC964FF"';
const DATE_ALLOWED =
  'an ISO-8601 date-time with Z or an offset, such as "2026-03-01T01:20:00Z" or "2026-03-01T02:20:00+01:00"';
const GUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Canonical text (leading zeros stripped) so that equal LSNs are equal strings. */
const lsn = z
  .string({ error: LSN_ALLOWED })
  .regex(LSN_PATTERN, { error: LSN_ALLOWED })
  .transform((v) => (v.length > 1 && v.startsWith('0') ? v.replace(/^0+(?=\d)/, '') : v));
const guid = z
  .string({ error: GUID_ALLOWED })
  .regex(GUID_PATTERN, { error: GUID_ALLOWED })
  .transform((g) => g.toUpperCase());
const isoDate = z.iso.datetime({ offset: true, error: DATE_ALLOWED });
const name = z.string({ error: 'a non-empty name (sysname, at most 128 characters)' }).min(1).max(128);
const bool = z.boolean({ error: 'true or false' });

/** msdb.dbo.backupset.recovery_model writes BULK-LOGGED; sys.databases writes BULK_LOGGED. Both are read. */
export const recoveryModelSchema = z
  .enum(['SIMPLE', 'FULL', 'BULK_LOGGED', 'BULK-LOGGED'], { error: 'one of "SIMPLE", "FULL", "BULK_LOGGED"' })
  .transform((m) => (m === 'BULK-LOGGED' ? 'BULK_LOGGED' : m));
export type RecoveryModel = z.output<typeof recoveryModelSchema>;

/** backupset.type: D full, I differential, L log, F file/filegroup, G differential file, P partial, Q differential partial. */
export const backupTypeSchema = z.enum(['D', 'I', 'L', 'F', 'G', 'P', 'Q'], {
  error:
    'one of "D" (full), "I" (differential), "L" (log), "F" (file/filegroup), "G" (differential file), "P" (partial), "Q" (differential partial)',
});
export type BackupType = z.output<typeof backupTypeSchema>;

/** One row of msdb.dbo.backupfile: a database file and whether this backup set contains it. */
export const backupFileSchema = z.strictObject({
  logical_name: name,
  physical_name: z.string({ error: 'the file path at backup time' }).min(1),
  /** NULL for the log file. */
  filegroup_name: name.nullable(),
  /** D data, L log, F full-text catalog, S FILESTREAM / memory-optimized container. */
  file_type: z.enum(['D', 'L', 'F', 'S'], {
    error: 'one of "D" (data), "L" (log), "F" (full-text), "S" (FILESTREAM)',
  }),
  is_present: bool,
  /** The file was read-only at backup time. */
  is_readonly: bool,
  /** Most recent change of the file's filegroup from read-write to read-only. */
  read_only_lsn: lsn.nullable(),
  /** Most recent change of the file's filegroup from read-only to read-write. */
  read_write_lsn: lsn.nullable(),
});
export type BackupFile = z.output<typeof backupFileSchema>;

/** One row of msdb.dbo.backupmediafamily: a stripe (family) of one mirror. */
export const backupMediaSchema = z.strictObject({
  family_sequence_number: z.int({ error: 'an integer from 1 to 64' }).min(1).max(64),
  mirror: z.int({ error: 'an integer from 0 to 3' }).min(0).max(3),
  physical_device_name: z.string({ error: 'the backup file path (or URL)' }).min(1),
  /** 2 disk, 5 tape, 7 virtual device (LiteSpeed), 9 URL, 102/105 permanent device; null when unknown. */
  device_type: z
    .int({ error: 'an integer (2 disk, 5 tape, 7 virtual device, 9 URL)' })
    .min(0)
    .max(255)
    .nullable(),
});
export type BackupMedia = z.output<typeof backupMediaSchema>;

export const backupSetSchema = z.strictObject({
  backup_set_id: z.int({ error: 'a positive integer' }).min(1),
  backup_set_uuid: guid,
  database_name: name,
  type: backupTypeSchema,
  first_lsn: lsn,
  last_lsn: lsn,
  checkpoint_lsn: lsn.nullable(),
  database_backup_lsn: lsn.nullable(),
  differential_base_lsn: lsn.nullable(),
  differential_base_guid: guid.nullable(),
  is_copy_only: bool,
  backup_start_date: isoDate,
  backup_finish_date: isoDate,
  recovery_model: recoveryModelSchema,
  first_recovery_fork_guid: guid,
  last_recovery_fork_guid: guid,
  fork_point_lsn: lsn.nullable(),
  has_incomplete_metadata: bool,
  is_damaged: bool,
  begins_log_chain: bool,
  position: z.int({ error: 'the backup set position in its media set (1 or more)' }).min(1).max(32767),
  files: z.array(backupFileSchema, { error: 'an array of backupfile rows' }),
  media: z
    .array(backupMediaSchema, { error: 'an array of backupmediafamily rows' })
    .min(1, { error: 'at least one backupmediafamily row' }),
});
export type BackupSet = z.output<typeof backupSetSchema>;

export const filegroupStateSchema = z.strictObject({ name, is_read_only: bool });
export type FilegroupState = z.output<typeof filegroupStateSchema>;

export const backupHistorySchema = z.strictObject({
  database_name: name,
  /** The database's recovery model now (sys.databases). Each backup set carries the model at its own time. */
  recovery_model: recoveryModelSchema,
  /** Current filegroups (sys.filegroups), when the database still exists. Optional. */
  filegroups: z.array(filegroupStateSchema, { error: 'an array of { name, is_read_only }' }).optional(),
  backupsets: z.array(backupSetSchema, { error: 'an array of backup sets' }),
});
export type BackupHistory = z.output<typeof backupHistorySchema>;
/** The history as written in a file (before normalisation of GUID case and BULK-LOGGED). */
export type BackupHistoryInput = z.input<typeof backupHistorySchema>;
