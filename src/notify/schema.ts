import { z } from 'zod';
import { secretRefSchema } from '../core/secret-ref-schema.ts';

/** Events a job can notify about. `missed`: a scheduled run did not happen. `summary`: the daily digest. */
export const notifyEventSchema = z.enum(['failure', 'success', 'missed', 'summary']);
export type NotifyEvent = z.infer<typeof notifyEventSchema>;

const common = {
  /** Handlebars template overriding the default body for this channel. */
  template: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Path of a Handlebars template overriding the default body (relative to the file of this Channel).',
    ),
  /** At most this many messages per minute; when more are due at once, the rest are merged into one digest. */
  rateLimitPerMinute: z
    .number()
    .int()
    .min(1)
    .max(600)
    .default(20)
    .describe(
      'At most this many messages a minute (default 20); when more are due at once, the rest are merged into one message.',
    ),
  retries: z
    .number()
    .int()
    .min(0)
    .max(10)
    .default(3)
    .describe(
      'Extra attempts after a failed delivery (5xx, 429, timeout, network), with exponential backoff (default 3).',
    ),
  timeoutSeconds: z
    .number()
    .min(1)
    .max(300)
    .default(10)
    .describe('How long one delivery attempt may take (default 10 s).'),
};

export const channelSpecSchema = z.discriminatedUnion('type', [
  z
    .strictObject({
      type: z.literal('teams-workflow'),
      url: secretRefSchema.describe(
        'The Teams Workflows webhook URL, as a secret reference (the URL is a credential).',
      ),
      ...common,
    })
    .describe('Microsoft Teams through a Workflows webhook (Adaptive Card).'),
  z
    .strictObject({
      type: z.literal('slack'),
      url: secretRefSchema.describe('The Slack incoming-webhook URL, as a secret reference.'),
      ...common,
    })
    .describe('Slack incoming webhook (blocks).'),
  z
    .strictObject({
      type: z.literal('webhook'),
      url: secretRefSchema.describe('Target URL (e.g. a Logic App HTTP trigger), as a secret reference.'),
      headers: z
        .record(z.string(), secretRefSchema)
        .optional()
        .describe('Extra headers, values as secret references.'),
      ...common,
    })
    .describe('Generic JSON webhook (what a Logic App HTTP trigger takes).'),
  z
    .strictObject({
      type: z.literal('smtp'),
      host: z.string().min(1),
      port: z.number().int().min(1).max(65535).default(587),
      secure: z
        .boolean()
        .default(false)
        .describe('TLS from the start (port 465); otherwise STARTTLS when offered.'),
      auth: z.strictObject({ user: z.string().min(1), password: secretRefSchema }).optional(),
      from: z.string().min(3),
      to: z.array(z.string().min(3)).min(1),
      ...common,
    })
    .describe('E-mail through an SMTP server.'),
]);
export type ChannelSpec = z.infer<typeof channelSpecSchema>;

/** `notify:` entries on a job: which channel, on which events. */
export const notifyRuleSchema = z.strictObject({
  channel: z.string().min(1).describe('Name of a Channel manifest.'),
  on: z.array(notifyEventSchema).min(1).default(['failure']).describe('Events that notify this channel.'),
});
export type NotifyRule = z.infer<typeof notifyRuleSchema>;
