-- holdfast restore script (native T-SQL): restore DW as DW_Copy to the latest point (LSN 36000000000002500001)
-- Generated from backup history; review before running. The script stops at the first failed step.
-- WARNING: backups 102, 101 were written through a virtual device (LiteSpeed); native RESTORE cannot read LiteSpeed files.
SET NOCOUNT ON;

-- Step 1, stage 1: restore partial (PRIMARY, A, C) from backup set 102, WITH RECOVERY
-- Why: partial backup 102 (finished 2026-03-01T01:20:00Z, LSN 36000000000002000001..36000000000002500001) is the newest usable base whose chain reaches the target; first step of a piecemeal restore (PARTIAL): PRIMARY, A, C (under SIMPLE, PRIMARY and every read-write filegroup come from one backup); WITH RECOVERY: last step of stage 1; MOVE also for DW_B (restored later or left offline): the first restore places every file of the database
RESTORE DATABASE [DW_Copy] FILEGROUP = N'PRIMARY', FILEGROUP = N'A', FILEGROUP = N'C'
FROM DISK = N'Y:\SQL_BACKUPS\DW_PARTIAL_20260301_0100.bak'
WITH FILE = 1, PARTIAL, RECOVERY,
     MOVE N'DW_Data' TO N'F:\restore\DW_Copy.mdf',
     MOVE N'DW_A' TO N'F:\restore\DW_Copy_A.ndf',
     MOVE N'DW_C' TO N'F:\restore\DW_Copy_C.ndf',
     MOVE N'DW_Log' TO N'F:\restore\DW_Copy_log.ldf',
     MOVE N'DW_B' TO N'F:\restore\DW_Copy_B.ndf';
IF @@ERROR <> 0
BEGIN
    RAISERROR(N'holdfast: restore step %d failed; later steps were not run', 16, 1, 1);
    RETURN;
END

-- Step 2, stage 2: restore filegroup (B) from backup set 101, WITH RECOVERY
-- Why: filegroup B is read-only: file/filegroup backup 101 (finished 2026-03-01T00:30:00Z, LSN 36000000000001000001..36000000000001200001) holds it with read_only_lsn 36000000000000500001, the same as base 102, so no log is needed; WITH RECOVERY: last step of stage 2
RESTORE DATABASE [DW_Copy] FILEGROUP = N'B'
FROM DISK = N'Y:\SQL_BACKUPS\DW_FG_B_20260301_0020.bak'
WITH FILE = 1, RECOVERY,
     MOVE N'DW_B' TO N'F:\restore\DW_Copy_B.ndf';
IF @@ERROR <> 0
BEGIN
    RAISERROR(N'holdfast: restore step %d failed; later steps were not run', 16, 1, 2);
    RETURN;
END
