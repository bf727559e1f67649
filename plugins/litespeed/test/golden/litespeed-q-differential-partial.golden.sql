-- holdfast: differential partial backup of DW
-- Why: golden case
DECLARE @rc int;
EXEC @rc = master.dbo.xp_backup_database
    @database = N'DW',
    @filename = N'Y:\SQL_BACKUPS\SIM01\DW\DIFF_PARTIAL\SIM01_DW_DIFF_PARTIAL_20260302_010000.bak',
    @read_write_filegroups = 1,
    @with = N'DIFFERENTIAL',
    @with = N'CHECKSUM',
    @compressionlevel = 4,
    @cryptlevel = 8,
    @encryptionkey = N'********';
IF @rc <> 0 OR @rc IS NULL
    RAISERROR(N'holdfast: the %s failed: LiteSpeed returned %d', 16, 1, N'differential partial backup of DW', @rc);
SELECT @rc AS rc;

-- holdfast: verify the differential partial backup of DW
DECLARE @verify_rc int;
EXEC @verify_rc = master.dbo.xp_restore_verifyonly
    @filename = N'Y:\SQL_BACKUPS\SIM01\DW\DIFF_PARTIAL\SIM01_DW_DIFF_PARTIAL_20260302_010000.bak',
    @filenumber = 1,
    @with = N'CHECKSUM',
    @encryptionkey = N'********';
IF @verify_rc <> 0 OR @verify_rc IS NULL
    RAISERROR(N'holdfast: verifying the %s failed: LiteSpeed returned %d', 16, 1, N'differential partial backup of DW', @verify_rc);
SELECT @verify_rc AS rc;

-- ===== statement sent through mssql (values as parameters) =====
DECLARE @rc int;
EXEC @rc = master.dbo.xp_backup_database
    @database = @p1,
    @filename = @p2,
    @read_write_filegroups = 1,
    @with = N'DIFFERENTIAL',
    @with = N'CHECKSUM',
    @compressionlevel = @p3,
    @cryptlevel = @p4,
    @encryptionkey = @p5;
IF @rc <> 0 OR @rc IS NULL
    RAISERROR(N'holdfast: the %s failed: LiteSpeed returned %d', 16, 1, @p6, @rc);
SELECT @rc AS rc;
-- @p1 nvarchar(4000) = "DW"
-- @p2 nvarchar(4000) = "Y:\\SQL_BACKUPS\\SIM01\\DW\\DIFF_PARTIAL\\SIM01_DW_DIFF_PARTIAL_20260302_010000.bak"
-- @p3 int = 4
-- @p4 int = 8
-- @p5 nvarchar(4000) = ********
-- @p6 nvarchar(4000) = "differential partial backup of DW"
DECLARE @verify_rc int;
EXEC @verify_rc = master.dbo.xp_restore_verifyonly
    @filename = @p1,
    @filenumber = @p2,
    @with = N'CHECKSUM',
    @encryptionkey = @p3;
IF @verify_rc <> 0 OR @verify_rc IS NULL
    RAISERROR(N'holdfast: verifying the %s failed: LiteSpeed returned %d', 16, 1, @p4, @verify_rc);
SELECT @verify_rc AS rc;
-- @p1 nvarchar(4000) = "Y:\\SQL_BACKUPS\\SIM01\\DW\\DIFF_PARTIAL\\SIM01_DW_DIFF_PARTIAL_20260302_010000.bak"
-- @p2 int = 1
-- @p3 nvarchar(4000) = ********
-- @p4 nvarchar(4000) = "differential partial backup of DW"
