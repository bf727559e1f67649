import { createPiecemealDatabase, type SimServer, type XpParams } from './sim-server.ts';

/**
 * The reference's example histories (shared/reference/sqlserver-litespeed.md §5), produced on the
 * simulator with real LiteSpeed backups sent through mssql; workload between backups comes from the
 * simulation API (writes, read-only flips). The database is PM with filegroups PRIMARY, A, B, C.
 * Each returns the backup file names in the order taken.
 */

export const DB = 'PM';
export const backupPath = (file: string) => `Y:\\SQL_BACKUPS\\PM\\${file}`;

async function backup(s: SimServer, file: string, extra: XpParams = {}): Promise<void> {
  s.sim.sim.advanceClock('10m');
  await s.xp('xp_backup_database', { database: DB, filename: backupPath(file), ...extra });
}

async function backupLog(s: SimServer, file: string, extra: XpParams = {}): Promise<void> {
  s.sim.sim.advanceClock('10m');
  await s.xp('xp_backup_log', { database: DB, filename: backupPath(file), ...extra });
}

/** S1: SIMPLE, B read-only; F_B (filegroup B), then P1 (partial). */
export async function historyS1(s: SimServer): Promise<void> {
  createPiecemealDatabase(s, DB, 'SIMPLE', true);
  await backup(s, 'F_B.bak', { filegroup: 'B' });
  s.sim.sim.write(DB, 'A', '100MB');
  s.sim.sim.write(DB, 'C', '100MB');
  await backup(s, 'P1.bak', { read_write_filegroups: 1 });
}

/** S3: FULL, B made read-only; PRIMARY, A, C, B filegroup backups, logs L3-L5, tail T. */
export async function historyS3(s: SimServer): Promise<void> {
  createPiecemealDatabase(s, DB, 'FULL', false);
  await backup(s, 'D0.bak');
  s.sim.sim.write(DB, 'B', '50MB');
  s.sim.sim.setFilegroupReadOnly(DB, 'B', true);
  await backup(s, 'backup1.bak', { filegroup: 'PRIMARY' });
  s.sim.sim.write(DB, 'A', '50MB');
  await backup(s, 'backup2.bak', { filegroup: 'A' });
  s.sim.sim.write(DB, 'C', '50MB');
  await backup(s, 'backup2a.bak', { filegroup: 'C' });
  await backup(s, 'backup2b.bak', { filegroup: 'B' });
  s.sim.sim.write(DB, 'A', '20MB');
  await backupLog(s, 'L3.trn');
  s.sim.sim.write(DB, 'C', '20MB');
  await backupLog(s, 'L4.trn');
  s.sim.sim.write(DB, 'PRIMARY', '20MB');
  await backupLog(s, 'L5.trn');
  s.sim.sim.write(DB, 'A', '20MB');
  await backupLog(s, 'T.trn', { with: ['NORECOVERY', 'NO_TRUNCATE'] });
}

/** S5: SIMPLE, B read-only; P1, Q1, Q2 (both on P1), F_B. */
export async function historyS5(s: SimServer): Promise<void> {
  createPiecemealDatabase(s, DB, 'SIMPLE', true);
  await backup(s, 'P1.bak', { read_write_filegroups: 1 });
  s.sim.sim.write(DB, 'A', '100MB');
  await backup(s, 'Q1.bak', { read_write_filegroups: 1, with: 'DIFFERENTIAL' });
  s.sim.sim.write(DB, 'C', '100MB');
  await backup(s, 'Q2.bak', { read_write_filegroups: 1, with: 'DIFFERENTIAL' });
  await backup(s, 'F_B.bak', { filegroup: 'B' });
}

/** S6: SIMPLE; P1, Q1 (on P1), P2, Q3 (on P2). */
export async function historyS6(s: SimServer): Promise<void> {
  createPiecemealDatabase(s, DB, 'SIMPLE', true);
  await backup(s, 'F_B.bak', { filegroup: 'B' });
  await backup(s, 'P1.bak', { read_write_filegroups: 1 });
  s.sim.sim.write(DB, 'A', '10MB');
  await backup(s, 'Q1.bak', { read_write_filegroups: 1, with: 'DIFFERENTIAL' });
  await backup(s, 'P2.bak', { read_write_filegroups: 1 });
  s.sim.sim.write(DB, 'A', '10MB');
  await backup(s, 'Q3.bak', { read_write_filegroups: 1, with: 'DIFFERENTIAL' });
}

/** S7: FULL; F1, C1 (copy-only full), D1 (differential on F1). */
export async function historyS7(s: SimServer): Promise<void> {
  createPiecemealDatabase(s, DB, 'FULL', false);
  await backup(s, 'F1.bak');
  s.sim.sim.write(DB, 'A', '10MB');
  await backup(s, 'C1.bak', { with: 'COPY_ONLY' });
  s.sim.sim.write(DB, 'A', '10MB');
  await backup(s, 'D1.bak', { with: 'DIFFERENTIAL' });
}

/**
 * S9: FULL; F0, L0, then F and L1 run at the same time (L1 starts during F, so it begins before F's
 * last LSN and carries the previous full's database_backup_lsn), then L2.
 */
export async function historyS9(s: SimServer): Promise<void> {
  createPiecemealDatabase(s, DB, 'FULL', false);
  await backup(s, 'F0.bak');
  s.sim.sim.write(DB, 'A', '10MB');
  await backupLog(s, 'L0.trn');
  s.sim.sim.advanceClock('10m');
  s.sim.faults.engine.slow({ operation: 'xp_backup_database', nth: 1 }, 300);
  s.sim.faults.engine.slow({ operation: 'xp_backup_log', nth: 1 }, 700);
  const full = s.xp('xp_backup_database', { database: DB, filename: backupPath('F.bak') });
  await new Promise((r) => setTimeout(r, 30));
  s.sim.sim.write(DB, 'A', '10MB');
  const l1 = s.xp('xp_backup_log', { database: DB, filename: backupPath('L1.trn') });
  await new Promise((r) => setTimeout(r, 450));
  s.sim.sim.write(DB, 'C', '10MB');
  await Promise.all([full, l1]);
  s.sim.sim.write(DB, 'A', '10MB');
  await backupLog(s, 'L2.trn');
}

export const S11_STRIPES = [1, 2, 3, 4].map((i) => backupPath(`S11_${i}.bak`));
export const S11_MIRRORS = [1, 2, 3, 4].map((i) => `Z:\\MIRROR\\S11_${i}.bak`);

/** S11: SIMPLE; one full striped over 4 files and mirrored to 4 more. */
export async function historyS11(s: SimServer): Promise<void> {
  createPiecemealDatabase(s, DB, 'SIMPLE', false);
  s.sim.sim.advanceClock('10m');
  await s.xp('xp_backup_database', { database: DB, filename: S11_STRIPES, mirror: S11_MIRRORS });
}
