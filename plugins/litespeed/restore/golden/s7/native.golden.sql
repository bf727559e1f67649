-- holdfast restore script (native T-SQL): restore DW to the latest point (LSN 36000000000004200001)
-- Generated from backup history; review before running. The script stops at the first failed step.
-- WARNING: backups 501, 503 were written through a virtual device (LiteSpeed); native RESTORE cannot read LiteSpeed files.
SET NOCOUNT ON;

-- Step 1, stage 1: restore database from backup set 501, NORECOVERY
-- Why: full backup 501 (finished 2026-03-01T01:30:00Z, LSN 36000000000002000001..36000000000002500001) is the newest usable base whose chain reaches the target; it restores every filegroup; NORECOVERY: more steps follow
RESTORE DATABASE [DW]
FROM DISK = N'Y:\SQL_BACKUPS\DW_FULL_20260301.bak'
WITH FILE = 1, NORECOVERY,
     MOVE N'DW_Data' TO N'G:\data\DW.mdf',
     MOVE N'DW_A' TO N'G:\data\DW_A.ndf',
     MOVE N'DW_B' TO N'G:\data\DW_B.ndf',
     MOVE N'DW_C' TO N'G:\data\DW_C.ndf',
     MOVE N'DW_Log' TO N'H:\log\DW_log.ldf';
IF @@ERROR <> 0
BEGIN
    RAISERROR(N'holdfast: restore step %d failed; later steps were not run', 16, 1, 1);
    RETURN;
END

-- Step 2, stage 1: restore database from backup set 503, WITH RECOVERY
-- Why: differential backup 503 (finished 2026-03-02T01:05:00Z, LSN 36000000000004000001..36000000000004200001) is the newest differential of base 501 (differential_base_lsn 36000000000002000001 = its checkpoint_lsn, differential_base_guid = its backup_set_uuid); WITH RECOVERY: last step of stage 1
RESTORE DATABASE [DW]
FROM DISK = N'Y:\SQL_BACKUPS\DW_DIFF_20260302.bak'
WITH FILE = 1, RECOVERY;
IF @@ERROR <> 0
BEGIN
    RAISERROR(N'holdfast: restore step %d failed; later steps were not run', 16, 1, 2);
    RETURN;
END
