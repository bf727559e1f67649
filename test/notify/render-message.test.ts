import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { blankNotification, type NotificationData } from '../../src/notify/notification.ts';
import { createNotifyHandlebars, MessageRenderer } from '../../src/notify/render-message.ts';
import { notificationsForRun } from '../../src/notify/run-notifications.ts';
import { expectGolden } from '../helpers/golden.ts';
import { jobManifest, sampleRun, SECRETS } from './fixtures.ts';
import { Secret } from '../../src/core/secret.ts';
import { redactText } from '../../src/notify/notifier.ts';

const GOLDEN = path.join(import.meta.dirname, 'golden');
const AT = new Date('2026-03-01T02:02:00Z');

/** One notification of each event, as the builders make them (the run one from the sample run). */
function samples(): {
  failure: NotificationData;
  success: NotificationData;
  missed: NotificationData;
  summary: NotificationData;
} {
  const { plan, result } = sampleRun();
  const jobs = [
    jobManifest('orders', [{ channel: 'c', on: ['failure'] }]),
    jobManifest('customers', [{ channel: 'c', on: ['success'] }]),
  ];
  // As the notifier hands it to the renderer: with the planted secrets already redacted.
  const secrets = [new Secret(SECRETS.accountKey, 'env:A'), new Secret(SECRETS.encryptionKey, 'env:E')];
  const [failure, success] = notificationsForRun({ plan, result, jobs, now: AT, host: 'backup-01' }).map(
    (o) => JSON.parse(redactText(JSON.stringify(o.data), secrets)) as NotificationData,
  );
  const missed: NotificationData = {
    ...blankNotification('missed', AT, 'backup-01'),
    title: 'holdfast: dw-partial MISSED its log backup due 2026-03-01T01:45:00.000Z',
    job: 'dw-partial',
    kind: 'LiteSpeedBackup',
    outcome: 'missed',
    error: '3 scheduled log backup(s) did not happen; the last run started 2026-03-01T01:00:00.000Z',
    missed: {
      fireAt: '2026-03-01T01:45:00.000Z',
      count: 3,
      lastRunAt: '2026-03-01T01:00:00.000Z',
      type: 'log',
    },
  };
  const summary: NotificationData = {
    ...blankNotification('summary', AT, 'backup-01'),
    title: 'holdfast daily summary: 2 job(s), 1 need attention',
    outcome: 'failed',
    bytes: 7340032,
    bytesText: '7.0 MiB',
    digest: {
      from: '2026-02-28T02:02:00.000Z',
      to: '2026-03-01T02:02:00.000Z',
      lines: [
        {
          job: 'orders',
          outcome: 'partly-failed',
          runs: 2,
          failed: 1,
          bytes: 5242880,
          bytesText: '5.0 MiB',
          lastSuccessAt: '2026-02-28T02:00:00.000Z',
          detail: '1 of 2 run(s) failed',
        },
        {
          job: 'customers <crm>',
          outcome: 'succeeded',
          runs: 1,
          failed: 0,
          bytes: 2097152,
          bytesText: '2.0 MiB',
          lastSuccessAt: '2026-03-01T02:00:00.000Z',
          detail: null,
        },
      ],
    },
  };
  return { failure: failure!, success: success!, missed, summary };
}

describe('notification bodies (golden)', () => {
  const renderer = new MessageRenderer();
  for (const type of ['teams-workflow', 'slack', 'webhook', 'smtp'] as const) {
    for (const [event, data] of Object.entries(samples())) {
      it(`${type} ${event}`, () => {
        const m = renderer.render(type, data);
        const text =
          type === 'smtp'
            ? `Subject: ${m.subject}\n\n${m.body}`
            : `${JSON.stringify(JSON.parse(m.body), null, 2)}\n`;
        for (const v of Object.values(SECRETS)) expect(text).not.toContain(v);
        expectGolden(path.join(GOLDEN, `${type}-${event}.${type === 'smtp' ? 'txt' : 'json'}`), text);
      });
    }
  }
});

describe('the notification Handlebars instance', () => {
  it('is isolated: its helpers are not registered globally, and HTML is not escaped', async () => {
    const Handlebars = (await import('handlebars')).default;
    const hb = createNotifyHandlebars();
    expect(hb.helpers.json).toBeDefined();
    expect(Handlebars.helpers.json).toBeUndefined();
    expect(hb.compile('{{x}}', { noEscape: true, strict: true })({ x: '<a & b>' })).toBe('<a & b>');
  });

  it('fails on a misspelt field, in a plain lookup and in a helper argument', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hf-tpl-'));
    writeFileSync(path.join(dir, 'plain.hbs'), 'Subject: {{titel}}\n\nbody');
    writeFileSync(path.join(dir, 'helper.hbs'), 'Subject: {{concat title outcom}}\n\nbody');
    const renderer = new MessageRenderer();
    const data = samples().failure;
    expect(() => renderer.render('smtp', data, path.join(dir, 'plain.hbs'))).toThrow(/"titel" not defined/);
    expect(() => renderer.render('smtp', data, path.join(dir, 'helper.hbs'))).toThrow(
      /helper "concat" .* field that does not exist/,
    );
  });

  it('refuses JSON channel templates that do not render JSON, and mail templates without a subject', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hf-tpl-'));
    writeFileSync(path.join(dir, 'broken.hbs'), '{ "text": {{title}} }');
    writeFileSync(path.join(dir, 'nosubject.hbs'), '{{title}}');
    const renderer = new MessageRenderer();
    expect(() => renderer.render('slack', samples().failure, path.join(dir, 'broken.hbs'))).toThrow(
      /did not render valid JSON/,
    );
    expect(() => renderer.render('smtp', samples().failure, path.join(dir, 'nosubject.hbs'))).toThrow(
      /must start with a "Subject:" line/,
    );
  });

  it('keeps JSON valid whatever the values hold (quotes, newlines, braces)', () => {
    const data = {
      ...samples().failure,
      error: 'a "quoted" }{ value\nwith\tcontrol \u0001 chars',
      job: 'j"},{"x',
    };
    for (const type of ['teams-workflow', 'slack', 'webhook'] as const) {
      const m = new MessageRenderer().render(type, data);
      expect(() => JSON.parse(m.body)).not.toThrow();
      expect(m.body).toContain(JSON.stringify('j"},{"x').slice(1, -1));
    }
  });
});
