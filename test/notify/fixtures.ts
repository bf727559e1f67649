import type { Manifest } from '../../src/core/job.ts';
import type { Plan } from '../../src/core/plan.ts';
import type { RunResult, StepResult } from '../../src/core/result.ts';

/** Secret values the tests plant, to prove none of them ever reaches a payload or a log. */
export const SECRETS = {
  accountKey: 'C2y6yDjf5R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==',
  encryptionKey: 'IMMAENCRYPTCHYU-8f2c',
  smtpPassword: 'smtp-pa55word-9931',
  headerToken: 'logic-app-sig-77aa21',
  urlToken: 'sig=Zx81teamsSECRET',
};

export function manifest(kind: string, name: string, spec: unknown, baseDir = '/tmp'): Manifest {
  return {
    apiVersion: 'holdfast/v1',
    kind,
    metadata: { name, labels: {} },
    spec,
    source: { file: `${baseDir}/jobs.yaml`, line: 1, column: 1 },
    baseDir,
  };
}

/** A job whose spec holds secret references like the Cosmos and LiteSpeed jobs do. */
export function jobManifest(name: string, notify: unknown[]): Manifest {
  return manifest('CosmosBackup', name, {
    account: {
      endpoint: 'https://cosno-orders.documents.azure.com',
      auth: { type: 'key', key: { secretRef: 'env:HF_ACCOUNT_KEY' } },
    },
    encryption: { key: { secretRef: 'env:HF_ENCRYPTION_KEY' } },
    notify,
  });
}

export const SECRET_ENV = {
  HF_ACCOUNT_KEY: SECRETS.accountKey,
  HF_ENCRYPTION_KEY: SECRETS.encryptionKey,
  HF_SMTP_PASSWORD: SECRETS.smtpPassword,
  HF_HEADER_TOKEN: SECRETS.headerToken,
};

function step(
  job: string,
  target: string,
  status: StepResult['status'],
  bytes: number,
  error?: string,
): StepResult {
  return {
    stepId: `${job}/${target}`,
    job,
    plugin: 'cosmos',
    target,
    action: 'export-container',
    status,
    startedAt: '2026-03-01T02:00:00.000Z',
    finishedAt: '2026-03-01T02:01:23.000Z',
    durationMs: 83_000,
    summary: status === 'succeeded' ? `exported ${bytes} bytes` : 'export failed',
    metrics: { bytes },
    artifactIds: [],
    error: error ? { code: 'SERVER_ERROR', message: error, retryable: false } : undefined,
  };
}

/** A run of two jobs: `orders` failed on one container (its error echoes both keys), `customers` succeeded. */
export function sampleRun(): { plan: Plan; result: RunResult } {
  const leak = `Unauthorized: the key ${SECRETS.accountKey} was refused; encryption key '${SECRETS.encryptionKey}' rejected`;
  const steps = [
    step('orders', 'cosno-orders/shop/orders', 'succeeded', 5_242_880),
    step('orders', 'cosno-orders/shop/lines', 'failed', 0, leak),
    step('customers', 'cosno-orders/crm/customers', 'succeeded', 2048),
  ];
  const plan: Plan = {
    formatVersion: 1,
    createdAt: '2026-03-01T02:00:00.000Z',
    command: 'run',
    jobs: [
      {
        name: 'orders',
        kind: 'CosmosBackup',
        plugin: 'cosmos',
        file: 'jobs.yaml',
        targets: ['cosno-orders/shop/orders', 'cosno-orders/shop/lines'],
      },
      {
        name: 'customers',
        kind: 'CosmosBackup',
        plugin: 'cosmos',
        file: 'jobs.yaml',
        targets: ['cosno-orders/crm/customers'],
      },
    ],
    steps: [],
    notes: [],
    retention: [],
    problems: [],
  };
  const result: RunResult = {
    runId: '20260301T020000-abcd1234',
    status: 'partly-failed',
    startedAt: '2026-03-01T02:00:00.000Z',
    finishedAt: '2026-03-01T02:01:30.000Z',
    steps,
  };
  return { plan, result };
}

/** The parts of the payloads the tests read. */
export interface CardElement {
  type: string;
  text?: string;
  color?: string;
  facts?: { title: string; value: string }[];
}
export interface TeamsPayload {
  type: string;
  attachments: { contentType: string; content: { type: string; version: string; body: CardElement[] } }[];
}
export interface SlackPayload {
  text: string;
  blocks: {
    type: string;
    text?: { type: string; text: string };
    fields?: { type: string; text: string }[];
    elements?: { text: string }[];
  }[];
}
export interface WebhookPayload {
  title: string;
  error: string | null;
  steps: unknown[];
  digest: { lines: { job: string }[] } | null;
}

export const facts = (e: CardElement | undefined): Record<string, string> =>
  Object.fromEntries((e?.facts ?? []).map((f) => [f.title, f.value]));
