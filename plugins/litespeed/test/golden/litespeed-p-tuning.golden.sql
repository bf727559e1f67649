-- holdfast: partial backup of DW
-- Why: golden case
DECLARE @rc int;
EXEC @rc = master.dbo.xp_backup_database
    @database = N'DW',
    @filename = N'Y:\SQL_BACKUPS\SIM01\DW\FULL\SIM01_DW_FULL_20260301_010000.bak',
    @read_write_filegroups = 1,
    @adaptivecompression = N'Size',
    @threads = 4,
    @throttle = 50,
    @maxtransfersize = 1048576,
    @buffercount = 20,
    @desc = N'DW''s weekly partial',
    @init = 1,
    @olrmap = 1;
IF @rc <> 0 OR @rc IS NULL
    RAISERROR(N'holdfast: the %s failed: LiteSpeed returned %d', 16, 1, N'partial backup of DW', @rc);
SELECT @rc AS rc;

-- ===== statement sent through mssql (values as parameters) =====
DECLARE @rc int;
EXEC @rc = master.dbo.xp_backup_database
    @database = @p1,
    @filename = @p2,
    @read_write_filegroups = 1,
    @adaptivecompression = @p3,
    @threads = @p4,
    @throttle = @p5,
    @maxtransfersize = @p6,
    @buffercount = @p7,
    @desc = @p8,
    @init = 1,
    @olrmap = 1;
IF @rc <> 0 OR @rc IS NULL
    RAISERROR(N'holdfast: the %s failed: LiteSpeed returned %d', 16, 1, @p9, @rc);
SELECT @rc AS rc;
-- @p1 nvarchar(4000) = "DW"
-- @p2 nvarchar(4000) = "Y:\\SQL_BACKUPS\\SIM01\\DW\\FULL\\SIM01_DW_FULL_20260301_010000.bak"
-- @p3 nvarchar(4000) = "Size"
-- @p4 int = 4
-- @p5 int = 50
-- @p6 int = 1048576
-- @p7 int = 20
-- @p8 nvarchar(4000) = "DW's weekly partial"
-- @p9 nvarchar(4000) = "partial backup of DW"
