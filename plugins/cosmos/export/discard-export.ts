import type { StorageTarget } from '../../../src/storage/contract.ts';
import type { ExportKeys } from '../file-name.ts';
import type { CommittedSegment } from './checkpoint.ts';

/**
 * Removes what an unfinished export committed: its parts and the first segment at the data key (never when a
 * manifest says that key is a finished export). Parts no checkpoint lists (a save that failed after a commit)
 * are found by listing the export's part prefix. Idempotent.
 */
export async function discardExport(
  storage: StorageTarget,
  keys: ExportKeys,
  segments: readonly CommittedSegment[],
): Promise<void> {
  const doomed = new Set(segments.map((s) => s.key));
  const partPrefix = `${keys.base}.part-`;
  for await (const object of storage.list(partPrefix)) doomed.add(object.key);
  if (!(await storage.stat(keys.manifest))) doomed.add(keys.data);
  else doomed.delete(keys.data);
  for (const key of doomed) await storage.delete(key);
}
