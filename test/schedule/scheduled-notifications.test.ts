import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/catalog/contract.ts';
import { startHttpReceiver, type HttpReceiver } from '../harness/http-server.ts';
import { jobManifest, startHarness, type Harness } from './harness.ts';

let h: Harness | undefined;
let hook: HttpReceiver;
beforeEach(async () => {
  hook = await startHttpReceiver();
});
afterEach(async () => {
  await h?.close();
  h = undefined;
  await hook.stop();
});

const channel = () =>
  `---\napiVersion: holdfast/v1\nkind: Channel\nmetadata: { name: ops }\nspec: { type: webhook, url: { secretRef: "file:./hook-url" } }\n`;

function pastRun(catalog: Catalog, job: string, at: string): void {
  const id = catalog.startRun({ command: 'serve', jobs: [job], startedAt: new Date(at) });
  catalog.finishRun(id, 'succeeded', new Date(at));
}

describe('notifications the service sends itself', () => {
  it('sends `missed` to the channels whose rule asks for it, once per moment', async () => {
    h = await startHarness({
      start: '2025-05-03T10:00:30Z',
      jobs:
        channel() +
        jobManifest('nightly', {
          schedule: { cron: '0 2 * * *' },
          notify: [{ channel: 'ops', on: ['failure', 'missed'] }],
        }) +
        jobManifest('hourly', {
          schedule: { cron: '30 * * * *' },
          notify: [{ channel: 'ops', on: ['missed'] }],
        }) +
        jobManifest('quiet', {
          schedule: { cron: '0 2 * * *' },
          notify: [{ channel: 'ops', on: ['failure'] }],
        }),
      before: (c, dir) => {
        writeFileSync(path.join(dir, 'hook-url'), `${hook.url('/ops')}\n`);
        for (const job of ['nightly', 'hourly', 'quiet']) pastRun(c, job, '2025-05-01T02:00:00Z');
      },
    });
    expect(h.seen.missed.map((m) => m.job).sort()).toEqual(['hourly', 'nightly', 'quiet']);
    await h.service.notifications.settled();
    const bodies = hook.requestsTo('/ops').map((r) => JSON.stringify(r.json));
    expect(bodies.join('\n')).toContain('nightly MISSED its run due 2025-05-03T02:00:00.000Z');
    expect(bodies.join('\n')).toContain('hourly MISSED its run due 2025-05-03T09:30:00.000Z');
    expect(bodies.join('\n')).not.toContain('quiet');
    expect(
      h.logs.filter(
        (l) => l.event === 'notification' && l.kind === 'missed' && String(l.msg).includes('sent to ops'),
      ),
    ).not.toHaveLength(0);
  });

  it('sends the daily summary for jobs that ask for one', async () => {
    h = await startHarness({
      start: '2025-05-03T08:00:00Z',
      jobs:
        channel() +
        jobManifest('nightly', {
          schedule: { cron: '0 2 * * *' },
          notify: [{ channel: 'ops', on: ['summary'] }],
        }),
      before: (c, dir) => {
        writeFileSync(path.join(dir, 'hook-url'), `${hook.url('/ops')}\n`);
        pastRun(c, 'nightly', '2025-05-03T02:00:00Z');
      },
    });
    const reports = await h.service.notifications.sendSummary();
    expect(reports).toEqual([expect.objectContaining({ channel: 'ops', status: 'sent', event: 'summary' })]);
    expect(JSON.stringify(hook.requestsTo('/ops')[0]!.json)).toContain('holdfast daily summary: 1 job(s)');
  });

  it('logs a channel that fails and goes on', async () => {
    hook.setDefault('/ops', { status: 404, body: 'gone' });
    h = await startHarness({
      start: '2025-05-03T10:00:30Z',
      jobs:
        channel() +
        jobManifest('nightly', {
          schedule: { cron: '0 2 * * *' },
          notify: [{ channel: 'ops', on: ['missed'] }],
        }),
      before: (c, dir) => {
        writeFileSync(path.join(dir, 'hook-url'), `${hook.url('/ops')}\n`);
        pastRun(c, 'nightly', '2025-05-01T02:00:00Z');
      },
    });
    await h.service.notifications.settled();
    expect(h.logs.find((l) => l.event === 'notification' && l.level === 40)?.msg).toMatch(
      /missed notification NOT sent to ops for nightly/,
    );
    expect(h.service.ready().ready).toBe(true);
  });
});
