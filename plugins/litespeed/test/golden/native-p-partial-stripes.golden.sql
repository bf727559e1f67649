-- holdfast: partial backup of DW
-- Why: golden case
DECLARE @rc int;
EXEC @rc = master.dbo.xp_create_subdir N'X:\A';
IF @rc <> 0 OR @rc IS NULL
    RAISERROR(N'holdfast: could not create the folder %s', 16, 1, N'X:\A');
EXEC @rc = master.dbo.xp_create_subdir N'Y:\B';
IF @rc <> 0 OR @rc IS NULL
    RAISERROR(N'holdfast: could not create the folder %s', 16, 1, N'Y:\B');
EXEC @rc = master.dbo.xp_create_subdir N'Z:\C';
IF @rc <> 0 OR @rc IS NULL
    RAISERROR(N'holdfast: could not create the folder %s', 16, 1, N'Z:\C');
BACKUP DATABASE [DW] READ_WRITE_FILEGROUPS
TO DISK = N'X:\A\DW_1.bak', DISK = N'Y:\B\DW_2.bak', DISK = N'Z:\C\DW_3.bak'
WITH STATS = 10, NO_COMPRESSION, NOINIT, MAXTRANSFERSIZE = 4194304, BUFFERCOUNT = 50, DESCRIPTION = N'weekly';

-- ===== statement sent through mssql (values as parameters) =====
DECLARE @rc int;
EXEC @rc = master.dbo.xp_create_subdir @p1;
IF @rc <> 0 OR @rc IS NULL
    RAISERROR(N'holdfast: could not create the folder %s', 16, 1, @p2);
EXEC @rc = master.dbo.xp_create_subdir @p3;
IF @rc <> 0 OR @rc IS NULL
    RAISERROR(N'holdfast: could not create the folder %s', 16, 1, @p4);
EXEC @rc = master.dbo.xp_create_subdir @p5;
IF @rc <> 0 OR @rc IS NULL
    RAISERROR(N'holdfast: could not create the folder %s', 16, 1, @p6);
BACKUP DATABASE @p7 READ_WRITE_FILEGROUPS
TO DISK = @p8, DISK = @p9, DISK = @p10
WITH STATS = 10, NO_COMPRESSION, NOINIT, MAXTRANSFERSIZE = @p11, BUFFERCOUNT = @p12, DESCRIPTION = @p13;
-- @p1 nvarchar(4000) = "X:\\A"
-- @p2 nvarchar(4000) = "X:\\A"
-- @p3 nvarchar(4000) = "Y:\\B"
-- @p4 nvarchar(4000) = "Y:\\B"
-- @p5 nvarchar(4000) = "Z:\\C"
-- @p6 nvarchar(4000) = "Z:\\C"
-- @p7 nvarchar(128) = "DW"
-- @p8 nvarchar(4000) = "X:\\A\\DW_1.bak"
-- @p9 nvarchar(4000) = "Y:\\B\\DW_2.bak"
-- @p10 nvarchar(4000) = "Z:\\C\\DW_3.bak"
-- @p11 int = 4194304
-- @p12 int = 50
-- @p13 nvarchar(4000) = "weekly"
