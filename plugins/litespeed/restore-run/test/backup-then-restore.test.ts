import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/clock.ts';
import { ROOT, runCli } from '../../../../test/helpers/cli.ts';
// eslint-disable-next-line no-restricted-imports -- tests run restores against the SQL Server simulator
import { startSqlServerSim, type SqlServerSim } from '../../../../sim/sqlserver/index.ts';

/**
 * The whole product on the simulator: `holdfast run` takes the example job's backups (the LiteSpeed
 * plugin: read-only filegroups, partial, then a differential partial, encrypted) and records them in
 * the catalog; `holdfast restore run --job` plans from msdb and restores them into a new database with
 * the job's server and key. The catalog then stands in for msdb's virtual device names.
 */

const KEY = 'restore-e2e-key-not-for-production';
const JOB_FILES = [path.join(ROOT, 'jobs', 'dw-partial.yaml'), path.join(ROOT, 'jobs', 'storage.yaml')];

let sim: SqlServerSim;
let dir: string;
let env: NodeJS.ProcessEnv;
const clock = new ManualClock('2026-03-01T01:00:00Z');
const catalogFlags = () => ['--catalog', path.join(dir, 'catalog.db')];
const cli = (args: string[]) => runCli(args, { env, deps: { clock }, cwd: dir });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hf-backup-restore-'));
  sim = await startSqlServerSim({ dataDir: path.join(dir, 'server'), clock });
  await sim.sim.runChecked("EXEC master.dbo.xp_create_subdir N'Y:\\SQL_BACKUPS'");
  env = {
    DW_SQL_HOST: sim.host,
    DW_SQL_PORT: String(sim.port),
    DW_SQL_PASSWORD: sim.password,
    DW_BACKUP_KEY: KEY,
  };
  const full = await cli(['run', ...JOB_FILES, '--job', 'dw-partial', ...catalogFlags()]);
  if (full.code !== 0) throw new Error(`holdfast run failed: ${full.stdout}${full.stderr}`);
  clock.set('2026-03-01T05:00:00Z');
  sim.sim.write('DW', 'FG_CURRENT', '50MB');
  const diff = await cli([
    'run',
    ...JOB_FILES,
    '--job',
    'dw-partial',
    '--type',
    'differential',
    ...catalogFlags(),
  ]);
  if (diff.code !== 0)
    throw new Error(`holdfast run --type differential failed: ${diff.stdout}${diff.stderr}`);
});

afterAll(async () => {
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('backups taken by holdfast run, restored by holdfast restore run', () => {
  it('restores DW as DW_Restored with the server and encryption key of the job', async () => {
    expect(sim.server.msdb.backupset.map((b) => b.type)).toEqual(['F', 'F', 'F', 'P', 'Q']);
    const r = await cli([
      'restore',
      'run',
      '--job',
      'dw-partial',
      ...JOB_FILES,
      '--database',
      'DW',
      '--as',
      'DW_Restored',
      '--move-data-to',
      'R:\\restore',
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('Database DW_Restored: ONLINE (SIMPLE)');
    expect(r.stdout).toContain('online: PRIMARY, FG_2019, FG_2020, FG_2021, FG_CURRENT');
    expect(r.stdout + r.stderr).not.toContain(KEY);
    expect(r.stderr).toContain(
      'step 1/5: restore partial (PRIMARY, FG_CURRENT) from backup set 4, NORECOVERY',
    );
  });

  it('with virtual device names in the history, the catalog supplies the backup files', async () => {
    const exported = path.join(dir, 'dw-history.json');
    expect(
      (
        await cli([
          'history',
          'export',
          '--job',
          'dw-partial',
          ...JOB_FILES,
          '--database',
          'DW',
          '--out',
          exported,
        ])
      ).code,
    ).toBe(0);
    const doc = JSON.parse(await readFile(exported, 'utf8'));
    const files = (d: { backupsets: Array<{ media: Array<{ physical_device_name: string }> }> }) =>
      d.backupsets.map((b) => b.media.map((m) => m.physical_device_name));
    const real = files(doc);
    let n = 0;
    for (const b of doc.backupsets)
      for (const m of b.media)
        m.physical_device_name = `{6F9619FF-8B86-D011-B42D-00C04FC964${String(++n).padStart(2, '0')}}`;
    const vdi = path.join(dir, 'dw-history-vdi.json');
    await writeFile(vdi, JSON.stringify(doc));

    const withCatalog = await cli([
      'restore',
      'plan',
      '--history',
      vdi,
      '--database',
      'DW',
      '--format',
      'json',
      ...catalogFlags(),
    ]);
    expect(withCatalog.code, withCatalog.stderr).toBe(0);
    expect(withCatalog.stderr).toContain('file paths for backup sets 1, 2, 3, 4, 5');
    const plan = JSON.parse(withCatalog.stdout);
    for (const step of plan.steps) expect(real[step.backup_set_id - 1]).toEqual(step.files);
    expect(plan.warnings.join('\n')).not.toContain('virtual device GUID');

    const without = await cli([
      'restore',
      'plan',
      '--history',
      vdi,
      '--database',
      'DW',
      '--format',
      'json',
      '--catalog',
      path.join(dir, 'none.db'),
    ]);
    expect(without.code).toBe(0);
    expect(JSON.parse(without.stdout).warnings.join('\n')).toContain('virtual device GUID');
  });
});
