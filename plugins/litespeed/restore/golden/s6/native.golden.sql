-- holdfast restore script (native T-SQL): restore DW to the latest point (LSN 36000000000005200001)
-- Generated from backup history; review before running. The script stops at the first failed step.
-- WARNING: backups 403, 404 were written through a virtual device (LiteSpeed); native RESTORE cannot read LiteSpeed files.
SET NOCOUNT ON;

-- Step 1, stage 1: restore partial (PRIMARY, A, B, C) from backup set 403, NORECOVERY
-- Why: partial backup 403 (finished 2026-03-08T01:20:00Z, LSN 36000000000004000001..36000000000004500001) is the newest usable base whose chain reaches the target; first step of a piecemeal restore (PARTIAL): PRIMARY, A, B, C (under SIMPLE, PRIMARY and every read-write filegroup come from one backup); NORECOVERY: more steps follow
RESTORE DATABASE [DW] FILEGROUP = N'PRIMARY', FILEGROUP = N'A', FILEGROUP = N'B', FILEGROUP = N'C'
FROM DISK = N'Y:\SQL_BACKUPS\DW_PARTIAL_20260308.bak'
WITH FILE = 1, PARTIAL, NORECOVERY;
IF @@ERROR <> 0
BEGIN
    RAISERROR(N'holdfast: restore step %d failed; later steps were not run', 16, 1, 1);
    RETURN;
END

-- Step 2, stage 1: restore database from backup set 404, WITH RECOVERY
-- Why: differential partial backup 404 (finished 2026-03-09T01:05:00Z, LSN 36000000000005000001..36000000000005200001) is the newest differential of base 403 (differential_base_lsn 36000000000004000001 = its checkpoint_lsn, differential_base_guid = its backup_set_uuid); WITH RECOVERY: last step of stage 1
RESTORE DATABASE [DW]
FROM DISK = N'Y:\SQL_BACKUPS\DW_DIFF_PARTIAL_20260309.bak'
WITH FILE = 1, RECOVERY;
IF @@ERROR <> 0
BEGIN
    RAISERROR(N'holdfast: restore step %d failed; later steps were not run', 16, 1, 2);
    RETURN;
END
