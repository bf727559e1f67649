import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { runCli } from '../helpers/cli.ts';
import { startHttpReceiver, type HttpReceiver } from '../harness/http-server.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../harness/smtp-server.ts';
import { retentionTestPlugin } from '../retention/retention-test-plugin.ts';
import { facts, SECRETS, type TeamsPayload } from './fixtures.ts';

/**
 * `holdfast run` with the test plugin: after the run, each job's notify rules are honoured on a real HTTP
 * receiver (Teams Workflows, webhook) and a real SMTP server; a failing channel never changes the exit code.
 */
describe('notifications after holdfast run', () => {
  let http: HttpReceiver;
  let smtp: SmtpReceiver;
  let dir: string;
  const plugin = retentionTestPlugin();
  const clock = new ManualClock('2026-03-01T02:00:00Z');

  beforeAll(async () => {
    http = await startHttpReceiver();
    smtp = await startSmtpReceiver({ user: 'holdfast', password: SECRETS.smtpPassword });
    http.setDefault('/teams', { status: 202 });
    http.setDefault('/broken', { status: 500, body: 'internal error' });
    dir = mkdtempSync(path.join(tmpdir(), 'hf-notify-cli-'));
    cpSync(path.resolve(import.meta.dirname, '../fixtures/good/data'), path.join(dir, 'data'), {
      recursive: true,
    });
    writeFileSync(
      path.join(dir, 'jobs.yaml'),
      [
        'apiVersion: holdfast/v1\nkind: Storage\nmetadata: { name: backups }\nspec: { type: local, path: ./out }\n',
        'apiVersion: holdfast/v1\nkind: Channel\nmetadata: { name: dba-team }\nspec: { type: teams-workflow, url: { secretRef: env:HF_TEAMS_URL } }\n',
        'apiVersion: holdfast/v1\nkind: Channel\nmetadata: { name: logic-app }\nspec: { type: webhook, url: { secretRef: env:HF_BROKEN_URL }, retries: 1 }\n',
        `apiVersion: holdfast/v1\nkind: Channel\nmetadata: { name: mail }\nspec: { type: smtp, host: 127.0.0.1, port: ${smtp.port}, auth: { user: holdfast, password: { secretRef: env:HF_SMTP_PASSWORD } }, from: holdfast@example.com, to: [dba@example.com] }\n`,
        `apiVersion: holdfast/v1
kind: RetainedCopy
metadata: { name: good-copies }
spec:
  source: ./data
  storage: backups
  prefix: good
  key: { secretRef: env:HF_ENCRYPTION_KEY }
  retention: { keepLast: 1 }
  notify: [{ channel: dba-team, on: [failure, success] }, { channel: logic-app, on: [success] }]
`,
        `apiVersion: holdfast/v1
kind: RetainedCopy
metadata: { name: bad-copies }
spec:
  source: ./data
  storage: backups
  prefix: bad
  failPattern: "^b"
  echoSecret: true
  key: { secretRef: env:HF_ENCRYPTION_KEY }
  notify: [{ channel: dba-team, on: [failure] }, { channel: mail, on: [failure] }]
`,
      ].join('---\n'),
    );
  });
  afterAll(async () => {
    await http?.stop();
    await smtp?.stop();
  });

  const env = () => ({
    HF_TEAMS_URL: http.url(`/teams?${SECRETS.urlToken}`),
    HF_BROKEN_URL: http.url('/broken?sig=brokensecret42'),
    HF_SMTP_PASSWORD: SECRETS.smtpPassword,
    HF_ENCRYPTION_KEY: SECRETS.encryptionKey,
  });
  const run = (...args: string[]) =>
    runCli(['run', 'jobs.yaml', '--catalog', path.join(dir, 'catalog.db'), '--log-level', 'info', ...args], {
      cwd: dir,
      env: env(),
      deps: { plugins: [plugin], clock },
    });

  it('sends success and failure events to the channels each job names, and the failing channel changes nothing', async () => {
    const good = await run('--job', 'good-copies');
    expect(good.code, good.stdout + good.stderr).toBe(0); // the webhook keeps answering 500: still exit 0
    expect(good.stdout).toMatch(
      /Notifications:\n {2}sent success of good-copies to dba-team \(teams-workflow\)\n {2}FAILED success of good-copies to logic-app \(webhook\) after 2 attempt\(s\): HTTP 500: internal error/,
    );
    const card = (http.requestsTo('/teams')[0]!.json as TeamsPayload).attachments[0]!.content;
    expect(card.body[0]!.text).toBe('holdfast: good-copies succeeded');
    expect(http.requestsTo('/broken')).toHaveLength(2);

    const json = await run('--job', 'good-copies', '--json');
    expect(json.code).toBe(0);
    const out = JSON.parse(json.stdout);
    expect(out.result.status).toBe('succeeded');
    expect(out.notifications).toEqual([
      expect.objectContaining({ channel: 'dba-team', event: 'success', status: 'sent', attempts: 1 }),
      expect.objectContaining({
        channel: 'logic-app',
        event: 'success',
        status: 'failed',
        attempts: 2,
        error: 'HTTP 500: internal error',
      }),
    ]);
    expect(out.retention[0]).toMatchObject({ job: 'good-copies', report: { status: 'succeeded' } });
  });

  it('a failed job tells Teams and e-mail what failed, with its secret masked everywhere', async () => {
    const before = http.requestsTo('/teams').length;
    const bad = await run('--job', 'bad-copies');
    expect(bad.code).toBe(3);
    expect(bad.stdout).toMatch(/sent failure of bad-copies to dba-team/);
    expect(bad.stdout).toMatch(/sent failure of bad-copies to mail \(smtp\)/);
    const card = (http.requestsTo('/teams')[before]!.json as TeamsPayload).attachments[0]!.content;
    expect(card.body[0]!.text).toBe('holdfast: bad-copies FAILED');
    expect(card.body[2]!.text).toMatch(
      /bad-copies\/files\/b\.txt: .*cannot copy b\.txt \(server said: bad key '\*{8}'\)/,
    );
    expect(facts(card.body[1])).toMatchObject({
      Job: 'bad-copies (RetainedCopy)',
      Targets: 'files/a.txt, files/b.txt',
      Outcome: 'partly-failed',
    });
    expect(smtp.mails.at(-1)!.subject).toBe('holdfast: bad-copies FAILED');
    expect(smtp.mails.at(-1)!.text).toMatch(/server said: bad key '\*{8}'/);

    // The secrets went where they belong (the URL to fetch, the password to AUTH) and nowhere else: not in a
    // payload, a mail, the run's notification lines or the notification service's JSON logs. (The step's own
    // failure line and the executor's log repeat the plugin's error as it was thrown; that is the engine's part.)
    const notifyLogs = bad.stderr.split('\n').filter((l) => l.includes('"channel":'));
    expect(notifyLogs.length).toBeGreaterThanOrEqual(2);
    const notifyOutput = bad.stdout.slice(bad.stdout.indexOf('Notifications:'));
    const seen = [
      ...http.requests.map((r) => r.body),
      ...smtp.mails.map((m) => m.raw),
      notifyOutput,
      ...notifyLogs,
    ].join('\n');
    for (const secret of [SECRETS.encryptionKey, SECRETS.smtpPassword, SECRETS.urlToken, 'brokensecret42'])
      expect(seen).not.toContain(secret);
    for (const secret of [SECRETS.smtpPassword, SECRETS.urlToken, 'brokensecret42'])
      expect(bad.stdout + bad.stderr).not.toContain(secret);
    expect(bad.stderr).toMatch(/"msg":"notification failure sent to channel mail"/);
  });
});
