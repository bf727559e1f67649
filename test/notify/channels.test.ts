import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretResolver } from '../../src/config/secret-resolver.ts';
import { createLogger } from '../../src/core/logger.ts';
import type { Manifest } from '../../src/core/job.ts';
import { notificationsForRun } from '../../src/notify/run-notifications.ts';
import { Notifier } from '../../src/notify/notifier.ts';
import { startHttpReceiver, type HttpReceiver } from '../harness/http-server.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../harness/smtp-server.ts';
import {
  facts,
  jobManifest,
  manifest,
  sampleRun,
  SECRET_ENV,
  SECRETS,
  type SlackPayload,
  type TeamsPayload,
  type WebhookPayload,
} from './fixtures.ts';

const NOW = new Date('2026-03-01T02:02:00Z');

describe('notification channels against a real HTTP server and a real SMTP server', () => {
  let http: HttpReceiver;
  let smtp: SmtpReceiver;
  let logs: string[];
  let manifests: Manifest[];
  let notifier: Notifier;

  beforeAll(async () => {
    http = await startHttpReceiver();
    smtp = await startSmtpReceiver({ user: 'holdfast', password: SECRETS.smtpPassword });
    const env = {
      ...SECRET_ENV,
      HF_TEAMS_URL: http.url(`/teams/workflows/abc?${SECRETS.urlToken}`),
      HF_SLACK_URL: http.url('/slack/T000/B000/XXXXsecretXXXX'),
      HF_WEBHOOK_URL: http.url('/logic-app/trigger?sig=webhooksecret123'),
    };
    const all = [
      { channel: 'teams', on: ['failure', 'success'] },
      { channel: 'slack', on: ['failure'] },
      { channel: 'logic-app', on: ['failure', 'success'] },
      { channel: 'mail', on: ['failure'] },
    ];
    manifests = [
      manifest('Channel', 'teams', {
        type: 'teams-workflow',
        url: { secretRef: 'env:HF_TEAMS_URL' },
        rateLimitPerMinute: 20,
        retries: 3,
        timeoutSeconds: 10,
      }),
      manifest('Channel', 'slack', {
        type: 'slack',
        url: { secretRef: 'env:HF_SLACK_URL' },
        rateLimitPerMinute: 20,
        retries: 3,
        timeoutSeconds: 10,
      }),
      manifest('Channel', 'logic-app', {
        type: 'webhook',
        url: { secretRef: 'env:HF_WEBHOOK_URL' },
        headers: { 'x-api-key': { secretRef: 'env:HF_HEADER_TOKEN' } },
        rateLimitPerMinute: 20,
        retries: 3,
        timeoutSeconds: 10,
      }),
      manifest('Channel', 'mail', {
        type: 'smtp',
        host: '127.0.0.1',
        port: smtp.port,
        secure: false,
        auth: { user: 'holdfast', password: { secretRef: 'env:HF_SMTP_PASSWORD' } },
        from: 'holdfast@example.com',
        to: ['dba@example.com', 'oncall@example.com'],
        rateLimitPerMinute: 20,
        retries: 3,
        timeoutSeconds: 10,
      }),
      jobManifest('orders', all),
      jobManifest('customers', all),
    ];
    logs = [];
    const logger = createLogger({ level: 'debug', destination: { write: (s: string) => logs.push(s) } });
    notifier = new Notifier({
      manifests,
      resolveSecret: createSecretResolver({ env }),
      logger,
      baseDelayMs: 10,
    });
    const { plan, result } = sampleRun();
    const reports = await notifier.send(
      notificationsForRun({ plan, result, jobs: manifests, now: NOW, host: 'backup-01' }),
    );
    expect(reports.map((r) => `${r.status} ${r.event} ${r.job} ${r.channel}`).sort()).toEqual([
      'sent failure orders logic-app',
      'sent failure orders mail',
      'sent failure orders slack',
      'sent failure orders teams',
      'sent success customers logic-app',
      'sent success customers teams',
    ]);
  });

  afterAll(async () => {
    await notifier?.close();
    await http?.stop();
    await smtp?.stop();
  });

  it('Teams: a message with one Adaptive Card 1.4 attachment, as Teams Workflows expects', () => {
    const [failure, success] = http.requestsTo('/teams/workflows/abc').map((r) => r.json as TeamsPayload);
    expect(failure!.type).toBe('message');
    expect(failure!.attachments).toHaveLength(1);
    const att = failure!.attachments[0];
    expect(att!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(att!.content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    const [title, factSet, error] = att!.content.body;
    expect(title).toMatchObject({ type: 'TextBlock', text: 'holdfast: orders FAILED', color: 'Attention' });
    expect(facts(factSet)).toMatchObject({
      Job: 'orders (CosmosBackup)',
      Targets: 'cosno-orders/shop/orders, cosno-orders/shop/lines',
      Outcome: 'partly-failed',
      Duration: '1 min 23 s',
      Bytes: '5.0 MiB',
      Run: '20260301T020000-abcd1234',
      Host: 'backup-01',
    });
    expect(error).toMatchObject({ type: 'TextBlock', color: 'Attention' });
    expect(error!.text).toMatch(
      /orders\/cosno-orders\/shop\/lines: Unauthorized: the key \*{8} was refused; encryption key '\*{8}' rejected/,
    );
    expect(success!.attachments[0]!.content.body[0]).toMatchObject({
      text: 'holdfast: customers succeeded',
      color: 'Good',
    });
  });

  it('Slack: incoming-webhook blocks with a fallback text', () => {
    const [req] = http.requestsTo('/slack/T000/B000/XXXXsecretXXXX');
    const body = req!.json as SlackPayload;
    expect(req!.headers['content-type']).toMatch(/^application\/json/);
    expect(body.text).toBe('holdfast: orders FAILED');
    expect(body.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'holdfast: orders FAILED' },
    });
    expect(body.blocks[1]!.fields!.map((f) => f.text)).toEqual(
      expect.arrayContaining([
        '*Job*\norders (CosmosBackup)',
        '*Duration*\n1 min 23 s',
        '*Bytes*\n5.0 MiB',
        '*Outcome*\npartly-failed',
      ]),
    );
    expect(body.blocks[2]!.text!.text).toMatch(/^```orders\/cosno-orders\/shop\/lines: Unauthorized/);
    expect(body.blocks.at(-1)!.elements![0]!.text).toMatch(/run 20260301T020000-abcd1234/);
  });

  it('webhook: the plain JSON a Logic App HTTP trigger takes, with the secret header sent but never in the body', () => {
    const [failure, success] = http.requestsTo('/logic-app/trigger');
    expect(failure!.headers['x-api-key']).toBe(SECRETS.headerToken);
    expect(failure!.json).toMatchObject({
      source: 'holdfast',
      event: 'failure',
      job: 'orders',
      kind: 'CosmosBackup',
      outcome: 'partly-failed',
      durationMs: 83_000,
      bytes: 5_242_880,
      runId: '20260301T020000-abcd1234',
      targets: ['cosno-orders/shop/orders', 'cosno-orders/shop/lines'],
      host: 'backup-01',
    });
    expect((failure!.json as WebhookPayload).steps).toHaveLength(2);
    expect((failure!.json as WebhookPayload).error).toContain('********');
    expect(success!.json).toMatchObject({
      event: 'success',
      job: 'customers',
      outcome: 'succeeded',
      error: null,
      bytes: 2048,
    });
  });

  it('SMTP: one mail to every recipient, logged in with the password, with the run in the text', () => {
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!;
    expect(mail).toMatchObject({
      from: 'holdfast@example.com',
      to: ['dba@example.com', 'oncall@example.com'],
      user: 'holdfast',
      subject: 'holdfast: orders FAILED',
    });
    expect(mail.text).toMatch(/Job: +orders \(CosmosBackup\)/);
    expect(mail.text).toMatch(/Targets: +cosno-orders\/shop\/orders, cosno-orders\/shop\/lines/);
    expect(mail.text).toMatch(/Outcome: +partly-failed/);
    expect(mail.text).toMatch(/Duration: +1 min 23 s/);
    expect(mail.text).toMatch(/Bytes: +5\.0 MiB/);
    expect(mail.text).toMatch(/Run: +20260301T020000-abcd1234/);
    expect(mail.text).toMatch(/encryption key '\*{8}' rejected/);
  });

  it('no secret appears in any payload, mail or log line', () => {
    const everything = [
      ...http.requests.map((r) => `${r.body}`),
      ...smtp.mails.map((m) => m.raw),
      ...logs,
    ].join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const value of [...Object.values(SECRETS), 'XXXXsecretXXXX', 'webhooksecret123'])
      expect(everything).not.toContain(value);
    // The password did reach the server (in AUTH), and the header token in its header, where they belong.
    expect(smtp.refusedLogins).toEqual([]);
  });
});
