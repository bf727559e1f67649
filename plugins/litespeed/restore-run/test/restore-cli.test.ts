import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../../../../test/helpers/cli.ts';
import { backupPath, DB, historyS1, historyS5 } from './reference-histories.ts';
import { createPiecemealDatabase, startSimServer, type SimServer } from './sim-server.ts';

/**
 * holdfast restore plan|script|run and history export, through the CLI (in-process, and one real
 * process) against the simulator. The password reaches the CLI only as a secret reference.
 */

const KEY = 'S3cret-Key-For-Backups';
let s: SimServer;
let dir: string;

async function cli(args: string[]) {
  return runCli(args, { cwd: dir, env: { ...s.env, HF_TEST_BACKUP_KEY: KEY } });
}

const moved = ['--move-data-to', 'D:\\restore'];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hf-restore-cli-'));
  s = await startSimServer();
  await historyS5(s);
});

afterAll(async () => {
  await s?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('restore plan', () => {
  it('plans from live msdb: P1, Q2, then B (JSON), exit 0', async () => {
    const r = await cli(['restore', 'plan', ...s.flags, '--database', DB, '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.steps.map((st: { files: string[] }) => st.files[0]!.split('\\').pop())).toEqual([
      'P1.bak',
      'Q2.bak',
      'F_B.bak',
    ]);
    expect(plan.target.filegroups_online).toEqual(['PRIMARY', 'A', 'C', 'B']);
  });

  it('history export round trip: the plan from the exported file is the plan from the live server', async () => {
    const file = join(dir, 'pm-history.json');
    const exported = await cli(['history', 'export', ...s.flags, '--database', DB, '--out', file]);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toContain('4 backup sets of PM');
    const doc = JSON.parse(await readFile(file, 'utf8'));
    expect(typeof doc.backupsets[0].first_lsn).toBe('string');
    const flags = [
      '--database',
      DB,
      '--stop-at',
      '2026-03-01T00:35:00Z',
      ...moved,
      '--as',
      'PM_X',
      '--format',
      'json',
    ];
    const live = await cli(['restore', 'plan', ...s.flags, ...flags]);
    const fromFile = await cli(['restore', 'plan', '--history', file, ...flags]);
    expect(live.code).toBe(0);
    expect(fromFile.code).toBe(0);
    expect(JSON.parse(fromFile.stdout)).toEqual(JSON.parse(live.stdout));
    const stdoutExport = await cli(['history', 'export', ...s.flags, '--database', DB]);
    expect(JSON.parse(stdoutExport.stdout)).toEqual(doc);
  });

  it('exit 1 when nothing reaches the request, saying why; exit 2 for bad input', async () => {
    const early = await cli([
      'restore',
      'plan',
      ...s.flags,
      '--database',
      DB,
      '--stop-at',
      '2026-02-01T00:00:00Z',
    ]);
    expect(early.code).toBe(1);
    expect(early.stderr).toContain('stopat-before-base');
    const unknown = await cli(['restore', 'plan', ...s.flags, '--database', DB, '--filegroups', 'A,NOPE']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('NOPE');
    const bad = await cli(['restore', 'plan', ...s.flags, '--database', DB, '--move', 'nonsense']);
    expect(bad.code).toBe(2);
    expect((await cli(['restore', 'plan', '--database', DB])).code).toBe(2);
    const literal = await cli(['restore', 'plan', '--server', s.address, '--user', 'sa', '--database', DB]);
    expect(literal.code).toBe(2);
    expect(literal.stderr).toContain('--password-ref');
  });

  it('names a filegroup that cannot be brought back in the warnings', async () => {
    const t = await startSimServer();
    try {
      createPiecemealDatabase(t, 'WH', 'SIMPLE', true);
      t.sim.sim.advanceClock('1h');
      await t.xp('xp_backup_database', { database: 'WH', filename: 'Y:\\b\\WH_FG_B.bak', filegroup: 'B' });
      t.sim.sim.setFilegroupReadOnly('WH', 'B', false);
      t.sim.sim.write('WH', 'B', '10MB');
      t.sim.sim.setFilegroupReadOnly('WH', 'B', true);
      t.sim.sim.advanceClock('1h');
      await t.xp('xp_backup_database', {
        database: 'WH',
        filename: 'Y:\\b\\WH_P.bak',
        read_write_filegroups: 1,
      });
      const r = await runCli(['restore', 'plan', ...t.flags, '--database', 'WH', '--format', 'json'], {
        env: t.env,
      });
      expect(r.code).toBe(0);
      const plan = JSON.parse(r.stdout);
      expect(plan.target.filegroups_offline.map((f: { name: string }) => f.name)).toEqual(['B']);
      expect(plan.warnings.some((w: string) => w.includes('B'))).toBe(true);
    } finally {
      await t.close();
    }
  });
});

describe('restore script', () => {
  it('LiteSpeed form with the key masked; revealed only with --reveal-secrets; native with --native; --out', async () => {
    const base = [
      'restore',
      'script',
      ...s.flags,
      '--database',
      DB,
      '--as',
      'PM_S',
      ...moved,
      '--encryption-key-ref',
      'env:HF_TEST_BACKUP_KEY',
    ];
    const masked = await cli(base);
    expect(masked.code).toBe(0);
    expect(masked.stdout).toContain("@encryptionkey = N'********'");
    expect(masked.stdout).not.toContain(KEY);
    expect(masked.stdout).toContain('EXEC @rc = master.dbo.xp_restore_database');
    const revealed = await cli([...base, '--reveal-secrets']);
    expect(revealed.stdout).toContain(`@encryptionkey = N'${KEY}'`);
    const native = await cli(['restore', 'script', ...s.flags, '--database', DB, '--native']);
    expect(native.code).toBe(0);
    expect(native.stdout).toContain('RESTORE DATABASE [PM] FILEGROUP = ');
    const file = join(dir, 'restore.sql');
    const out = await cli([...base, '--out', file]);
    expect(out.stdout).toBe('');
    expect(await readFile(file, 'utf8')).toBe(masked.stdout);
    const nothingToReveal = await cli([
      'restore',
      'script',
      ...s.flags,
      '--database',
      DB,
      '--reveal-secrets',
    ]);
    expect(nothingToReveal.code).toBe(2);
  });
});

describe('restore run', () => {
  it('--dry-run prints the plan and executes nothing', async () => {
    const before = s.sim.server.msdb.restorehistory.length;
    const r = await cli([
      'restore',
      'run',
      ...s.flags,
      '--database',
      DB,
      '--as',
      'PM_Dry',
      ...moved,
      '--dry-run',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Stage 1');
    expect(r.stderr).toContain('dry run: nothing was executed');
    expect(s.sim.sim.databases()).not.toContain('PM_Dry');
    expect(s.sim.server.msdb.restorehistory.length).toBe(before);
  });

  it('restores into a new name: progress on stderr, ONLINE with every filegroup online', async () => {
    const r = await cli(['restore', 'run', ...s.flags, '--database', DB, '--as', 'PM_Copy', ...moved]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('step 1/3: restore partial (PRIMARY, A, C) from backup set 1, NORECOVERY');
    expect(r.stderr).toContain('Restore progress: 100%');
    expect(r.stdout).toContain('Database PM_Copy: ONLINE');
    expect(r.stdout).toContain('online: PRIMARY, A, B, C');
    expect(s.sim.sim.database('PM_Copy').state).toBe('ONLINE');
  });

  it('--history with --server: plans from the file, restores on the server', async () => {
    const file = join(dir, 'pm-for-run.json');
    expect((await cli(['history', 'export', ...s.flags, '--database', DB, '--out', file])).code).toBe(0);
    const r = await cli([
      'restore',
      'run',
      '--history',
      file,
      ...s.flags,
      '--database',
      DB,
      '--as',
      'PM_FromFile',
      ...moved,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(s.sim.sim.database('PM_FromFile').state).toBe('ONLINE');
    const both = await cli(['restore', 'plan', '--history', file, ...s.flags, '--database', DB]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give one');
  });

  it('refuses to restore over an existing database without --replace (exit 2); --replace overwrites it', async () => {
    const over = await cli(['restore', 'run', ...s.flags, '--database', DB]);
    expect(over.code).toBe(2);
    expect(over.stderr).toContain('already exists');
    const again = await cli(['restore', 'run', ...s.flags, '--database', DB, '--as', 'PM_Copy', ...moved]);
    expect(again.code).toBe(2);
    const replaced = await cli([
      'restore',
      'run',
      ...s.flags,
      '--database',
      DB,
      '--as',
      'PM_Copy',
      ...moved,
      '--replace',
      '--json',
    ]);
    expect(replaced.code, replaced.stderr).toBe(0);
    const { result } = JSON.parse(replaced.stdout);
    expect(result.ok).toBe(true);
    expect(result.state.state).toBe('ONLINE');
    expect(
      s.sim.server.msdb.restorehistory.filter((h) => h.destination_database_name === 'PM_Copy' && h.replace),
    ).toHaveLength(1);
  });

  it('stops at the first failed step with the server message and number (exit 1)', async () => {
    await s.sim.sim.corruptBackupFile(backupPath('Q2.bak'));
    try {
      const r = await cli(['restore', 'run', ...s.flags, '--database', DB, '--as', 'PM_Broken', ...moved]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/FAILED at step 2 of 3 \(1 done\), backup set 3:\n {2}Msg 606\d+: LiteSpeed/);
      expect(r.stdout).toContain('not run: step 3');
      expect(r.stdout).toContain('Database PM_Broken: RESTORING');
    } finally {
      s.sim.faults.reset();
    }
  });
});

describe('native RESTORE', () => {
  it('--native restores native backups; on LiteSpeed files the server refuses it (3241)', async () => {
    const t = await startSimServer();
    try {
      createPiecemealDatabase(t, 'NAT', 'FULL', false);
      t.sim.sim.advanceClock('1h');
      await t.exec("BACKUP DATABASE [NAT] TO DISK = N'C:\\SQLBackup\\NAT_FULL.bak' WITH CHECKSUM;");
      t.sim.sim.write('NAT', 'A', '10MB');
      t.sim.sim.advanceClock('15m');
      await t.exec("BACKUP LOG [NAT] TO DISK = N'C:\\SQLBackup\\NAT_LOG.trn';");
      const r = await runCli(
        ['restore', 'run', ...t.flags, '--database', 'NAT', '--as', 'NAT_R', ...moved, '--native'],
        { env: t.env },
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stderr).toContain('step 2/2: restore log from backup set 2, WITH RECOVERY');
      expect(t.sim.sim.database('NAT_R').state).toBe('ONLINE');
    } finally {
      await t.close();
    }
    const lite = await cli([
      'restore',
      'run',
      ...s.flags,
      '--database',
      DB,
      '--as',
      'PM_Native',
      ...moved,
      '--native',
    ]);
    expect(lite.code).toBe(1);
    expect(lite.stdout).toContain('FAILED at step 1 of 3');
    expect(lite.stdout).toContain('Msg 3241');
  });
});

describe('encrypted backups and --job', () => {
  it('encrypted backups: without the key the step fails (60605); with --job the job supplies server and key', async () => {
    const t = await startSimServer();
    const jobDir = await mkdtemp(join(tmpdir(), 'hf-restore-job-'));
    try {
      createPiecemealDatabase(t, 'ENC', 'SIMPLE', false);
      t.sim.sim.advanceClock('1h');
      await t.xp('xp_backup_database', {
        database: 'ENC',
        filename: 'Y:\\b\\ENC_FULL.bak',
        encryptionkey: KEY,
        cryptlevel: 8,
      });
      const env = {
        ...t.env,
        HF_TEST_BACKUP_KEY: KEY,
        HF_SQL_HOST: t.sim.host,
        HF_SQL_PORT: String(t.sim.port),
      };
      const noKey = await runCli(
        ['restore', 'run', ...t.flags, '--database', 'ENC', '--as', 'ENC_A', ...moved],
        { env },
      );
      expect(noKey.code).toBe(1);
      expect(noKey.stdout).toContain('Msg 60605');
      await writeFile(join(jobDir, 'enc.yaml'), jobYaml());
      const plan = await runCli(['restore', 'plan', '--job', 'enc-backup', jobDir, '--database', 'ENC'], {
        env,
      });
      expect(plan.code, plan.stderr).toBe(0);
      const run = await runCli(
        ['restore', 'run', '--job', 'enc-backup', jobDir, '--database', 'ENC', '--as', 'ENC_B', ...moved],
        { env },
      );
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout + run.stderr).not.toContain(KEY);
      expect(t.sim.sim.database('ENC_B').state).toBe('ONLINE');
    } finally {
      await t.close();
      await rm(jobDir, { recursive: true, force: true });
    }
  });
});

describe('a real process', () => {
  it('holdfast restore plan --server reads msdb and plans (bin/holdfast.js)', async () => {
    const t = await startSimServer();
    try {
      await historyS1(t);
      const r = await spawnCli(
        ['restore', 'plan', ...t.flags, '--database', DB, '--as', 'PM_New', ...moved, '--format', 'markdown'],
        { env: t.env },
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('F_B.bak');
      expect(r.stdout).toContain('P1.bak');
      expect(r.stdout).not.toContain(t.sim.password);
    } finally {
      await t.close();
    }
  });
});

function jobYaml(): string {
  return `apiVersion: holdfast/v1
kind: LiteSpeedBackup
metadata: { name: enc-backup }
spec:
  server:
    host: { secretRef: env:HF_SQL_HOST }
    port: { secretRef: env:HF_SQL_PORT }
    auth: { type: sql, user: sa, password: { secretRef: env:HF_TEST_SQL_PASSWORD } }
    trustServerCertificate: true
  databases: [ENC]
  directory: 'Y:\\b'
  encryption: { level: 8, key: { secretRef: env:HF_TEST_BACKUP_KEY } }
`;
}
