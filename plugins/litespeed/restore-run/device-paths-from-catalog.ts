import type { Artifact } from '../../../src/catalog/contract.ts';
import { openCatalog } from '../../../src/catalog/sqlite-catalog.ts';
import { ARTIFACT_KIND, type BackupArtifactMetadata } from '../backup-artifact.ts';
import type { BackupHistory } from '../restore/history-schema.ts';

const GUID_NAME = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;

/** A virtual device name (LiteSpeed through VDI records a GUID in msdb), not a file path. */
export function isVirtualDeviceName(name: string): boolean {
  return GUID_NAME.test(name.split(/[\\/]/).pop() ?? name);
}

/**
 * LiteSpeed writes through SQL Server's virtual device interface, so msdb's physical_device_name is
 * often the device's GUID, not the .bak file (reference §1.5). The catalog knows the files: every
 * backup holdfast took is a litespeed-backup artifact with the backup_set_uuid and its stripe files.
 * For each backup set whose media names are virtual devices, the media become the catalog's files
 * (families 1..N of one mirror, device type kept). Everything else in the history stays as msdb has it.
 *
 * The catalog alone is not a history: it has no logical or physical database file names (MOVE),
 * file types, recovery fork GUIDs, damage flags or other mirrors, so it complements msdb or a
 * history file and never replaces them.
 */
export function deviceNamesFromCatalog(
  history: BackupHistory,
  artifacts: readonly Artifact[],
): { history: BackupHistory; replaced: number[] } {
  const byUuid = new Map<string, Artifact>();
  for (const a of artifacts) {
    if (a.kind !== ARTIFACT_KIND || a.state !== 'present') continue;
    const uuid = (a.metadata as Partial<BackupArtifactMetadata>).backupSetUuid;
    if (typeof uuid === 'string') byUuid.set(uuid.toUpperCase(), a);
  }
  const replaced: number[] = [];
  const backupsets = history.backupsets.map((set) => {
    if (!set.media.some((m) => isVirtualDeviceName(m.physical_device_name))) return set;
    const artifact = byUuid.get(set.backup_set_uuid.toUpperCase());
    if (!artifact || artifact.locations.length === 0) return set;
    replaced.push(set.backup_set_id);
    const deviceType = set.media[0]?.device_type ?? null;
    return {
      ...set,
      media: artifact.locations.map((path, i) => ({
        family_sequence_number: i + 1,
        mirror: 0,
        physical_device_name: path,
        device_type: deviceType,
      })),
    };
  });
  return { history: { ...history, backupsets }, replaced };
}

/**
 * The history with the catalog's files for its virtual device names; the catalog file is opened
 * (read-only) only when the history holds such names. A missing catalog changes nothing.
 */
export function historyWithCatalogFiles(
  history: BackupHistory,
  catalogFile: string,
): { history: BackupHistory; replaced: number[] } {
  if (!history.backupsets.some((b) => b.media.some((m) => isVirtualDeviceName(m.physical_device_name))))
    return { history, replaced: [] };
  const catalog = openCatalog(catalogFile, { readOnly: true });
  try {
    return deviceNamesFromCatalog(history, catalog.listArtifacts({ kind: ARTIFACT_KIND }));
  } finally {
    catalog.close();
  }
}
