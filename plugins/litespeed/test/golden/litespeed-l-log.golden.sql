-- holdfast: log backup of DW
-- Why: golden case
DECLARE @rc int;
EXEC @rc = master.dbo.xp_backup_log
    @database = N'DW',
    @filename = N'Y:\SQL_BACKUPS\SIM01\DW\LOG\SIM01_DW_LOG_20260301_011500.trn',
    @with = N'CHECKSUM';
IF @rc <> 0 OR @rc IS NULL
    RAISERROR(N'holdfast: the %s failed: LiteSpeed returned %d', 16, 1, N'log backup of DW', @rc);
SELECT @rc AS rc;

-- holdfast: verify the log backup of DW
DECLARE @verify_rc int;
EXEC @verify_rc = master.dbo.xp_restore_verifyonly
    @filename = N'Y:\SQL_BACKUPS\SIM01\DW\LOG\SIM01_DW_LOG_20260301_011500.trn',
    @filenumber = 1,
    @with = N'CHECKSUM';
IF @verify_rc <> 0 OR @verify_rc IS NULL
    RAISERROR(N'holdfast: verifying the %s failed: LiteSpeed returned %d', 16, 1, N'log backup of DW', @verify_rc);
SELECT @verify_rc AS rc;

-- ===== statement sent through mssql (values as parameters) =====
DECLARE @rc int;
EXEC @rc = master.dbo.xp_backup_log
    @database = @p1,
    @filename = @p2,
    @with = N'CHECKSUM';
IF @rc <> 0 OR @rc IS NULL
    RAISERROR(N'holdfast: the %s failed: LiteSpeed returned %d', 16, 1, @p3, @rc);
SELECT @rc AS rc;
-- @p1 nvarchar(4000) = "DW"
-- @p2 nvarchar(4000) = "Y:\\SQL_BACKUPS\\SIM01\\DW\\LOG\\SIM01_DW_LOG_20260301_011500.trn"
-- @p3 nvarchar(4000) = "log backup of DW"
DECLARE @verify_rc int;
EXEC @verify_rc = master.dbo.xp_restore_verifyonly
    @filename = @p1,
    @filenumber = @p2,
    @with = N'CHECKSUM';
IF @verify_rc <> 0 OR @verify_rc IS NULL
    RAISERROR(N'holdfast: verifying the %s failed: LiteSpeed returned %d', 16, 1, @p3, @verify_rc);
SELECT @verify_rc AS rc;
-- @p1 nvarchar(4000) = "Y:\\SQL_BACKUPS\\SIM01\\DW\\LOG\\SIM01_DW_LOG_20260301_011500.trn"
-- @p2 int = 1
-- @p3 nvarchar(4000) = "log backup of DW"
