-- holdfast restore script (LiteSpeed): restore DW to the latest point (LSN 36000000000048500001)
-- Generated from backup history; review before running. The script stops at the first failed step.
SET NOCOUNT ON;
DECLARE @rc int;

-- Step 1, stage 1: restore database from backup set 602, NORECOVERY
-- Why: full backup 602 (finished 2026-03-01T01:10:00Z, LSN 36000000000044900001..36000000000046400001) is the newest usable base whose chain reaches the target; it restores every filegroup; NORECOVERY: more steps follow
EXEC @rc = master.dbo.xp_restore_database
    @database = N'DW',
    @filename = N'Y:\SQL_BACKUPS\DW_FULL_20260301.bak',
    @filenumber = 1,
    @with = N'NORECOVERY',
    @encryptionkey = N'********';
IF @rc <> 0 OR @rc IS NULL
BEGIN
    RAISERROR(N'holdfast: restore step %d failed: LiteSpeed returned %d; later steps were not run', 16, 1, 1, @rc);
    RETURN;
END

-- Step 2, stage 1: restore log from backup set 603, NORECOVERY
-- Why: log backup 603 (finished 2026-03-01T01:00:10Z, LSN 36000000000046100001..36000000000046700001) contains LSN 36000000000046400001, where the data steps of this stage end (first_lsn <= 36000000000046400001 < last_lsn); NORECOVERY: more steps follow
EXEC @rc = master.dbo.xp_restore_log
    @database = N'DW',
    @filename = N'Y:\SQL_BACKUPS\DW_LOG_20260301_0100.bak',
    @filenumber = 1,
    @with = N'NORECOVERY',
    @encryptionkey = N'********';
IF @rc <> 0 OR @rc IS NULL
BEGIN
    RAISERROR(N'holdfast: restore step %d failed: LiteSpeed returned %d; later steps were not run', 16, 1, 2, @rc);
    RETURN;
END

-- Step 3, stage 1: restore log from backup set 604, WITH RECOVERY
-- Why: log backup 604 (finished 2026-03-01T01:15:10Z, LSN 36000000000046700001..36000000000048500001) continues the chain (first_lsn = previous last_lsn 36000000000046700001); WITH RECOVERY: last step of stage 1
EXEC @rc = master.dbo.xp_restore_log
    @database = N'DW',
    @filename = N'Y:\SQL_BACKUPS\DW_LOG_20260301_0115.bak',
    @filenumber = 1,
    @with = N'RECOVERY',
    @encryptionkey = N'********';
IF @rc <> 0 OR @rc IS NULL
BEGIN
    RAISERROR(N'holdfast: restore step %d failed: LiteSpeed returned %d; later steps were not run', 16, 1, 3, @rc);
    RETURN;
END
