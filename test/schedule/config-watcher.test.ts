import { cpSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.ts';
import { ConfigWatcher } from '../../src/schedule/config-watcher.ts';

const dirs: string[] = [];
const watchers: ConfigWatcher[] = [];
afterEach(() => {
  for (const w of watchers.splice(0)) w.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function watchLog(paths: string[]): Promise<string[][]> {
  const changes: string[][] = [];
  watchers.push(
    await ConfigWatcher.start(paths, {
      debounceMs: 40,
      logger: silentLogger(),
      onChange: (f) => changes.push(f),
    }),
  );
  return changes;
}

describe('config watcher', () => {
  it('calls once per burst of YAML changes, and ignores other files', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hf-watch-'));
    dirs.push(dir);
    const changes = await watchLog([dir]);
    writeFileSync(path.join(dir, 'notes.txt'), 'x');
    await new Promise((r) => setTimeout(r, 150));
    expect(changes).toEqual([]);
    for (let i = 0; i < 5; i++) writeFileSync(path.join(dir, 'jobs.yaml'), `# ${i}\n`);
    await until(() => changes.length === 1);
    await new Promise((r) => setTimeout(r, 150));
    expect(changes).toHaveLength(1);
    expect(changes[0]).toContain(path.join(dir, 'jobs.yaml'));
  });

  it('follows a Kubernetes ConfigMap volume through each swap of its ..data link', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'hf-configmap-'));
    dirs.push(root);
    const version = (name: string, content: string) => {
      mkdirSync(path.join(root, name));
      writeFileSync(path.join(root, name, 'jobs.yaml'), content);
    };
    version('..2025_01_01_00_00_00.1', '# v1\n');
    symlinkSync('..2025_01_01_00_00_00.1', path.join(root, '..data'));
    const changes = await watchLog([path.join(root, '..data')]);
    // What the kubelet does: write the new version, swap the link atomically, remove the old version.
    const swap = (from: string, to: string, content: string) => {
      version(to, content);
      symlinkSync(to, path.join(root, '..data_tmp'));
      renameSync(path.join(root, '..data_tmp'), path.join(root, '..data'));
      rmSync(path.join(root, from), { recursive: true });
    };
    swap('..2025_01_01_00_00_00.1', '..2025_01_02_00_00_00.2', '# v2\n');
    await until(() => changes.length === 1);
    swap('..2025_01_02_00_00_00.2', '..2025_01_03_00_00_00.3', '# v3\n');
    await until(() => changes.length === 2);
    cpSync(path.join(root, '..data', 'jobs.yaml'), path.join(root, '..data', 'more.yaml'));
    await until(() => changes.length === 3);
  });
});
