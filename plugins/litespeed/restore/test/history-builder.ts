import type { BackupFile, BackupHistory, BackupSet } from '../history-schema.ts';

/** Small hand-made histories for focused tests. LSNs are offsets from a base above 2^53. */
export const LSN_BASE = 41_000_000_000_000_000_000n;
export const lsn = (n: number): string => (LSN_BASE + BigInt(n) * 1_000n).toString();

export const FORK_A = 'AAAAAAAA-0000-4000-8000-00000000000A';
export const FORK_B = 'BBBBBBBB-0000-4000-8000-00000000000B';

export function file(
  logical: string,
  fg: string | null,
  present: boolean,
  extra: Partial<BackupFile> = {},
): BackupFile {
  return {
    logical_name: logical,
    physical_name: fg === null ? `L:\\log\\${logical}.ldf` : `E:\\data\\${logical}.mdf`,
    filegroup_name: fg,
    file_type: fg === null ? 'L' : 'D',
    is_present: present,
    is_readonly: false,
    read_only_lsn: null,
    read_write_lsn: null,
    ...extra,
  };
}

export const allFiles = (): BackupFile[] => [file('DB_Data', 'PRIMARY', true), file('DB_Log', null, true)];

let counter = 0;
export function backupSet(
  o: Partial<BackupSet> &
    Pick<BackupSet, 'backup_set_id' | 'type' | 'first_lsn' | 'last_lsn' | 'backup_finish_date'>,
): BackupSet {
  counter++;
  return {
    backup_set_uuid: `00000000-0000-4000-8000-${String(o.backup_set_id).padStart(12, '0')}`,
    database_name: 'DB',
    checkpoint_lsn: o.first_lsn,
    database_backup_lsn: null,
    differential_base_lsn: null,
    differential_base_guid: null,
    is_copy_only: false,
    backup_start_date: o.backup_finish_date,
    recovery_model: 'FULL',
    first_recovery_fork_guid: FORK_A,
    last_recovery_fork_guid: FORK_A,
    fork_point_lsn: null,
    has_incomplete_metadata: false,
    is_damaged: false,
    begins_log_chain: false,
    position: 1,
    files: o.type === 'L' ? [file('DB_Log', null, true)] : allFiles(),
    media: [
      {
        family_sequence_number: 1,
        mirror: 0,
        physical_device_name: `Y:\\b\\${o.type}_${o.backup_set_id}_${counter}.bak`,
        device_type: 7,
      },
    ],
    ...o,
  };
}

export function history(
  sets: BackupSet[],
  recovery: BackupHistory['recovery_model'] = 'FULL',
): BackupHistory {
  return { database_name: 'DB', recovery_model: recovery, backupsets: sets };
}

/** `2026-03-01T<hh:mm>:00Z` */
export const at = (hhmm: string, day = '01'): string => `2026-03-${day}T${hhmm}:00Z`;
