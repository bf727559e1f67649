import { z } from 'zod';
import { secretRefSchema } from '../../src/core/secret-ref-schema.ts';
import { notifyRuleSchema } from '../../src/notify/schema.ts';
import { retentionPolicySchema } from '../../src/retention/schema.ts';
import { cronScheduleSchema, rpoSchema } from '../../src/schedule/schedule-schema.ts';
import { checkEndpoint } from './account-name.ts';
import { checkFileNamePattern, DEFAULT_FILE_NAME } from './file-name.ts';

export const cosmosAuthSchema = z
  .discriminatedUnion('type', [
    z
      .strictObject({
        type: z
          .literal('entra')
          .describe('DefaultAzureCredential: managed identity, workload identity, environment, Azure CLI.'),
      })
      .describe(
        'Microsoft Entra ID (the default). Needs the Cosmos DB Built-in Data Reader role on the account for exports.',
      ),
    z
      .strictObject({
        type: z.literal('key'),
        key: secretRefSchema.describe(
          'An account key (a read-only key is enough for exports), as a secret reference.',
        ),
      })
      .describe(
        'Account key. Lets holdfast also read throughput (offers), which Entra data-plane roles cannot.',
      ),
    z
      .strictObject({
        type: z.literal('emulator').describe("The Cosmos DB emulator's well-known public key."),
      })
      .describe('Local emulator (loopback endpoints only): no secret involved.'),
  ])
  .describe('How holdfast authenticates to the Cosmos DB account.');

export const cosmosAccountSchema = z
  .strictObject({
    endpoint: z
      .string()
      .superRefine((value, ctx) => {
        const problem = checkEndpoint(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value });
      })
      .describe(
        'Account endpoint: https://<account>.documents.azure.com (http:// only for a loopback emulator).',
      ),
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be 1-63 letters, digits, dots, dashes or underscores')
      .optional()
      .describe(
        'Short account name used in target ids and for {Account}; default: the first label of the endpoint host.',
      ),
    auth: cosmosAuthSchema.default({ type: 'entra' }),
  })
  .superRefine((account, ctx) => {
    const loopback = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\/?$/i.test(account.endpoint);
    if (account.auth.type === 'emulator' && !loopback) {
      ctx.addIssue({
        code: 'custom',
        path: ['auth', 'type'],
        message: 'emulator authentication is only for a loopback endpoint (http://127.0.0.1:<port>)',
        input: account.auth.type,
      });
    }
    if (account.auth.type === 'entra' && account.endpoint.startsWith('http:')) {
      ctx.addIssue({
        code: 'custom',
        path: ['auth', 'type'],
        message:
          'Entra authentication needs an https endpoint; use emulator or key auth with a local emulator',
        input: account.auth.type,
      });
    }
  })
  .describe('The Cosmos DB account to export.');

const globList = (what: string) =>
  z
    .array(
      z
        .string()
        .min(1)
        .regex(/^[^/]+\/[^/]+$/, 'must be a database/container glob, e.g. shop/* or */orders'),
    )
    .describe(what);

export const cosmosBackupSpecSchema = z
  .strictObject({
    schedule: cronScheduleSchema
      .optional()
      .describe('When the job runs (read by `holdfast serve`); leave out for jobs run by hand.'),
    account: cosmosAccountSchema,
    include: globList(
      'Containers to export, as database/container globs (picomatch); new containers that match are picked up by themselves.',
    )
      .min(1)
      .default(['*/*']),
    exclude: globList('Containers to leave out, as database/container globs; applied after include.').default(
      [],
    ),
    storage: z.string().min(1).describe('Name of the Storage manifest the exports are written to.'),
    fileName: z
      .string()
      .superRefine((value, ctx) => {
        const problem = checkFileNamePattern(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value });
      })
      .default(DEFAULT_FILE_NAME)
      .describe(
        'Storage key of each export without extension. Tokens: {Account} {Database} {Container} {Year} {Month} {Day} {Hour} {Minute} {Second} ' +
          '(time in schedule.timezone, else UTC). The extension (.jsonl.gz, .jsonl.zst, .jsonl) and .manifest.json are added.',
      ),
    compression: z
      .enum(['gzip', 'zstd', 'none'])
      .default('gzip')
      .describe('Compression of the JSON Lines file: gzip (default), zstd, or none.'),
    compressionLevel: z
      .number()
      .int()
      .min(1)
      .max(19)
      .optional()
      .describe(
        'Compression level (gzip 1-9, default 1; zstd 1-19, default 3). Lower is faster, higher is smaller.',
      ),
    maxRequestUnitsPerSecond: z
      .number()
      .positive()
      .optional()
      .describe('Request-unit budget of the export in RU/s, shared by all ranges of a container.'),
    throughputShare: z
      .number()
      .gt(0)
      .max(1)
      .optional()
      .describe(
        "Budget as a share of the container's provisioned throughput (0.3 = 30%). Needs readable offers (key auth); with both options the lower wins.",
      ),
    reader: z
      .enum(['auto', 'change-feed', 'query'])
      .default('auto')
      .describe(
        'How documents are read. auto: the change feed per feed range, in parallel; on a gateway without query plans (a local emulator) one sequential query. ' +
          'Every export is checked against a count query either way.',
      ),
    pageSize: z.number().int().min(1).max(10_000).default(1000).describe('Documents asked for per request.'),
    maxParallelRanges: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(4)
      .describe('Feed ranges of one container read at once.'),
    maxConcurrentContainers: z
      .number()
      .int()
      .min(1)
      .max(16)
      .default(2)
      .describe('Containers of one account exported at once (a concurrency group per account).'),
    checkpoint: z
      .strictObject({
        seconds: z
          .number()
          .positive()
          .default(300)
          .describe('Commit a part and save the continuation state at least this often.'),
        documents: z.number().int().min(1).optional().describe('Also after this many documents.'),
      })
      .default({ seconds: 300 })
      .describe(
        'How often an export saves what it has read, so an interrupted export resumes instead of starting over.',
      ),
    retention: retentionPolicySchema
      .optional()
      .describe('Which exports to keep (chain-aware retention runs after a successful export).'),
    notify: z
      .array(notifyRuleSchema)
      .default([])
      .describe('Channels to tell about failures, successes, missed runs.'),
    rpo: rpoSchema.optional(),
  })
  .superRefine((spec, ctx) => {
    if (spec.compressionLevel !== undefined && spec.compression === 'gzip' && spec.compressionLevel > 9) {
      ctx.addIssue({
        code: 'custom',
        path: ['compressionLevel'],
        message: 'gzip levels are 1 to 9',
        input: spec.compressionLevel,
      });
    }
    if (spec.compressionLevel !== undefined && spec.compression === 'none') {
      ctx.addIssue({
        code: 'custom',
        path: ['compressionLevel'],
        message: 'compressionLevel has no meaning with compression: none',
        input: spec.compressionLevel,
      });
    }
  })
  .describe('Exports the containers of one Cosmos DB (NoSQL) account to JSON Lines in a Storage target.');

export type CosmosBackupSpec = z.output<typeof cosmosBackupSpecSchema>;
export type CosmosBackupSpecInput = z.input<typeof cosmosBackupSpecSchema>;
export type CosmosAuth = z.output<typeof cosmosAuthSchema>;
export type CosmosAccount = z.output<typeof cosmosAccountSchema>;
export type Compression = CosmosBackupSpec['compression'];
