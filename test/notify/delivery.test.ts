import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSecretResolver } from '../../src/config/secret-resolver.ts';
import { createLogger } from '../../src/core/logger.ts';
import type { Manifest } from '../../src/core/job.ts';
import { blankNotification, type Outgoing } from '../../src/notify/notification.ts';
import { Notifier } from '../../src/notify/notifier.ts';
import { startHttpReceiver, type HttpReceiver } from '../harness/http-server.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../harness/smtp-server.ts';
import { manifest, SECRETS, type WebhookPayload } from './fixtures.ts';

const AT = new Date('2026-03-01T02:00:00Z');

function failureOf(job: string, channel: string): Outgoing {
  return {
    channel,
    data: {
      ...blankNotification('failure', AT, 'h'),
      title: `holdfast: ${job} FAILED`,
      job,
      kind: 'K',
      outcome: 'failed',
      error: 'it broke',
      runId: 'r1',
    },
  };
}

describe('delivery: retries, timeouts, permanent failures, rate limits', () => {
  let http: HttpReceiver;
  let smtp: SmtpReceiver;
  let logs: string[] = [];
  const notifiers: Notifier[] = [];

  beforeAll(async () => {
    http = await startHttpReceiver();
    smtp = await startSmtpReceiver({ user: 'holdfast', password: SECRETS.smtpPassword });
  });
  afterEach(async () => {
    for (const n of notifiers.splice(0)) await n.close();
  });
  afterAll(async () => {
    await http?.stop();
    await smtp?.stop();
  });

  function notifierFor(channels: Manifest[], env: Record<string, string> = {}): Notifier {
    logs = [];
    const logger = createLogger({ level: 'debug', destination: { write: (s: string) => logs.push(s) } });
    const n = new Notifier({
      manifests: channels,
      resolveSecret: createSecretResolver({ env: { HF_PW: SECRETS.smtpPassword, ...env } }),
      logger,
      baseDelayMs: 20,
      maxDelayMs: 2000,
    });
    notifiers.push(n);
    return n;
  }
  const hook = (name: string, pathName: string, extra: Record<string, unknown> = {}) =>
    manifest('Channel', name, {
      type: 'webhook',
      url: { secretRef: `env:URL_${name.replace(/-/g, '_')}` },
      rateLimitPerMinute: 20,
      retries: 3,
      timeoutSeconds: 5,
      ...extra,
    });
  const envFor = (name: string, pathName: string) => ({
    [`URL_${name.replace(/-/g, '_')}`]: http.url(pathName),
  });

  it('retries after 500s and gets through', async () => {
    http.answer('/retry-500', { status: 500, body: 'boom' }, { status: 503, body: 'busy' });
    const n = notifierFor([hook('r500', '/retry-500')], envFor('r500', '/retry-500'));
    const [report] = await n.send([failureOf('orders', 'r500')]);
    expect(report).toMatchObject({ status: 'sent', attempts: 3 });
    expect(http.requestsTo('/retry-500')).toHaveLength(3);
    expect(new Set(http.requestsTo('/retry-500').map((r) => r.body)).size).toBe(1); // the same message each time
  });

  it('retries after a timeout (a server that never answers)', async () => {
    http.answer('/slow', { hang: true });
    const n = notifierFor([hook('slow', '/slow', { timeoutSeconds: 1 })], envFor('slow', '/slow'));
    const started = performance.now();
    const [report] = await n.send([failureOf('orders', 'slow')]);
    expect(report).toMatchObject({ status: 'sent', attempts: 2 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('waits as long as Retry-After asks on a 429', async () => {
    http.answer('/throttled', { status: 429, headers: { 'retry-after': '1' } });
    const n = notifierFor([hook('throttled', '/throttled')], envFor('throttled', '/throttled'));
    const started = performance.now();
    const [report] = await n.send([failureOf('orders', 'throttled')]);
    expect(report).toMatchObject({ status: 'sent', attempts: 2 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('does not retry a permanent refusal, and reports what the server said', async () => {
    http.answer('/bad', { status: 400, body: 'invalid_payload' });
    const n = notifierFor([hook('bad', '/bad')], envFor('bad', '/bad'));
    const [report] = await n.send([failureOf('orders', 'bad')]);
    expect(report).toMatchObject({ status: 'failed', attempts: 1, error: 'HTTP 400: invalid_payload' });
  });

  it('a channel that keeps failing is reported and logged, without its URL', async () => {
    http.setDefault('/down', { status: 502, body: 'bad gateway' });
    const secretPath = `/down`;
    const n = notifierFor([hook('down', secretPath, { retries: 2 })], {
      URL_down: http.url(`${secretPath}?token=${SECRETS.urlToken}`),
    });
    const [report] = await n.send([failureOf('orders', 'down')]);
    expect(report).toMatchObject({
      status: 'failed',
      attempts: 3,
      error: 'HTTP 502: bad gateway',
      channel: 'down',
      event: 'failure',
      job: 'orders',
    });
    const warn = logs.map((l) => JSON.parse(l)).find((l) => l.level === 40);
    expect(warn).toMatchObject({
      channel: 'down',
      event: 'failure',
      job: 'orders',
      attempts: 3,
      error: 'HTTP 502: bad gateway',
    });
    expect(logs.join('\n')).not.toContain(SECRETS.urlToken);
    expect(logs.join('\n')).not.toContain(String(http.port));
  });

  it('a refused connection is retried and reported as a network error', async () => {
    const closed = await startHttpReceiver();
    const url = closed.url('/gone');
    await closed.stop();
    const n = notifierFor([hook('gone', '/gone', { retries: 1 })], { URL_gone: url });
    const [report] = await n.send([failureOf('orders', 'gone')]);
    expect(report).toMatchObject({ status: 'failed', attempts: 2, error: 'network error (ECONNREFUSED)' });
  });

  it('keeps a channel under its rate limit by merging the excess into one digest', async () => {
    const n = notifierFor(
      [hook('limited', '/limited', { rateLimitPerMinute: 3 })],
      envFor('limited', '/limited'),
    );
    const reports = await n.send(['a', 'b', 'c', 'd', 'e', 'f'].map((j) => failureOf(j, 'limited')));
    expect(reports.map((r) => [r.status, r.job, r.notifications])).toEqual([
      ['sent', 'a', 1],
      ['sent', 'b', 1],
      ['sent', null, 4],
    ]);
    const digest = http.requestsTo('/limited')[2]!.json as WebhookPayload;
    expect(digest.title).toMatch(/4 notifications merged \(channel limit 3\/min\), 4 need attention/);
    expect(digest.digest!.lines.map((l) => l.job)).toEqual(['c', 'd', 'e', 'f']);
  });

  it('SMTP: a 451 is retried, a 550 is not, and refused credentials are not', async () => {
    const mail = (name: string, password: string) =>
      manifest('Channel', name, {
        type: 'smtp',
        host: '127.0.0.1',
        port: smtp.port,
        secure: false,
        auth: { user: 'holdfast', password: { secretRef: `env:${password}` } },
        from: 'h@example.com',
        to: ['dba@example.com'],
        rateLimitPerMinute: 20,
        retries: 3,
        timeoutSeconds: 5,
      });
    const n = notifierFor([mail('mail', 'HF_PW'), mail('wrong', 'HF_WRONG')], {
      HF_WRONG: 'not-the-password',
    });
    smtp.refuseNext(1, 451);
    const [retried] = await n.send([failureOf('orders', 'mail')]);
    expect(retried).toMatchObject({ status: 'sent', attempts: 2 });
    smtp.refuseNext(1, 550, 'Mailbox unavailable');
    const [refused] = await n.send([failureOf('orders', 'mail')]);
    expect(refused).toMatchObject({ status: 'failed', attempts: 1 });
    expect(refused!.error).toMatch(/^SMTP 550/);
    const [denied] = await n.send([failureOf('orders', 'wrong')]);
    expect(denied).toMatchObject({ status: 'failed', attempts: 1 });
    expect(denied!.error).toMatch(/535|authentication/i);
    expect(logs.join('\n')).not.toContain('not-the-password');
    expect(logs.join('\n')).not.toContain(SECRETS.smtpPassword);
  });

  it('uses a channel template override, compiled strict: a misspelt field fails that message only', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hf-tpl-'));
    writeFileSync(
      path.join(dir, 'mine.hbs'),
      '{ "text": {{json (concat "[" outcome "] " job ": " error)}}, "run": {{json runId}} }',
    );
    writeFileSync(path.join(dir, 'typo.hbs'), '{ "text": {{json jbo}} }');
    const custom = { ...hook('custom', '/custom', { template: 'mine.hbs' }), baseDir: dir };
    const typo = { ...hook('typo', '/typo', { template: 'typo.hbs' }), baseDir: dir };
    const n = notifierFor([custom, typo], { ...envFor('custom', '/custom'), ...envFor('typo', '/typo') });
    const reports = await n.send([failureOf('orders', 'custom'), failureOf('orders', 'typo')]);
    expect(http.requestsTo('/custom')[0]!.json).toEqual({ text: '[failed] orders: it broke', run: 'r1' });
    expect(reports.find((r) => r.channel === 'typo')).toMatchObject({ status: 'failed', attempts: 0 });
    expect(reports.find((r) => r.channel === 'typo')!.error).toMatch(
      /helper "json" at line 1, column 10 was given a field that does not exist/,
    );
    expect(http.requestsTo('/typo')).toHaveLength(0);
  });

  it('a channel whose secret cannot be resolved fails its messages, not the caller', async () => {
    const n = notifierFor([hook('nosecret', '/x')], {});
    const [report] = await n.send([failureOf('orders', 'nosecret')]);
    expect(report).toMatchObject({ status: 'failed', attempts: 0 });
    expect(report!.error).toMatch(/channel cannot be set up/);
  });
});
