import type { Catalog } from '../catalog/contract.ts';
import type { Clock } from '../core/clock.ts';
import type { Manifest, SecretRef } from '../core/job.ts';
import type { Logger } from '../core/logger.ts';
import type { Secret } from '../core/secret.ts';
import type { SecretResolver } from '../config/secret-resolver.ts';
import type { LoadedManifest } from '../config/load-manifests.ts';
import type { PluginContext, RunOptions } from '../plugin/contract.ts';
import type { StorageTarget } from '../storage/contract.ts';

/** Everything the engine needs from the outside world, injected (tests pass their own). */
export interface EngineServices {
  clock: Clock;
  logger: Logger;
  resolveSecret: SecretResolver;
  /** The storage target of a Storage manifest, created once per process. */
  storage(name: string): StorageTarget;
  catalog: Catalog;
  signal: AbortSignal;
}

/**
 * The services a plugin sees for one job. Every secret it resolves is added to `resolved` (when given), so the
 * executor can mask those values in anything a server echoed back into an error or summary.
 */
export function pluginContext(services: EngineServices, manifests: readonly LoadedManifest[], job: LoadedManifest, options: RunOptions, resolved?: Set<Secret>): PluginContext {
  return {
    clock: services.clock,
    logger: services.logger.child({ job: job.metadata.name, kind: job.kind }),
    resolveSecret: async (ref: SecretRef): Promise<Secret> => {
      const secret = await services.resolveSecret(ref, job.baseDir);
      resolved?.add(secret);
      return secret;
    },
    storage: (name) => services.storage(name),
    catalog: services.catalog,
    manifests: manifests as readonly Manifest[],
    options,
    signal: services.signal,
  };
}
