-- holdfast restore script (native T-SQL): restore adb to point in time 2026-03-02T02:10:00.500Z (LSN 36000000000014000001)
-- Generated from backup history; review before running. The script stops at the first failed step.
-- STOPAT values are wall-clock times at UTC+01:00 (the offset recorded with the backups); SQL Server reads STOPAT in the server's local time.
SET NOCOUNT ON;

-- Step 1, stage 1: restore partial (PRIMARY) from backup set 201, NORECOVERY
-- Why: file/filegroup backup 201 (finished 2026-03-02T01:05:00+01:00, LSN 36000000000010000001..36000000000010200001) is the newest usable base whose chain reaches the target; first step of a piecemeal restore (PARTIAL): PRIMARY; NORECOVERY: more steps follow
RESTORE DATABASE [adb] FILEGROUP = N'PRIMARY'
FROM DISK = N'D:\backups\adb_PRIMARY_backup1.bak'
WITH FILE = 1, PARTIAL, NORECOVERY,
     STOPAT = '2026-03-02T03:10:00.500';
IF @@ERROR <> 0
BEGIN
    RAISERROR(N'holdfast: restore step %d failed; later steps were not run', 16, 1, 1);
    RETURN;
END

-- Step 2, stage 1: restore filegroup (A) from backup set 202, NORECOVERY
-- Why: file/filegroup backup 202 (finished 2026-03-02T01:15:00+01:00, LSN 36000000000010300001..36000000000010500001) is the newest backup of filegroup A; NORECOVERY: more steps follow
RESTORE DATABASE [adb] FILEGROUP = N'A'
FROM DISK = N'D:\backups\adb_A_backup2.bak'
WITH FILE = 1, NORECOVERY,
     STOPAT = '2026-03-02T03:10:00.500';
IF @@ERROR <> 0
BEGIN
    RAISERROR(N'holdfast: restore step %d failed; later steps were not run', 16, 1, 2);
    RETURN;
END

-- Step 3, stage 1: restore log from backup set 205, NORECOVERY
-- Why: log backup 205 (finished 2026-03-02T02:00:30+01:00, LSN 36000000000009000001..36000000000012000001) contains LSN 36000000000010200001, where the data steps of this stage end (first_lsn <= 36000000000010200001 < last_lsn); NORECOVERY: more steps follow
RESTORE LOG [adb]
FROM DISK = N'D:\backups\adb_log_backup3.bak'
WITH FILE = 1, NORECOVERY,
     STOPAT = '2026-03-02T03:10:00.500';
IF @@ERROR <> 0
BEGIN
    RAISERROR(N'holdfast: restore step %d failed; later steps were not run', 16, 1, 3);
    RETURN;
END

-- Step 4, stage 1: restore log from backup set 206, NORECOVERY
-- Why: log backup 206 (finished 2026-03-02T03:00:30+01:00, LSN 36000000000012000001..36000000000013000001) continues the chain (first_lsn = previous last_lsn 36000000000012000001); NORECOVERY: more steps follow
RESTORE LOG [adb]
FROM DISK = N'D:\backups\adb_log_backup4.bak'
WITH FILE = 1, NORECOVERY,
     STOPAT = '2026-03-02T03:10:00.500';
IF @@ERROR <> 0
BEGIN
    RAISERROR(N'holdfast: restore step %d failed; later steps were not run', 16, 1, 4);
    RETURN;
END

-- Step 5, stage 1: restore log from backup set 207, WITH RECOVERY
-- Why: log backup 207 (finished 2026-03-02T04:00:30+01:00, LSN 36000000000013000001..36000000000014000001) continues the chain (first_lsn = previous last_lsn 36000000000013000001); it is the first log backup finished at or after STOPAT; WITH RECOVERY: last step of stage 1
RESTORE LOG [adb]
FROM DISK = N'D:\backups\adb_log_backup5.bak'
WITH FILE = 1, RECOVERY,
     STOPAT = '2026-03-02T03:10:00.500';
IF @@ERROR <> 0
BEGIN
    RAISERROR(N'holdfast: restore step %d failed; later steps were not run', 16, 1, 5);
    RETURN;
END

-- Step 6, stage 2: restore filegroup (C) from backup set 203, NORECOVERY
-- Why: file/filegroup backup 203 (finished 2026-03-02T01:25:00+01:00, LSN 36000000000010600001..36000000000010800001) holds filegroup C; the log chain is replayed again to the point stage 1 reached; NORECOVERY: more steps follow
RESTORE DATABASE [adb] FILEGROUP = N'C'
FROM DISK = N'D:\backups\adb_C_backup2a.bak'
WITH FILE = 1, NORECOVERY,
     STOPAT = '2026-03-02T03:10:00.500';
IF @@ERROR <> 0
BEGIN
    RAISERROR(N'holdfast: restore step %d failed; later steps were not run', 16, 1, 6);
    RETURN;
END

-- Step 7, stage 2: restore log from backup set 205, NORECOVERY
-- Why: log backup 205 (finished 2026-03-02T02:00:30+01:00, LSN 36000000000009000001..36000000000012000001) contains LSN 36000000000010800001, where the data steps of this stage end (first_lsn <= 36000000000010800001 < last_lsn); NORECOVERY: more steps follow
RESTORE LOG [adb]
FROM DISK = N'D:\backups\adb_log_backup3.bak'
WITH FILE = 1, NORECOVERY,
     STOPAT = '2026-03-02T03:10:00.500';
IF @@ERROR <> 0
BEGIN
    RAISERROR(N'holdfast: restore step %d failed; later steps were not run', 16, 1, 7);
    RETURN;
END

-- Step 8, stage 2: restore log from backup set 206, NORECOVERY
-- Why: log backup 206 (finished 2026-03-02T03:00:30+01:00, LSN 36000000000012000001..36000000000013000001) continues the chain (first_lsn = previous last_lsn 36000000000012000001); NORECOVERY: more steps follow
RESTORE LOG [adb]
FROM DISK = N'D:\backups\adb_log_backup4.bak'
WITH FILE = 1, NORECOVERY,
     STOPAT = '2026-03-02T03:10:00.500';
IF @@ERROR <> 0
BEGIN
    RAISERROR(N'holdfast: restore step %d failed; later steps were not run', 16, 1, 8);
    RETURN;
END

-- Step 9, stage 2: restore log from backup set 207, WITH RECOVERY
-- Why: log backup 207 (finished 2026-03-02T04:00:30+01:00, LSN 36000000000013000001..36000000000014000001) continues the chain (first_lsn = previous last_lsn 36000000000013000001); it is the first log backup finished at or after STOPAT; WITH RECOVERY: last step of stage 2
RESTORE LOG [adb]
FROM DISK = N'D:\backups\adb_log_backup5.bak'
WITH FILE = 1, RECOVERY,
     STOPAT = '2026-03-02T03:10:00.500';
IF @@ERROR <> 0
BEGIN
    RAISERROR(N'holdfast: restore step %d failed; later steps were not run', 16, 1, 9);
    RETURN;
END

-- Step 10, stage 3: restore filegroup (B) from backup set 204, WITH RECOVERY
-- Why: filegroup B is read-only: file/filegroup backup 204 (finished 2026-03-02T01:32:00+01:00, LSN 36000000000010900001..36000000000011000001) holds it with read_only_lsn 36000000000000500001, the same as base 201, so no log is needed; WITH RECOVERY: last step of stage 3
RESTORE DATABASE [adb] FILEGROUP = N'B'
FROM DISK = N'D:\backups\adb_B_backup2b.bak'
WITH FILE = 1, RECOVERY,
     STOPAT = '2026-03-02T03:10:00.500';
IF @@ERROR <> 0
BEGIN
    RAISERROR(N'holdfast: restore step %d failed; later steps were not run', 16, 1, 10);
    RETURN;
END
