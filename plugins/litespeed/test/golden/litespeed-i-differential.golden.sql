-- holdfast: differential backup of DW
-- Why: golden case
DECLARE @rc int;
EXEC @rc = master.dbo.xp_backup_database
    @database = N'DW',
    @filename = N'Y:\SQL_BACKUPS\SIM01\DW\DIFF\SIM01_DW_DIFF_20260302_010000.bak',
    @with = N'DIFFERENTIAL',
    @with = N'CHECKSUM';
IF @rc <> 0 OR @rc IS NULL
    RAISERROR(N'holdfast: the %s failed: LiteSpeed returned %d', 16, 1, N'differential backup of DW', @rc);
SELECT @rc AS rc;

-- ===== statement sent through mssql (values as parameters) =====
DECLARE @rc int;
EXEC @rc = master.dbo.xp_backup_database
    @database = @p1,
    @filename = @p2,
    @with = N'DIFFERENTIAL',
    @with = N'CHECKSUM';
IF @rc <> 0 OR @rc IS NULL
    RAISERROR(N'holdfast: the %s failed: LiteSpeed returned %d', 16, 1, @p3, @rc);
SELECT @rc AS rc;
-- @p1 nvarchar(4000) = "DW"
-- @p2 nvarchar(4000) = "Y:\\SQL_BACKUPS\\SIM01\\DW\\DIFF\\SIM01_DW_DIFF_20260302_010000.bak"
-- @p3 nvarchar(4000) = "differential backup of DW"
