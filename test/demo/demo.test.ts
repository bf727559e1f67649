import { describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli.ts';

describe('holdfast demo', () => {
  it('starts the simulators, runs the example jobs end to end, prints a restore script, stops everything, exits 0', async () => {
    const r = await spawnCli(['demo'], { timeoutMs: 120_000 });
    expect(r.code, r.stdout.slice(-3000) + r.stderr.slice(-3000)).toBe(0);
    const out = r.stdout;
    // the plan, with reasons, and the container no job covers
    expect(out).toContain('read-only filegroup FG_2019 has no filegroup backup');
    expect(out).toMatch(/covered by no CosmosBackup job: scratch-tmp\/sessions/);
    // backups of every kind landed and were verified
    expect(out).toMatch(/ok\s+dw-partial\/\S+\/DW\/backup-partial .*type P, 1 file, verified/);
    expect(out).toMatch(/ok\s+dw-partial\/\S+\/DW\/backup-differential-partial .*type Q/);
    expect(out).toMatch(/filegroup FG_2020 changed since its last backup/);
    expect(out).toMatch(/ok\s+cosmos-nightly\/orders\/shop\/orders .*exported 400 documents/);
    // the restore script, key masked, and the restore itself
    expect(out).toContain('EXEC @rc = master.dbo.xp_restore_database');
    expect(out).toContain("@encryptionkey = N'********'");
    expect(out).not.toContain('demo-only-encryption-key');
    expect(out).toContain('Every step behaved.');
  }, 150_000);
});
