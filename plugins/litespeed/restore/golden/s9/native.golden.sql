-- holdfast restore script (native T-SQL): restore DW to the latest point (LSN 36000000000048500001)
-- Generated from backup history; review before running. The script stops at the first failed step.
-- WARNING: backups 602, 603, 604 were written through a virtual device (LiteSpeed); native RESTORE cannot read LiteSpeed files.
SET NOCOUNT ON;

-- Step 1, stage 1: restore database from backup set 602, NORECOVERY
-- Why: full backup 602 (finished 2026-03-01T01:10:00Z, LSN 36000000000044900001..36000000000046400001) is the newest usable base whose chain reaches the target; it restores every filegroup; NORECOVERY: more steps follow
RESTORE DATABASE [DW]
FROM DISK = N'Y:\SQL_BACKUPS\DW_FULL_20260301.bak'
WITH FILE = 1, NORECOVERY;
IF @@ERROR <> 0
BEGIN
    RAISERROR(N'holdfast: restore step %d failed; later steps were not run', 16, 1, 1);
    RETURN;
END

-- Step 2, stage 1: restore log from backup set 603, NORECOVERY
-- Why: log backup 603 (finished 2026-03-01T01:00:10Z, LSN 36000000000046100001..36000000000046700001) contains LSN 36000000000046400001, where the data steps of this stage end (first_lsn <= 36000000000046400001 < last_lsn); NORECOVERY: more steps follow
RESTORE LOG [DW]
FROM DISK = N'Y:\SQL_BACKUPS\DW_LOG_20260301_0100.bak'
WITH FILE = 1, NORECOVERY;
IF @@ERROR <> 0
BEGIN
    RAISERROR(N'holdfast: restore step %d failed; later steps were not run', 16, 1, 2);
    RETURN;
END

-- Step 3, stage 1: restore log from backup set 604, WITH RECOVERY
-- Why: log backup 604 (finished 2026-03-01T01:15:10Z, LSN 36000000000046700001..36000000000048500001) continues the chain (first_lsn = previous last_lsn 36000000000046700001); WITH RECOVERY: last step of stage 1
RESTORE LOG [DW]
FROM DISK = N'Y:\SQL_BACKUPS\DW_LOG_20260301_0115.bak'
WITH FILE = 1, RECOVERY;
IF @@ERROR <> 0
BEGIN
    RAISERROR(N'holdfast: restore step %d failed; later steps were not run', 16, 1, 3);
    RETURN;
END
