-- holdfast: filegroup backup of DW (FG_2019)
-- Why: golden case
DECLARE @rc int;
EXEC @rc = master.dbo.xp_backup_database
    @database = N'DW',
    @filename = N'Y:\SQL_BACKUPS\SIM01\DW\FULL\SIM01_DW_FULL_FG_2019_20260301_010000.bak',
    @filegroup = N'FG_2019',
    @with = N'CHECKSUM',
    @compressionlevel = 4,
    @cryptlevel = 8,
    @encryptionkey = N'********';
IF @rc <> 0 OR @rc IS NULL
    RAISERROR(N'holdfast: the %s failed: LiteSpeed returned %d', 16, 1, N'filegroup backup of DW (FG_2019)', @rc);
SELECT @rc AS rc;

-- holdfast: verify the filegroup backup of DW (FG_2019)
DECLARE @verify_rc int;
EXEC @verify_rc = master.dbo.xp_restore_verifyonly
    @filename = N'Y:\SQL_BACKUPS\SIM01\DW\FULL\SIM01_DW_FULL_FG_2019_20260301_010000.bak',
    @filenumber = 1,
    @with = N'CHECKSUM',
    @encryptionkey = N'********';
IF @verify_rc <> 0 OR @verify_rc IS NULL
    RAISERROR(N'holdfast: verifying the %s failed: LiteSpeed returned %d', 16, 1, N'filegroup backup of DW (FG_2019)', @verify_rc);
SELECT @verify_rc AS rc;

-- ===== statement sent through mssql (values as parameters) =====
DECLARE @rc int;
EXEC @rc = master.dbo.xp_backup_database
    @database = @p1,
    @filename = @p2,
    @filegroup = @p3,
    @with = N'CHECKSUM',
    @compressionlevel = @p4,
    @cryptlevel = @p5,
    @encryptionkey = @p6;
IF @rc <> 0 OR @rc IS NULL
    RAISERROR(N'holdfast: the %s failed: LiteSpeed returned %d', 16, 1, @p7, @rc);
SELECT @rc AS rc;
-- @p1 nvarchar(4000) = "DW"
-- @p2 nvarchar(4000) = "Y:\\SQL_BACKUPS\\SIM01\\DW\\FULL\\SIM01_DW_FULL_FG_2019_20260301_010000.bak"
-- @p3 nvarchar(4000) = "FG_2019"
-- @p4 int = 4
-- @p5 int = 8
-- @p6 nvarchar(4000) = ********
-- @p7 nvarchar(4000) = "filegroup backup of DW (FG_2019)"
DECLARE @verify_rc int;
EXEC @verify_rc = master.dbo.xp_restore_verifyonly
    @filename = @p1,
    @filenumber = @p2,
    @with = N'CHECKSUM',
    @encryptionkey = @p3;
IF @verify_rc <> 0 OR @verify_rc IS NULL
    RAISERROR(N'holdfast: verifying the %s failed: LiteSpeed returned %d', 16, 1, @p4, @verify_rc);
SELECT @verify_rc AS rc;
-- @p1 nvarchar(4000) = "Y:\\SQL_BACKUPS\\SIM01\\DW\\FULL\\SIM01_DW_FULL_FG_2019_20260301_010000.bak"
-- @p2 int = 1
-- @p3 nvarchar(4000) = ********
-- @p4 nvarchar(4000) = "filegroup backup of DW (FG_2019)"
