import { text } from 'node:stream/consumers';
import type { Artifact, Catalog } from '../../../src/catalog/contract.ts';
import { ErrorCode, HoldfastError } from '../../../src/core/errors.ts';
import type { Job } from '../../../src/core/job.ts';
import type { StorageTarget } from '../../../src/storage/contract.ts';
import { accountNameOf } from '../account-name.ts';
import { exportManifestSchema, type ExportManifest } from '../export-manifest.ts';
import { renderFileName } from '../file-name.ts';
import { EXPORT_ARTIFACT_KIND } from '../plan-exports.ts';
import type { CosmosBackupSpec } from '../schema.ts';

export interface FoundExport {
  manifest: ExportManifest;
  manifestKey: string;
  /** Catalog id, when the export was found there. */
  artifactId?: string;
  foundIn: 'catalog' | 'storage';
}

/**
 * Finds the export to restore: `latest` (the newest complete export of that container in the catalog, else the
 * newest manifest found by listing the storage), a catalog artifact id (or a unique prefix of one), or a
 * manifest key. Only exports with a manifest count: a data file without one is incomplete.
 */
export async function findExport(
  job: Job<CosmosBackupSpec>,
  storage: StorageTarget,
  catalog: Pick<Catalog, 'listArtifacts'>,
  request: { database: string; container: string; from?: string },
): Promise<FoundExport> {
  const from = request.from ?? 'latest';
  const label = `${request.database}/${request.container}`;
  if (from.endsWith('.manifest.json'))
    return { manifest: await readManifest(storage, from), manifestKey: from, foundIn: 'storage' };

  const artifacts = catalog
    .listArtifacts({ job: job.metadata.name, kind: EXPORT_ARTIFACT_KIND })
    .filter((a) => a.metadata.database === request.database && a.metadata.container === request.container)
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  if (from !== 'latest') {
    const matches = catalog
      .listArtifacts({ kind: EXPORT_ARTIFACT_KIND })
      .filter((a) => a.id === from || (from.length >= 6 && a.id.startsWith(from)));
    if (matches.length !== 1) {
      throw new HoldfastError(
        ErrorCode.NotFound,
        matches.length === 0
          ? `no export ${from} in the catalog`
          : `${from} matches ${matches.length} exports; give more of the id`,
      );
    }
    return fromArtifact(storage, matches[0]!);
  }
  if (artifacts.length > 0) return fromArtifact(storage, artifacts[0]!);

  const prefix = listingPrefix(job, request.database, request.container);
  let newest: { manifest: ExportManifest; key: string } | undefined;
  for await (const object of storage.list(prefix)) {
    if (!object.key.endsWith('.manifest.json')) continue;
    const manifest = await readManifest(storage, object.key).catch(() => undefined);
    if (!manifest || manifest.database.id !== request.database || manifest.container.id !== request.container)
      continue;
    if (!newest || manifest.finishedAt > newest.manifest.finishedAt) newest = { manifest, key: object.key };
  }
  if (!newest) {
    throw new HoldfastError(
      ErrorCode.NotFound,
      `no complete export of ${label} for job ${job.metadata.name}: none in the catalog, and no manifest under ${storage.name}:${prefix || '(root)'}`,
    );
  }
  return { manifest: newest.manifest, manifestKey: newest.key, foundIn: 'storage' };
}

async function fromArtifact(storage: StorageTarget, artifact: Artifact): Promise<FoundExport> {
  const key =
    typeof artifact.metadata.manifestKey === 'string' ? artifact.metadata.manifestKey : artifact.locations[1];
  if (!key)
    throw new HoldfastError(ErrorCode.InputInvalid, `catalog artifact ${artifact.id} names no manifest`);
  return {
    manifest: await readManifest(storage, key),
    manifestKey: key,
    artifactId: artifact.id,
    foundIn: 'catalog',
  };
}

export async function readManifest(storage: StorageTarget, key: string): Promise<ExportManifest> {
  let json: unknown;
  try {
    json = JSON.parse(await text(await storage.read(key)));
  } catch (err) {
    if (err instanceof HoldfastError) throw err;
    throw new HoldfastError(
      ErrorCode.InputInvalid,
      `${storage.name}:${key} is not JSON: ${(err as Error).message}`,
    );
  }
  const parsed = exportManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new HoldfastError(
      ErrorCode.InputInvalid,
      `${storage.name}:${key} is not a holdfast Cosmos export manifest: ${issue.path.join('.')}: ${issue.message}`,
    );
  }
  return parsed.data;
}

/** The literal start of the job's file names for one container: everything before the first time token. */
function listingPrefix(job: Job<CosmosBackupSpec>, database: string, container: string): string {
  const pattern = job.spec.fileName;
  const firstTime = pattern.search(/\{(Year|Month|Day|Hour|Minute|Second)\}/);
  const head = firstTime < 0 ? pattern : pattern.slice(0, firstTime);
  return renderFileName(head, {
    account: accountNameOf(job.spec.account),
    database,
    container,
    at: new Date(0),
  });
}
