import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../src/catalog/sqlite-catalog.ts';
import { createSecretResolver } from '../../src/config/secret-resolver.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { StepResult } from '../../src/core/result.ts';
import { Notifier } from '../../src/notify/notifier.ts';
import { notificationsForMissedRuns, notificationsForSummary } from '../../src/notify/run-notifications.ts';
import { notifyMissedRuns, sendDailySummary } from '../../src/notify/notify-scheduled.ts';
import { startHttpReceiver, type HttpReceiver } from '../harness/http-server.ts';
import { jobManifest, manifest, type TeamsPayload, type WebhookPayload } from './fixtures.ts';

const HOUR = 3_600_000;

describe('missed-run and daily-summary notifications', () => {
  let http: HttpReceiver;
  beforeAll(async () => {
    http = await startHttpReceiver();
  });
  afterAll(async () => {
    await http?.stop();
  });

  const jobs = [
    jobManifest('orders', [
      { channel: 'ops', on: ['failure', 'missed', 'summary'] },
      { channel: 'dba', on: ['summary'] },
    ]),
    jobManifest('customers', [{ channel: 'ops', on: ['summary'] }]),
    jobManifest('quiet', [{ channel: 'ops', on: ['failure'] }]),
  ];

  it('missed: one per channel whose rule lists missed, with the fire time, count and last run', () => {
    const out = notificationsForMissedRuns({
      jobs,
      missed: [
        {
          job: 'orders',
          type: 'log',
          fireAt: new Date('2026-03-01T01:45:00Z'),
          count: 3,
          lastRunAt: new Date('2026-03-01T01:00:00Z'),
        },
        { job: 'quiet', fireAt: new Date('2026-03-01T01:45:00Z'), count: 1 },
        { job: 'unknown', fireAt: new Date('2026-03-01T01:45:00Z'), count: 1 },
      ],
      now: new Date('2026-03-01T02:00:00Z'),
      host: 'h',
    });
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({
      channel: 'ops',
      data: {
        event: 'missed',
        job: 'orders',
        outcome: 'missed',
        missed: {
          fireAt: '2026-03-01T01:45:00.000Z',
          count: 3,
          lastRunAt: '2026-03-01T01:00:00.000Z',
          type: 'log',
        },
      },
    });
    expect(out[0]!.data.title).toBe('holdfast: orders MISSED its log backup due 2026-03-01T01:45:00.000Z');
  });

  it('summary: one digest per channel from the catalog, delivered', async () => {
    const catalog = openCatalog(':memory:');
    const to = new Date('2026-03-02T06:00:00Z');
    const from = new Date(to.getTime() - 24 * HOUR);
    const step = (job: string, status: StepResult['status'], bytes: number): StepResult => ({
      stepId: `${job}/t`,
      job,
      plugin: 'cosmos',
      target: 't',
      action: 'export',
      status,
      summary: status,
      metrics: { bytes },
      artifactIds: [],
      startedAt: new Date(from.getTime() + HOUR).toISOString(),
      finishedAt: new Date(from.getTime() + 2 * HOUR).toISOString(),
    });
    const run = (job: string, at: Date, status: StepResult['status'], bytes: number) => {
      const id = catalog.startRun({ command: 'serve', jobs: [job], startedAt: at });
      catalog.recordStep(id, step(job, status, bytes));
      catalog.finishRun(id, status === 'succeeded' ? 'succeeded' : 'failed', at);
    };
    run('orders', new Date(from.getTime() - 2 * HOUR), 'succeeded', 100); // before the period: only "last good"
    run('orders', new Date(from.getTime() + 3 * HOUR), 'failed', 0);
    run('orders', new Date(from.getTime() + 9 * HOUR), 'succeeded', 2048);
    const out = notificationsForSummary({ jobs, catalog, from, to, host: 'h' });
    expect(out.map((o) => o.channel).sort()).toEqual(['dba', 'ops']);
    const ops = out.find((o) => o.channel === 'ops')!.data;
    expect(ops.digest!.lines).toEqual([
      expect.objectContaining({
        job: 'orders',
        runs: 2,
        failed: 1,
        bytes: 2048,
        outcome: 'partly-failed',
        lastSuccessAt: new Date(from.getTime() + 9 * HOUR).toISOString(),
      }),
      expect.objectContaining({
        job: 'customers',
        runs: 0,
        outcome: 'no run',
        lastSuccessAt: null,
        detail: 'no run in this period',
      }),
    ]);
    expect(ops.title).toBe('holdfast daily summary: 2 job(s), 2 need attention');

    const channels = [
      manifest('Channel', 'ops', {
        type: 'webhook',
        url: { secretRef: 'env:OPS' },
        rateLimitPerMinute: 20,
        retries: 0,
        timeoutSeconds: 5,
      }),
      manifest('Channel', 'dba', {
        type: 'teams-workflow',
        url: { secretRef: 'env:DBA' },
        rateLimitPerMinute: 20,
        retries: 0,
        timeoutSeconds: 5,
      }),
    ];
    http.setDefault('/teams', { status: 202 });
    const notifier = new Notifier({
      manifests: [...channels, ...jobs],
      resolveSecret: createSecretResolver({ env: { OPS: http.url('/ops'), DBA: http.url('/teams') } }),
      logger: silentLogger(),
    });
    const reports = await notifier.send(out);
    await notifier.close();
    expect(reports.every((r) => r.status === 'sent' && r.event === 'summary')).toBe(true);
    expect((http.requestsTo('/ops')[0]!.json as WebhookPayload).digest!.lines.map((l) => l.job)).toEqual([
      'orders',
      'customers',
    ]);
    const card = (http.requestsTo('/teams')[0]!.json as TeamsPayload).attachments[0]!.content;
    expect(card.body[2]!.facts![0]).toEqual({
      title: 'orders',
      value: 'partly-failed: 2 run(s), 1 failed, 2.0 KiB, last good 2026-03-01T15:00:00.000Z',
    });
    catalog.close();
  });
});

describe('the functions the scheduler calls', () => {
  let http: HttpReceiver;
  beforeAll(async () => {
    http = await startHttpReceiver();
  });
  afterAll(async () => {
    await http?.stop();
  });

  it('notifyMissedRuns and sendDailySummary deliver to the channels that asked', async () => {
    const jobs = [jobManifest('orders', [{ channel: 'ops', on: ['missed', 'summary'] }])];
    const ops = manifest('Channel', 'ops', {
      type: 'webhook',
      url: { secretRef: 'env:OPS' },
      rateLimitPerMinute: 20,
      retries: 0,
      timeoutSeconds: 5,
    });
    const notifier = new Notifier({
      manifests: [ops, ...jobs],
      resolveSecret: createSecretResolver({ env: { OPS: http.url('/sched') } }),
      logger: silentLogger(),
    });
    const now = new Date('2026-03-02T06:00:00Z');
    const missed = await notifyMissedRuns({
      notifier,
      jobs,
      missed: [{ job: 'orders', fireAt: new Date('2026-03-02T02:00:00Z'), count: 1 }],
      now,
    });
    const catalog = openCatalog(':memory:');
    const summary = await sendDailySummary({ notifier, jobs, catalog, now });
    await notifier.close();
    catalog.close();
    expect([...missed, ...summary].map((r) => `${r.status} ${r.event}`)).toEqual([
      'sent missed',
      'sent summary',
    ]);
    const [m, s] = http.requestsTo('/sched').map((r) => r.json as WebhookPayload & { event: string });
    expect(m!.event).toBe('missed');
    expect(m!.title).toBe('holdfast: orders MISSED its run due 2026-03-02T02:00:00.000Z');
    expect(s!.digest!.lines).toEqual([expect.objectContaining({ job: 'orders', outcome: 'no run' })]);
  });
});
