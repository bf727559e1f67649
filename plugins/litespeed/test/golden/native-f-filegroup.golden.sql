-- holdfast: filegroup backup of DW (FG_2019)
-- Why: golden case
DECLARE @rc int;
EXEC @rc = master.dbo.xp_create_subdir N'Y:\SQL_BACKUPS\SIM01\DW\FULL';
IF @rc <> 0 OR @rc IS NULL
    RAISERROR(N'holdfast: could not create the folder %s', 16, 1, N'Y:\SQL_BACKUPS\SIM01\DW\FULL');
BACKUP DATABASE [DW] FILEGROUP = N'FG_2019'
TO DISK = N'Y:\SQL_BACKUPS\SIM01\DW\FULL\SIM01_DW_FULL_20260301_010000.bak'
WITH STATS = 10, NOINIT;

-- holdfast: verify the filegroup backup of DW (FG_2019)
RESTORE VERIFYONLY FROM DISK = N'Y:\SQL_BACKUPS\SIM01\DW\FULL\SIM01_DW_FULL_20260301_010000.bak'
WITH FILE = 1;

-- ===== statement sent through mssql (values as parameters) =====
DECLARE @rc int;
EXEC @rc = master.dbo.xp_create_subdir @p1;
IF @rc <> 0 OR @rc IS NULL
    RAISERROR(N'holdfast: could not create the folder %s', 16, 1, @p2);
BACKUP DATABASE @p3 FILEGROUP = @p4
TO DISK = @p5
WITH STATS = 10, NOINIT;
-- @p1 nvarchar(4000) = "Y:\\SQL_BACKUPS\\SIM01\\DW\\FULL"
-- @p2 nvarchar(4000) = "Y:\\SQL_BACKUPS\\SIM01\\DW\\FULL"
-- @p3 nvarchar(128) = "DW"
-- @p4 nvarchar(4000) = "FG_2019"
-- @p5 nvarchar(4000) = "Y:\\SQL_BACKUPS\\SIM01\\DW\\FULL\\SIM01_DW_FULL_20260301_010000.bak"
RESTORE VERIFYONLY FROM DISK = @p1
WITH FILE = @p2;
-- @p1 nvarchar(4000) = "Y:\\SQL_BACKUPS\\SIM01\\DW\\FULL\\SIM01_DW_FULL_20260301_010000.bak"
-- @p2 int = 1
