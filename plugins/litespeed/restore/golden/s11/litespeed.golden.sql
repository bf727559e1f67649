-- holdfast restore script (LiteSpeed): restore DW to the latest point (LSN 36000000000002500001)
-- Generated from backup history; review before running. The script stops at the first failed step.
SET NOCOUNT ON;
DECLARE @rc int;

-- Step 1, stage 1: restore database from backup set 701, WITH RECOVERY
-- Why: full backup 701 (finished 2026-03-01T01:30:00Z, LSN 36000000000002000001..36000000000002500001) is the newest usable base whose chain reaches the target; it restores every filegroup; WITH RECOVERY: last step of stage 1
EXEC @rc = master.dbo.xp_restore_database
    @database = N'DW',
    @filename = N'Y:\SQL_BACKUPS\DW_FULL_20260301_1of4.bak',
    @filename = N'Y:\SQL_BACKUPS\DW_FULL_20260301_2of4.bak',
    @filename = N'Y:\SQL_BACKUPS\DW_FULL_20260301_3of4.bak',
    @filename = N'Y:\SQL_BACKUPS\DW_FULL_20260301_4of4.bak',
    @filenumber = 2,
    @with = N'RECOVERY',
    @encryptionkey = N'********';
IF @rc <> 0 OR @rc IS NULL
BEGIN
    RAISERROR(N'holdfast: restore step %d failed: LiteSpeed returned %d; later steps were not run', 16, 1, 1, @rc);
    RETURN;
END
