import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.ts';
import { ROOT, runCli } from '../../../test/helpers/cli.ts';
// eslint-disable-next-line no-restricted-imports -- tests drive the plugin against the SQL Server simulator
import { startSqlServerSim, type SqlServerSim } from '../../../sim/sqlserver/index.ts';

const KEY = 'cli-test-key-not-for-production';

/** `holdfast plan` and `holdfast run` with the example job jobs/dw-partial.yaml against the simulator. */
describe('holdfast plan / run with jobs/dw-partial.yaml', () => {
  let sim: SqlServerSim;
  let dir: string;
  const clock = new ManualClock('2026-03-01T01:00:00Z');
  let env: NodeJS.ProcessEnv;
  const jobFiles = [path.join(ROOT, 'jobs', 'dw-partial.yaml'), path.join(ROOT, 'jobs', 'storage.yaml')];
  const cli = ([command, ...options]: string[], files = jobFiles) =>
    runCli([command!, ...files, '--catalog', path.join(dir, 'catalog.db'), ...options], {
      env,
      deps: { clock },
      cwd: dir,
    });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'holdfast-litespeed-cli-'));
    sim = await startSqlServerSim({ dataDir: path.join(dir, 'server'), clock });
    await sim.sim.runChecked("EXEC master.dbo.xp_create_subdir N'Y:\\SQL_BACKUPS'");
    env = {
      DW_SQL_HOST: sim.host,
      DW_SQL_PORT: String(sim.port),
      DW_SQL_PASSWORD: sim.password,
      DW_BACKUP_KEY: KEY,
    };
  });
  afterAll(async () => {
    await sim?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('plan shows every backup with its reason and its T-SQL, the key masked, and writes nothing', async () => {
    const r = await cli(['plan']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('[1] backup-filegroup');
    expect(r.stdout).toContain('why:    read-only filegroup FG_2019 has no filegroup backup');
    expect(r.stdout).toContain('[4] backup-partial');
    expect(r.stdout).toContain('why:    DW has no partial backup in msdb yet');
    expect(r.stdout).toContain("@encryptionkey = N'********'");
    expect(r.stdout).toContain('@read_write_filegroups = 1');
    expect(r.stdout).not.toContain(KEY);
    expect(sim.server.msdb.backupset).toHaveLength(0);
  });

  it('run takes them, then --type differential the same day takes a differential partial', async () => {
    const r = await cli(['run', '--job', 'dw-partial']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Run \S+: succeeded/);
    expect(r.stdout).toMatch(
      /ok {3}dw-partial\/.*\/DW\/backup-partial .*partial backup of DW: backup set 4 \(type P, 1 file, verified\)/,
    );
    expect(sim.server.msdb.backupset.map((b) => b.type)).toEqual(['F', 'F', 'F', 'P']);

    clock.set('2026-03-01T05:00:00Z');
    const d = await cli(['run', '--job', 'dw-partial', '--type', 'differential']);
    expect(d.code).toBe(0);
    expect(sim.server.msdb.backupset.map((b) => b.type)).toEqual(['F', 'F', 'F', 'P', 'Q']);
    const json = await cli(['plan', '--json']);
    expect(JSON.parse(json.stdout).steps).toEqual([]);
  });

  it('an invalid job (encryption level out of range, no key, compression 9) exits 2 naming the job and values; nothing runs', async () => {
    const bad = path.join(dir, 'dw-bad.yaml');
    writeFileSync(
      bad,
      readFileSync(jobFiles[0]!, 'utf8')
        .replace(
          'encryption: { level: 8, key: { secretRef: env:DW_BACKUP_KEY } }',
          'encryption: { level: 9 }',
        )
        .replace('compressionLevel: 4', 'compressionLevel: 9'),
    );
    const before = sim.server.msdb.backupset.length;
    const r = await cli(['run'], [bad, jobFiles[1]!]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /dw-bad\.yaml:\d+:\d+: LiteSpeedBackup\/dw-partial spec\.compressionLevel: compressionLevel 9 is out of range/,
    );
    expect(r.stderr).toMatch(
      /LiteSpeedBackup\/dw-partial spec\.encryption\.level: encryption level 9 is out of range/,
    );
    expect(r.stderr).toMatch(/LiteSpeedBackup\/dw-partial spec\.encryption: encryption level 9 needs a key/);
    expect(r.stderr).toContain('nothing was executed');
    expect(sim.server.msdb.backupset).toHaveLength(before);
  });
});
