-- holdfast restore script (LiteSpeed): restore DW as DW_Copy to the latest point (LSN 36000000000002500001)
-- Generated from backup history; review before running. The script stops at the first failed step.
SET NOCOUNT ON;
DECLARE @rc int;

-- Step 1, stage 1: restore partial (PRIMARY, A, C) from backup set 102, WITH RECOVERY
-- Why: partial backup 102 (finished 2026-03-01T01:20:00Z, LSN 36000000000002000001..36000000000002500001) is the newest usable base whose chain reaches the target; first step of a piecemeal restore (PARTIAL): PRIMARY, A, C (under SIMPLE, PRIMARY and every read-write filegroup come from one backup); WITH RECOVERY: last step of stage 1; MOVE also for DW_B (restored later or left offline): the first restore places every file of the database
EXEC @rc = master.dbo.xp_restore_database
    @database = N'DW_Copy',
    @filename = N'Y:\SQL_BACKUPS\DW_PARTIAL_20260301_0100.bak',
    @filenumber = 1,
    @filegroup = N'PRIMARY',
    @filegroup = N'A',
    @filegroup = N'C',
    @with = N'PARTIAL',
    @with = N'RECOVERY',
    @with = N'MOVE N''DW_Data'' TO N''F:\restore\DW_Copy.mdf''',
    @with = N'MOVE N''DW_A'' TO N''F:\restore\DW_Copy_A.ndf''',
    @with = N'MOVE N''DW_C'' TO N''F:\restore\DW_Copy_C.ndf''',
    @with = N'MOVE N''DW_Log'' TO N''F:\restore\DW_Copy_log.ldf''',
    @with = N'MOVE N''DW_B'' TO N''F:\restore\DW_Copy_B.ndf''',
    @encryptionkey = N'********';
IF @rc <> 0 OR @rc IS NULL
BEGIN
    RAISERROR(N'holdfast: restore step %d failed: LiteSpeed returned %d; later steps were not run', 16, 1, 1, @rc);
    RETURN;
END

-- Step 2, stage 2: restore filegroup (B) from backup set 101, WITH RECOVERY
-- Why: filegroup B is read-only: file/filegroup backup 101 (finished 2026-03-01T00:30:00Z, LSN 36000000000001000001..36000000000001200001) holds it with read_only_lsn 36000000000000500001, the same as base 102, so no log is needed; WITH RECOVERY: last step of stage 2
EXEC @rc = master.dbo.xp_restore_database
    @database = N'DW_Copy',
    @filename = N'Y:\SQL_BACKUPS\DW_FG_B_20260301_0020.bak',
    @filenumber = 1,
    @filegroup = N'B',
    @with = N'RECOVERY',
    @with = N'MOVE N''DW_B'' TO N''F:\restore\DW_Copy_B.ndf''',
    @encryptionkey = N'********';
IF @rc <> 0 OR @rc IS NULL
BEGIN
    RAISERROR(N'holdfast: restore step %d failed: LiteSpeed returned %d; later steps were not run', 16, 1, 2, @rc);
    RETURN;
END
