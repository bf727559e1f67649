-- holdfast: full backup of DW
-- Why: golden case
DECLARE @rc int;
EXEC @rc = master.dbo.xp_backup_database
    @database = N'DW',
    @filename = N'X:\A\DW_1.bak',
    @filename = N'Y:\B\DW_2.bak',
    @filename = N'Z:\C\DW_3.bak',
    @compressionlevel = 0;
IF @rc <> 0 OR @rc IS NULL
    RAISERROR(N'holdfast: the %s failed: LiteSpeed returned %d', 16, 1, N'full backup of DW', @rc);
SELECT @rc AS rc;

-- ===== statement sent through mssql (values as parameters) =====
DECLARE @rc int;
EXEC @rc = master.dbo.xp_backup_database
    @database = @p1,
    @filename = @p2,
    @filename = @p3,
    @filename = @p4,
    @compressionlevel = @p5;
IF @rc <> 0 OR @rc IS NULL
    RAISERROR(N'holdfast: the %s failed: LiteSpeed returned %d', 16, 1, @p6, @rc);
SELECT @rc AS rc;
-- @p1 nvarchar(4000) = "DW"
-- @p2 nvarchar(4000) = "X:\\A\\DW_1.bak"
-- @p3 nvarchar(4000) = "Y:\\B\\DW_2.bak"
-- @p4 nvarchar(4000) = "Z:\\C\\DW_3.bak"
-- @p5 int = 0
-- @p6 nvarchar(4000) = "full backup of DW"
