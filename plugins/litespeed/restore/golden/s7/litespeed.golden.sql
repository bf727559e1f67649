-- holdfast restore script (LiteSpeed): restore DW to the latest point (LSN 36000000000004200001)
-- Generated from backup history; review before running. The script stops at the first failed step.
SET NOCOUNT ON;
DECLARE @rc int;

-- Step 1, stage 1: restore database from backup set 501, NORECOVERY
-- Why: full backup 501 (finished 2026-03-01T01:30:00Z, LSN 36000000000002000001..36000000000002500001) is the newest usable base whose chain reaches the target; it restores every filegroup; NORECOVERY: more steps follow
EXEC @rc = master.dbo.xp_restore_database
    @database = N'DW',
    @filename = N'Y:\SQL_BACKUPS\DW_FULL_20260301.bak',
    @filenumber = 1,
    @with = N'NORECOVERY',
    @with = N'MOVE N''DW_Data'' TO N''G:\data\DW.mdf''',
    @with = N'MOVE N''DW_A'' TO N''G:\data\DW_A.ndf''',
    @with = N'MOVE N''DW_B'' TO N''G:\data\DW_B.ndf''',
    @with = N'MOVE N''DW_C'' TO N''G:\data\DW_C.ndf''',
    @with = N'MOVE N''DW_Log'' TO N''H:\log\DW_log.ldf''',
    @encryptionkey = N'********';
IF @rc <> 0 OR @rc IS NULL
BEGIN
    RAISERROR(N'holdfast: restore step %d failed: LiteSpeed returned %d; later steps were not run', 16, 1, 1, @rc);
    RETURN;
END

-- Step 2, stage 1: restore database from backup set 503, WITH RECOVERY
-- Why: differential backup 503 (finished 2026-03-02T01:05:00Z, LSN 36000000000004000001..36000000000004200001) is the newest differential of base 501 (differential_base_lsn 36000000000002000001 = its checkpoint_lsn, differential_base_guid = its backup_set_uuid); WITH RECOVERY: last step of stage 1
EXEC @rc = master.dbo.xp_restore_database
    @database = N'DW',
    @filename = N'Y:\SQL_BACKUPS\DW_DIFF_20260302.bak',
    @filenumber = 1,
    @with = N'RECOVERY',
    @encryptionkey = N'********';
IF @rc <> 0 OR @rc IS NULL
BEGIN
    RAISERROR(N'holdfast: restore step %d failed: LiteSpeed returned %d; later steps were not run', 16, 1, 2, @rc);
    RETURN;
END
