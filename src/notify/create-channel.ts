import type { SecretRef } from '../core/job.ts';
import type { Secret } from '../core/secret.ts';
import type { NotifyChannel } from './channel.ts';
import { HttpJsonChannel } from './http-channel.ts';
import type { ChannelSpec } from './schema.ts';
import { SmtpChannel } from './smtp-channel.ts';

/** Makes a live channel from a validated Channel spec, resolving its secrets (URL, headers, password) now. */
export async function createChannel(
  name: string,
  spec: ChannelSpec,
  resolveSecret: (ref: SecretRef) => Promise<Secret>,
): Promise<NotifyChannel> {
  switch (spec.type) {
    case 'teams-workflow':
    case 'slack':
      return new HttpJsonChannel(name, spec.type, await resolveSecret(spec.url));
    case 'webhook': {
      const headers: Record<string, Secret> = {};
      for (const [k, ref] of Object.entries(spec.headers ?? {})) headers[k] = await resolveSecret(ref);
      return new HttpJsonChannel(name, 'webhook', await resolveSecret(spec.url), headers);
    }
    case 'smtp':
      return new SmtpChannel(name, {
        host: spec.host,
        port: spec.port,
        secure: spec.secure,
        user: spec.auth?.user,
        password: spec.auth ? await resolveSecret(spec.auth.password) : undefined,
        from: spec.from,
        to: spec.to,
        timeoutMs: spec.timeoutSeconds * 1000,
      });
  }
}
