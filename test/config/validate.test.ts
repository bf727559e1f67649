import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { fileCopyPlugin } from '../fixtures/file-copy-plugin.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');
const deps = { plugins: [fileCopyPlugin()] };

describe('holdfast validate', () => {
  it('reports every problem of a directory of broken job files at once, with file:line:col, and exits 2', async () => {
    const r = await runCli(['validate', 'broken'], { cwd: FIXTURES, deps, env: { HOLDFAST_TEST_SURELY_UNSET: '' } });
    expect(r.code).toBe(2);
    const e = r.stderr;
    // YAML syntax
    expect(e).toMatch(/broken\/01-syntax\.yaml:\d+:\d+: YAML syntax/);
    // unknown key in metadata, pointing at the key
    expect(e).toContain('broken/02-types.yaml:5:3: Storage/local-a metadata.colour: unknown key "colour"');
    expect(e).toMatch(/allowed: name, labels/);
    // wrong type, with what was found and what is allowed
    expect(e).toMatch(/02-types\.yaml:8:9: Storage\/local-a spec\.path: .*\n\s+found:\s+42\n\s+allowed:\s+string/);
    // a plain secret where a reference belongs is reported but never printed
    expect(e).toContain('spec.auth.key');
    expect(e).not.toContain('hunter2');
    // unknown kind, with the kinds that exist
    expect(e).toMatch(/unknown kind "Bakcup"[\s\S]*allowed: Channel, CosmosBackup, FileCopy, LiteSpeedBackup, Storage/);
    // wrong apiVersion, bad name, unknown storage type
    expect(e).toMatch(/apiVersion/);
    expect(e).toMatch(/metadata\.name/);
    expect(e).toMatch(/spec\.type[\s\S]*"floppy"[\s\S]*allowed: "local" \| "azure-blob"/);
    // duplicates, dangling references, missing secrets, malformed secret references, unknown spec keys
    expect(e).toMatch(/03-references\.yaml:\d+:\d+: Storage\/shared metadata\.name: duplicate name "shared"/);
    expect(e).toMatch(/FileCopy\/copy-docs spec\.storage: refers to Storage "nowhere", which no job file defines[\s\S]*allowed: shared/);
    expect(e).toMatch(/environment variable HOLDFAST_TEST_SURELY_UNSET is not set/);
    expect(e).toMatch(/Channel\/ops spec\.url\.secretRef: invalid secret reference/);
    expect(e).toMatch(/unknown key "unexpected"/);
    expect(e).toMatch(/duplicate name "copy-docs" \(job names are unique among all jobs/);
    expect(e).toMatch(/\d+ problem\(s\) in 3 file\(s\); nothing was executed/);
    expect(r.stdout).toBe('');
  });

  it('accepts valid files and says what it found', async () => {
    const r = await runCli(['validate', 'good'], { cwd: FIXTURES, deps, env: { HOLDFAST_TEST_TOKEN: 'tok-123' } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('valid: 1 file(s), 2 manifest(s) (1 Storage, 1 FileCopy)');
  });

  it('reports a path that does not exist', async () => {
    const r = await runCli(['validate', 'no-such-dir'], { cwd: FIXTURES, deps });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no-such-dir: cannot read: ENOENT');
  });

  it('prints machine-readable output with --json', async () => {
    const r = await runCli(['validate', 'good', '--json'], { cwd: FIXTURES, deps, env: { HOLDFAST_TEST_TOKEN: 'x' } });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.valid).toBe(true);
    expect(out.manifests.map((m: { name: string }) => m.name)).toEqual(['local-out', 'copy-data']);
  });
});

describe('job files behind links (a Kubernetes ConfigMap mount)', () => {
  it('follows linked files and skips the hidden ..data directory, so nothing is read twice', async () => {
    const { mkdtempSync, mkdirSync, copyFileSync, symlinkSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(path.join(tmpdir(), 'hf-configmap-'));
    mkdirSync(path.join(dir, '..2026_11_23_10_00_00.1'));
    copyFileSync(path.join(FIXTURES, 'good', 'jobs.yaml'), path.join(dir, '..2026_11_23_10_00_00.1', 'jobs.yaml'));
    symlinkSync('..2026_11_23_10_00_00.1', path.join(dir, '..data'));
    symlinkSync(path.join('..data', 'jobs.yaml'), path.join(dir, 'jobs.yaml'));
    const r = await runCli(['validate', dir], { cwd: FIXTURES, deps, env: { HOLDFAST_TEST_TOKEN: 't' } });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('valid: 1 file(s), 2 manifest(s)');
  });
});
