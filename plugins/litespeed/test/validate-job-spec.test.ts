import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.ts';
import { formatProblem } from '../../../src/config/problems.ts';
import { createRegistry } from '../../../src/plugin/builtin-plugins.ts';

/** Loads one LiteSpeedBackup job (spec lines indented under `spec:`) and returns the formatted problems. */
async function problemsOf(
  spec: string,
  env: NodeJS.ProcessEnv = { SQL_PW: 'x', DW_KEY: 'k' },
): Promise<string[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ls-validate-'));
  const file = path.join(dir, 'job.yaml');
  const lines = spec
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => `  ${l.trim()}`);
  const defaults = [
    '  server: { host: sql01, auth: { type: sql, user: backup_svc, password: { secretRef: env:SQL_PW } } }',
    '  databases: [DW]',
    '  directory: Y:\\SQL_BACKUPS',
  ].filter((d) => !lines.some((l) => l.startsWith(d.slice(0, d.indexOf(':') + 1))));
  writeFileSync(
    file,
    [
      'apiVersion: holdfast/v1',
      'kind: LiteSpeedBackup',
      'metadata: { name: dw-partial }',
      'spec:',
      ...defaults,
      ...lines,
      '',
    ].join('\n'),
  );
  const registry = createRegistry();
  try {
    const config = await loadConfig([file], registry, env);
    return config.problems.map((p) => formatProblem({ ...p, file: 'job.yaml' }));
  } finally {
    await registry.dispose();
  }
}

describe('LiteSpeedBackup validation', () => {
  it('accepts the data warehouse job', async () => {
    expect(
      await problemsOf(`
        readWriteFileGroups: true
        schedule: { full: "0 1 * * 0", differential: "0 1 * * 1-6" }
        compressionLevel: 4
        encryption: { level: 8, key: { secretRef: env:DW_KEY } }
        checksum: true
        verify: true`),
    ).toEqual([]);
  });

  it('reports an encryption level without a key, and out of range, with the line, the job and the value', async () => {
    const p = (await problemsOf('encryption: { level: 9 }')).join('\n');
    expect(p).toMatch(
      /job\.yaml:\d+:\d+: LiteSpeedBackup\/dw-partial spec\.encryption\.level: encryption level 9 is out of range[\s\S]*found:\s+9[\s\S]*allowed:\s+an integer from 0 to 8/,
    );
    expect(p).toMatch(/spec\.encryption: encryption level 9 needs a key/);
  });

  it('reports every problem at once: compression, threads, throttle, transfer size, description, stripes, exclusive options', async () => {
    const p = (
      await problemsOf(`
        compressionLevel: 12
        adaptiveCompression: Size
        threads: 64
        throttle: 0
        maxTransferSize: 100000
        description: "${'x'.repeat(130)}"
        directory: ['X:\\a', 'Y:\\b']
        numberOfFiles: 3
        server: { host: sql01, port: 1433, instance: DWH, auth: { type: entra } }`)
    ).join('\n');
    for (const text of [
      'spec.compressionLevel: compressionLevel 12 is out of range',
      'spec.adaptiveCompression: give either compressionLevel or adaptiveCompression, not both',
      'spec.threads: threads 64 is out of range',
      'spec.throttle: throttle 0 is out of range',
      'spec.maxTransferSize: maxTransferSize 100000 is not a multiple of 65536',
      'spec.description: description is 130 characters long',
      'spec.numberOfFiles: numberOfFiles 3 does not spread evenly over 2 directories',
      'spec.server.instance: give either port or instance, not both',
    ]) {
      expect(p).toContain(text);
    }
  });

  it('refuses LiteSpeed-only options with the native engine', async () => {
    const p = (
      await problemsOf(
        'engine: native\ncompressionLevel: 4\nthreads: 2\nencryption: { level: 8, key: { secretRef: env:DW_KEY } }',
      )
    ).join('\n');
    expect(p).toContain('spec.compressionLevel: native BACKUP compresses or not');
    expect(p).toContain('spec.threads: threads is a LiteSpeed option');
    expect(p).toContain('spec.encryption: LiteSpeed encryption needs engine: litespeed');
  });

  it('checks file name patterns, copy-only differentials and path deletion without mounts', async () => {
    const p = (
      await problemsOf(`fileName: "{DatabaseName}_{Bogus}.bak"
         copyOnly: true
         schedule: { differential: "0 1 * * *" }
         retention: { keepDays: 14, deleteVia: path }`)
    ).join('\n');
    expect(p).toContain('spec.fileName: unknown token(s) {Bogus}');
    expect(p).toContain('spec.fileName: must end with .{FileExtension}');
    expect(p).toContain('spec.schedule.differential: copy-only backups have no differentials');
    expect(p).toContain(
      'spec.mountedPaths: retention.deleteVia: path needs to know where Y:\\SQL_BACKUPS is mounted here',
    );
  });

  it('reports a key secret that is not there', async () => {
    expect(
      (await problemsOf('encryption: { level: 8, key: { secretRef: env:NOT_SET } }', { SQL_PW: 'x' })).join(
        '\n',
      ),
    ).toMatch(
      /spec\.encryption\.key\.secretRef: secret env:NOT_SET: environment variable NOT_SET is not set/,
    );
  });

  it('refers to notification channels that must exist', async () => {
    expect((await problemsOf('notify: [{ channel: dba-team, on: [failure] }]')).join('\n')).toContain(
      'refers to Channel "dba-team", which no job file defines',
    );
  });
});
