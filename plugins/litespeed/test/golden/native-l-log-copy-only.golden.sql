-- holdfast: copy-only log backup of DW
-- Why: golden case
DECLARE @rc int;
EXEC @rc = master.dbo.xp_create_subdir N'Y:\SQL_BACKUPS\SIM01\DW\FULL';
IF @rc <> 0 OR @rc IS NULL
    RAISERROR(N'holdfast: could not create the folder %s', 16, 1, N'Y:\SQL_BACKUPS\SIM01\DW\FULL');
BACKUP LOG [DW]
TO DISK = N'Y:\SQL_BACKUPS\SIM01\DW\FULL\SIM01_DW_FULL_20260301_010000.bak'
WITH STATS = 10, COPY_ONLY, CHECKSUM, NOINIT;

-- ===== statement sent through mssql (values as parameters) =====
DECLARE @rc int;
EXEC @rc = master.dbo.xp_create_subdir @p1;
IF @rc <> 0 OR @rc IS NULL
    RAISERROR(N'holdfast: could not create the folder %s', 16, 1, @p2);
BACKUP LOG @p3
TO DISK = @p4
WITH STATS = 10, COPY_ONLY, CHECKSUM, NOINIT;
-- @p1 nvarchar(4000) = "Y:\\SQL_BACKUPS\\SIM01\\DW\\FULL"
-- @p2 nvarchar(4000) = "Y:\\SQL_BACKUPS\\SIM01\\DW\\FULL"
-- @p3 nvarchar(128) = "DW"
-- @p4 nvarchar(4000) = "Y:\\SQL_BACKUPS\\SIM01\\DW\\FULL\\SIM01_DW_FULL_20260301_010000.bak"
