import { open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fsCode } from './map-fs-error.ts';

/** Temp files (`.<name>.<random>.partial`) and metadata sidecars (`.<name>.meta.json`): never listed, never valid keys. */
export const INTERNAL_NAME = /^\..*\.(partial|meta\.json)$/;

/**
 * What the sidecar `.<name>.meta.json` beside an object holds. It is written before the object is renamed into
 * place and names the object's inode and modification time; a sidecar that does not match the file beside it
 * (left by a crash, or by a write that lost an ifNotExists race) is ignored, so metadata is never wrong, only
 * missing.
 */
export interface Sidecar {
  bytes: number;
  sha256: string;
  ino: string;
  mtimeNs: string;
  contentType?: string;
  metadata?: Record<string, string>;
}

export function sidecarPath(filePath: string): string {
  return path.join(path.dirname(filePath), `.${path.basename(filePath)}.meta.json`);
}

export async function readSidecar(file: string): Promise<Sidecar | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Sidecar;
    return typeof parsed.sha256 === 'string' && typeof parsed.ino === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export async function unlinkIfExists(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (err) {
    if (fsCode(err) !== 'ENOENT' && fsCode(err) !== 'ENOTDIR') throw err;
  }
}

/** fsyncs a directory so a rename in it survives a crash (not possible on Windows, where it is skipped). */
export async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (err) {
    if (!['EINVAL', 'ENOTSUP', 'EISDIR', 'EPERM'].includes(fsCode(err) ?? '')) throw err;
  } finally {
    await handle.close();
  }
}

/** Writes a sidecar durably: to a hidden temp file, flushed, then renamed over the old one. */
export async function writeSidecar(file: string, sidecar: Sidecar, suffix: string): Promise<void> {
  const temp = `${file}.${suffix}.partial`;
  try {
    await writeFile(temp, JSON.stringify(sidecar), { flush: true });
    await rename(temp, file);
  } catch (err) {
    await unlinkIfExists(temp).catch(() => undefined);
    throw err;
  }
}
