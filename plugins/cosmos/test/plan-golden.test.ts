import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.ts';
import { runCli } from '../../../test/helpers/cli.ts';
import { expectGolden } from '../../../test/helpers/golden.ts';
import { seedContainer, startCosmosServer, type CosmosServer } from '../../../test/harness/cosmos-server.ts';

const GOLDEN = path.join(import.meta.dirname, '..', 'golden');

describe('what a reviewer reads: the plan of two CosmosBackup jobs on one account', () => {
  let cosmos: CosmosServer;
  let work = '';
  beforeAll(async () => {
    cosmos = await startCosmosServer();
    const client = cosmos.client();
    for (const [db, c] of [
      ['shop', 'orders'],
      ['shop', 'customers'],
      ['shop', 'audit'],
      ['billing', 'invoices'],
      ['scratch', 'tmp'],
    ] as const) {
      await seedContainer(client, db, { id: c, partitionKey: { paths: ['/pk'] } }, []);
    }
    work = mkdtempSync(path.join(tmpdir(), 'hf-cosmos-plan-'));
    writeFileSync(
      path.join(work, 'jobs.yaml'),
      `apiVersion: holdfast/v1
kind: Storage
metadata: { name: backups }
spec: { type: local, path: ./backups }
---
apiVersion: holdfast/v1
kind: CosmosBackup
metadata: { name: shop-nightly }
spec:
  schedule: { cron: "0 2 * * *", timezone: Europe/London }
  account: { endpoint: ${cosmos.endpoint}, name: orders, auth: { type: key, key: { secretRef: env:ORDERS_COSMOS_KEY } } }
  include: ["shop/*"]
  exclude: ["shop/audit"]
  storage: backups
  maxRequestUnitsPerSecond: 400
  throughputShare: 0.25
---
apiVersion: holdfast/v1
kind: CosmosBackup
metadata: { name: billing-weekly }
spec:
  schedule: { cron: "0 3 * * 0" }
  account: { endpoint: ${cosmos.endpoint}, name: orders, auth: { type: emulator } }
  include: ["billing/*"]
  storage: backups
  compression: zstd
  fileName: "{Account}/{Year}/{Month}/{Database}.{Container}.{Day}"
`,
    );
  });
  afterAll(async () => cosmos?.stop());

  const normalise = (text: string) =>
    text.replaceAll(String(cosmos.port), '<port>').replaceAll(work, '<work>');
  const run = (args: string[]) =>
    runCli(args, {
      cwd: work,
      env: { ORDERS_COSMOS_KEY: 'do-not-print-this-key-0123456789' },
      deps: { clock: new ManualClock('2026-03-01T02:00:00Z') },
    });

  it('renders as text and Markdown (golden), masks the key, and writes nothing', async () => {
    const text = await run(['plan', 'jobs.yaml']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).not.toContain('do-not-print-this-key');
    expectGolden(path.join(GOLDEN, 'plan.golden.txt'), normalise(text.stdout));
    const markdown = await run(['plan', 'jobs.yaml', '--format', 'markdown']);
    expectGolden(path.join(GOLDEN, 'plan.golden.md'), normalise(markdown.stdout));
    const dry = await run(['run', 'jobs.yaml', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout) as { steps: { id: string; concurrency: unknown }[] };
    expect(plan.steps.map((s) => s.id)).toEqual([
      'shop-nightly/orders/shop/customers',
      'shop-nightly/orders/shop/orders',
      'billing-weekly/orders/billing/invoices',
    ]);
    expect(plan.steps[0]!.concurrency).toEqual({ group: `cosmos:127.0.0.1:${cosmos.port}`, limit: 2 });
    expect(readdirSync(work)).toEqual(['jobs.yaml']);
    expect(existsSync(path.join(work, 'backups'))).toBe(false);
  });
});
