import type { Artifact } from '../catalog/contract.ts';
import { ErrorCode, HoldfastError } from '../core/errors.ts';
import type { StorageTarget } from '../storage/contract.ts';

/** How one artifact's bytes are removed: through a Storage target, or through the plugin that made it. */
export interface RemovalRoutes {
  /** The target of a Storage manifest, or undefined when `name` is not one (e.g. `server`). */
  storage(name: string): StorageTarget | undefined;
  /** The owning plugin's `remove` hook, bound to the job; undefined when the plugin has none. */
  removeViaPlugin?: (artifact: Artifact) => Promise<void>;
}

/**
 * The keys of a storage artifact in the order they are deleted: manifests first (the key named by
 * `metadata.manifestKey`, and any `manifest.json`), so that a removal interrupted halfway never leaves an
 * export that still looks complete; then the data, in the order recorded.
 */
export function removalOrder(a: Artifact): string[] {
  const named = typeof a.metadata.manifestKey === 'string' ? a.metadata.manifestKey : undefined;
  const isManifest = (key: string) => key === named || /(^|\/)manifest\.json$/.test(key);
  return [...a.locations.filter(isManifest), ...a.locations.filter((k) => !isManifest(k))];
}

/**
 * Removes every location of one artifact. Idempotent: what is already gone is not an error, so a cleanup
 * interrupted halfway is finished by running this again. Throws (the first failure) and stops there.
 */
export async function removeArtifactFiles(a: Artifact, routes: RemovalRoutes): Promise<void> {
  const target = routes.storage(a.storage);
  if (target) {
    for (const key of removalOrder(a)) {
      try {
        await target.delete(key);
      } catch (err) {
        if (err instanceof HoldfastError) throw err;
        throw new HoldfastError(
          ErrorCode.StorageFailed,
          `cannot delete ${key} from storage ${a.storage}: ${(err as Error).message}`,
          { cause: err, target: a.target },
        );
      }
    }
    return;
  }
  const refusal = cannotRemove(a, routes);
  if (refusal) throw refusal;
  await routes.removeViaPlugin!(a);
}

/** Why an artifact cannot be removed at all (checked before the catalog marks it), or undefined. */
export function cannotRemove(a: Artifact, routes: RemovalRoutes): HoldfastError | undefined {
  if (routes.storage(a.storage) || routes.removeViaPlugin) return undefined;
  return new HoldfastError(
    ErrorCode.CapabilityMissing,
    `artifact ${a.id} is stored at "${a.storage}", which is not a Storage target, and plugin ${a.plugin} has no remove hook`,
    { plugin: a.plugin, target: a.target },
  );
}
