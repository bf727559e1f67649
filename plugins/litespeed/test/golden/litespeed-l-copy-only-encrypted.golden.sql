-- holdfast: copy-only log backup of DW
-- Why: golden case
DECLARE @rc int;
EXEC @rc = master.dbo.xp_backup_log
    @database = N'DW',
    @filename = N'Y:\SQL_BACKUPS\SIM01\DW\LOG_COPY_ONLY\x.trn',
    @with = N'COPY_ONLY',
    @cryptlevel = 6,
    @encryptionkey = N'********';
IF @rc <> 0 OR @rc IS NULL
    RAISERROR(N'holdfast: the %s failed: LiteSpeed returned %d', 16, 1, N'copy-only log backup of DW', @rc);
SELECT @rc AS rc;

-- ===== statement sent through mssql (values as parameters) =====
DECLARE @rc int;
EXEC @rc = master.dbo.xp_backup_log
    @database = @p1,
    @filename = @p2,
    @with = N'COPY_ONLY',
    @cryptlevel = @p3,
    @encryptionkey = @p4;
IF @rc <> 0 OR @rc IS NULL
    RAISERROR(N'holdfast: the %s failed: LiteSpeed returned %d', 16, 1, @p5, @rc);
SELECT @rc AS rc;
-- @p1 nvarchar(4000) = "DW"
-- @p2 nvarchar(4000) = "Y:\\SQL_BACKUPS\\SIM01\\DW\\LOG_COPY_ONLY\\x.trn"
-- @p3 int = 6
-- @p4 nvarchar(4000) = ********
-- @p5 nvarchar(4000) = "copy-only log backup of DW"
