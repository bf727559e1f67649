import type { KindDefinition } from '../plugin/contract.ts';
import { storageSpecSchema } from '../storage/schema.ts';
import { channelSpecSchema } from '../notify/schema.ts';

/** Kinds holdfast itself handles (not plugins): where backups go, and where notifications go. */
export function builtinKinds(): KindDefinition[] {
  return [
    { kind: 'Storage', description: 'A backup target: a local directory or an Azure Blob container.', schema: storageSpecSchema },
    { kind: 'Channel', description: 'A notification channel: Teams workflow, Slack, webhook or SMTP.', schema: channelSpecSchema },
  ];
}
