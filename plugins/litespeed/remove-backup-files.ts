import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Artifact } from '../../src/catalog/contract.ts';
import { ErrorCode, HoldfastError } from '../../src/core/errors.ts';
import type { Secret } from '../../src/core/secret.ts';
import { metadataOf } from './backup-artifact.ts';
import { removeView } from './backup-views.ts';
import type { LiteSpeedBackupSpec } from './job-spec-schema.ts';
import { fileExistsQuery } from './queries.ts';
import type { FactReader } from './read-server-facts.ts';
import { renderStatement } from './render-statements.ts';
import { runStatement } from './run-statement.ts';
import { runCatalogQuery } from './sql-connection.ts';

/**
 * Deletes the files of one backup artifact, for retention. Through the server (default): LiteSpeed's
 * xp_slssqlmaint single-file form, or xp_delete_file for native backups; or through the path where the
 * backup directory is mounted here (`retention.deleteVia: path`, `mountedPaths`). Idempotent: a file that
 * is already gone counts as removed.
 */
export async function removeBackupFiles(
  artifact: Artifact,
  spec: LiteSpeedBackupSpec,
  reader: FactReader,
  secrets: readonly Secret[],
  signal: AbortSignal,
): Promise<void> {
  const via = spec.retention?.deleteVia ?? 'server';
  const engine = metadataOf(artifact).engine ?? spec.engine;
  for (const location of artifact.locations) {
    if (via === 'path') {
      const local = await findCaseInsensitive(mountedPath(location, spec.mountedPaths ?? {}));
      if (local !== null) await rm(local, { force: true });
      continue;
    }
    const pool = await reader.pools.get(reader.target);
    const [state] = await runCatalogQuery(pool, fileExistsQuery, { path: location });
    if (!state?.file_exists) continue;
    const statement = renderStatement(engine, 'remove', removeView(engine, location));
    const result = await runStatement(pool, statement, { unlimited: false, signal, secrets });
    if (engine === 'litespeed' && result.rc !== 0)
      throw new HoldfastError(
        ErrorCode.ServerError,
        `xp_slssqlmaint returned ${result.rc ?? 'NULL'} deleting ${location}`,
      );
  }
}

/** The local directory and the path segments under it of a server file (`Y:\SQL_BACKUPS\a\b.bak` → `/mnt/sql-backups`, [a, b.bak]). */
export function mountedPath(
  serverPath: string,
  mounts: Readonly<Record<string, string>>,
): { root: string; segments: string[] } {
  const normalized = serverPath.replace(/\//g, '\\');
  const entries = Object.entries(mounts).sort((a, b) => b[0].length - a[0].length);
  for (const [serverDir, localDir] of entries) {
    const prefix = serverDir.replace(/\//g, '\\').replace(/\\+$/, '');
    if (
      normalized.toLowerCase() === prefix.toLowerCase() ||
      normalized.toLowerCase().startsWith(`${prefix.toLowerCase()}\\`)
    ) {
      const rest = normalized
        .slice(prefix.length)
        .split('\\')
        .filter((p) => p !== '' && p !== '.');
      if (rest.includes('..')) break;
      return { root: localDir, segments: rest };
    }
  }
  throw new HoldfastError(
    ErrorCode.ConfigInvalid,
    `no mountedPaths entry covers ${serverPath}; retention.deleteVia: path needs one for every backup directory`,
  );
}

/** Windows paths ignore case; a mount may not. Finds each segment by name, ignoring case; null if absent. */
async function findCaseInsensitive(where: { root: string; segments: string[] }): Promise<string | null> {
  let current = where.root;
  for (const segment of where.segments) {
    const names = await readdir(current).catch(() => null);
    const hit =
      names?.find((n) => n === segment) ?? names?.find((n) => n.toLowerCase() === segment.toLowerCase());
    if (hit === undefined) return null;
    current = path.join(current, hit);
  }
  return current;
}
