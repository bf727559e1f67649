-- holdfast: full backup of DW
-- Why: golden case
DECLARE @rc int;
EXEC @rc = master.dbo.xp_backup_database
    @database = N'DW',
    @filename = N'Y:\SQL_BACKUPS\SIM01\DW\FULL\SIM01_DW_FULL_20260301_010000.bak';
IF @rc <> 0 OR @rc IS NULL
    RAISERROR(N'holdfast: the %s failed: LiteSpeed returned %d', 16, 1, N'full backup of DW', @rc);
SELECT @rc AS rc;

-- ===== statement sent through mssql (values as parameters) =====
DECLARE @rc int;
EXEC @rc = master.dbo.xp_backup_database
    @database = @p1,
    @filename = @p2;
IF @rc <> 0 OR @rc IS NULL
    RAISERROR(N'holdfast: the %s failed: LiteSpeed returned %d', 16, 1, @p3, @rc);
SELECT @rc AS rc;
-- @p1 nvarchar(4000) = "DW"
-- @p2 nvarchar(4000) = "Y:\\SQL_BACKUPS\\SIM01\\DW\\FULL\\SIM01_DW_FULL_20260301_010000.bak"
-- @p3 nvarchar(4000) = "full backup of DW"
