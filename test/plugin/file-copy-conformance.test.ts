import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe } from 'vitest';
import { openCatalog } from '../../src/catalog/sqlite-catalog.ts';
import { createSecretResolver } from '../../src/config/secret-resolver.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Job } from '../../src/core/job.ts';
import { fileCopyPlugin } from '../fixtures/file-copy-plugin.ts';
import { describePluginConformance } from './conformance.ts';

describe('file-copy test plugin', () => {
  describePluginConformance(fileCopyPlugin, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hf-conf-'));
    writeFileSync(path.join(dir, 'one.txt'), '1');
    const job: Job = {
      apiVersion: 'holdfast/v1', kind: 'FileCopy', metadata: { name: 'copy', labels: {} },
      spec: { source: '.', storage: 's', prefix: 'p', token: { secretRef: 'env:CONF_TOKEN' } },
      source: { file: path.join(dir, 'j.yaml'), line: 1, column: 1 }, baseDir: dir,
    };
    const resolve = createSecretResolver({ env: { CONF_TOKEN: 'conformance-secret' } });
    return {
      job,
      secretValues: ['conformance-secret'],
      ctx: {
        clock: new ManualClock('2026-03-01T00:00:00Z'), logger: silentLogger(), resolveSecret: (r) => resolve(r), storage: () => { throw new Error('not in plan'); },
        catalog: openCatalog(':memory:'), manifests: [job], options: { dryRun: true }, signal: new AbortController().signal,
      },
    };
  });
});
