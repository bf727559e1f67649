-- holdfast restore script (LiteSpeed): restore DW to the latest point (LSN 36000000000004200001)
-- Generated from backup history; review before running. The script stops at the first failed step.
SET NOCOUNT ON;
DECLARE @rc int;

-- Step 1, stage 1: restore partial (PRIMARY, A, C) from backup set 301, NORECOVERY
-- Why: partial backup 301 (finished 2026-03-01T01:20:00Z, LSN 36000000000002000001..36000000000002500001) is the newest usable base whose chain reaches the target; first step of a piecemeal restore (PARTIAL): PRIMARY, A, C (under SIMPLE, PRIMARY and every read-write filegroup come from one backup); NORECOVERY: more steps follow
EXEC @rc = master.dbo.xp_restore_database
    @database = N'DW',
    @filename = N'Y:\SQL_BACKUPS\DW_PARTIAL_20260301.bak',
    @filenumber = 1,
    @filegroup = N'PRIMARY',
    @filegroup = N'A',
    @filegroup = N'C',
    @with = N'PARTIAL',
    @with = N'NORECOVERY',
    @encryptionkey = N'********';
IF @rc <> 0 OR @rc IS NULL
BEGIN
    RAISERROR(N'holdfast: restore step %d failed: LiteSpeed returned %d; later steps were not run', 16, 1, 1, @rc);
    RETURN;
END

-- Step 2, stage 1: restore database from backup set 303, WITH RECOVERY
-- Why: differential partial backup 303 (finished 2026-03-03T01:06:00Z, LSN 36000000000004000001..36000000000004200001) is the newest differential of base 301 (differential_base_lsn 36000000000002000001 = its checkpoint_lsn, differential_base_guid = its backup_set_uuid); WITH RECOVERY: last step of stage 1
EXEC @rc = master.dbo.xp_restore_database
    @database = N'DW',
    @filename = N'Y:\SQL_BACKUPS\DW_DIFF_PARTIAL_20260303.bak',
    @filenumber = 1,
    @with = N'RECOVERY',
    @encryptionkey = N'********';
IF @rc <> 0 OR @rc IS NULL
BEGIN
    RAISERROR(N'holdfast: restore step %d failed: LiteSpeed returned %d; later steps were not run', 16, 1, 2, @rc);
    RETURN;
END

-- Step 3, stage 2: restore filegroup (B) from backup set 304, WITH RECOVERY
-- Why: filegroup B is read-only: file/filegroup backup 304 (finished 2026-03-03T02:10:00Z, LSN 36000000000004300001..36000000000004400001) holds it with read_only_lsn 36000000000000500001, the same as base 301, so no log is needed; WITH RECOVERY: last step of stage 2
EXEC @rc = master.dbo.xp_restore_database
    @database = N'DW',
    @filename = N'Y:\SQL_BACKUPS\DW_FG_B_20260303.bak',
    @filenumber = 1,
    @filegroup = N'B',
    @with = N'RECOVERY',
    @encryptionkey = N'********';
IF @rc <> 0 OR @rc IS NULL
BEGIN
    RAISERROR(N'holdfast: restore step %d failed: LiteSpeed returned %d; later steps were not run', 16, 1, 3, @rc);
    RETURN;
END
