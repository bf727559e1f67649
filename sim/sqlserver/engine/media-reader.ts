import { readFile } from 'node:fs/promises';
import { corrupt } from './backup-operation.ts';
import type { BackupFormat, BackupSetImage } from './backup-set-image.ts';
import type { DevicePaths } from './device-paths.ts';
import { sqlErrors } from './error-catalog.ts';
import { liteSpeedErrors } from './litespeed-errors.ts';
import {
  DecryptionError,
  decodeMediaFile,
  MediaFormatError,
  openSet,
  payloadIntact,
  type SetDescriptor,
  type StoredSet,
} from './media-file.ts';
import type { SqlError } from './sql-error.ts';

export interface ReadRequest {
  /** What the reader is: LiteSpeed's xp_restore_* or native RESTORE. */
  reader: BackupFormat;
  devices: string[];
  /** Backup set position (FILE = n / @filenumber). */
  position: number;
  key: string | null;
  /** Fault: damage the files before reading them. */
  corruptFirst: boolean;
  /** HEADERONLY and FILELISTONLY read one family; VERIFYONLY and RESTORE need them all. */
  allFamilies?: boolean;
}

export interface ReadBackupSet {
  image: BackupSetImage;
  descriptor: SetDescriptor;
  /** Every set in the first device, by position (HEADERONLY lists them all). */
  allSets: StoredSet[];
  /** The devices read, with the family and mirror each holds. */
  families: Array<{ device: string; family: number; mirror: number; mediaFamilyGuid: string }>;
}

/**
 * Reads one backup set from the devices given, checking what SQL Server checks: every file opens
 * (3201), is a backup of the right kind (native RESTORE of a LiteSpeed file: 3241), holds the set at
 * that position (4038), belongs to one media set (3258), no family given twice (3227) or more
 * devices than families (3231), no family missing (3132), checksums intact (3189 / LiteSpeed 60606)
 * and, for encrypted LiteSpeed backups, the right key (60605).
 */
export async function readBackupSet(paths: DevicePaths, request: ReadRequest): Promise<ReadBackupSet> {
  if (request.devices.length === 0) throw sqlErrorNoDevice();
  const hosts = request.devices.map((d) => paths.toHost(d));
  if (request.corruptFirst) await corrupt(hosts).catch(() => undefined);
  const found: Array<{ device: string; set: StoredSet; all: StoredSet[] }> = [];
  for (const [i, device] of request.devices.entries()) {
    if (paths.isOffline(device)) throw sqlErrors.cannotOpenDevice(device, '21(The device is not ready.)');
    let bytes: Buffer;
    try {
      bytes = await readFile(hosts[i]!);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw code === 'ENOENT' || code === 'ENOTDIR'
        ? sqlErrors.cannotOpenDevice(device, '2(The system cannot find the file specified.)')
        : sqlErrors.cannotOpenDevice(device, `5(Access is denied.)`);
    }
    let sets: StoredSet[];
    try {
      const content = decodeMediaFile(bytes);
      if (content.format !== request.reader) throw new MediaFormatError('not-backup', 'other format');
      sets = content.sets;
    } catch (err) {
      if (!(err instanceof MediaFormatError)) throw err;
      if (request.reader === 'native') throw sqlErrors.incorrectlyFormed(device);
      throw err.kind === 'not-backup'
        ? liteSpeedErrors.notLiteSpeed(device)
        : liteSpeedErrors.damaged(device, err.message);
    }
    const set = sets.find((s) => s.descriptor.position === request.position);
    if (!set) throw sqlErrors.fileIdMissing(request.position, device);
    found.push({ device, set, all: sets });
  }

  const first = found[0]!;
  const families = first.set.descriptor.familyCount;
  const seen = new Map<number, string>();
  for (const f of found) {
    const d = f.set.descriptor;
    if (
      d.mediaSetGuid !== first.set.descriptor.mediaSetGuid ||
      d.backupSetGuid !== first.set.descriptor.backupSetGuid
    )
      throw sqlErrors.notPartOfMediaSet(f.device);
    if (found.length > families) throw sqlErrors.familyCountMismatch(f.device, families, found.length);
    const other = seen.get(d.familySequence);
    if (other !== undefined) throw sqlErrors.familyAlreadyProcessed(f.device, d.familySequence, other);
    seen.set(d.familySequence, f.device);
  }
  if (request.allFamilies !== false && seen.size < families)
    throw sqlErrors.mediaFamiliesMissing(families, seen.size);
  for (const f of found) {
    if (!payloadIntact(f.set))
      throw damagedError(request.reader, f.device, 'the checksum of the backup set does not match its data');
  }

  try {
    const { image } = await openSet(first.set, request.key);
    const familyList = found.map((f) => ({
      device: f.device,
      family: f.set.descriptor.familySequence,
      mirror: f.set.descriptor.mirror,
      mediaFamilyGuid: f.set.descriptor.mediaFamilyGuid,
    }));
    return { image, descriptor: first.set.descriptor, allSets: first.all, families: familyList };
  } catch (err) {
    if (err instanceof DecryptionError) {
      throw request.key === null
        ? liteSpeedErrors.keyRequired(first.device)
        : liteSpeedErrors.wrongKey(first.device);
    }
    if (err instanceof MediaFormatError) throw damagedError(request.reader, first.device, err.message);
    throw err;
  }
}

/** Opens every set of a device list's first file (HEADERONLY without a position). */
export async function openAll(
  sets: StoredSet[],
  key: string | null,
  reader: BackupFormat,
  device: string,
): Promise<BackupSetImage[]> {
  const out: BackupSetImage[] = [];
  for (const s of sets) {
    if (!payloadIntact(s))
      throw damagedError(reader, device, `backup set ${s.descriptor.position} fails its checksum`);
    try {
      out.push((await openSet(s, key)).image);
    } catch (err) {
      if (err instanceof DecryptionError)
        throw key === null ? liteSpeedErrors.keyRequired(device) : liteSpeedErrors.wrongKey(device);
      throw err;
    }
  }
  return out;
}

function damagedError(reader: BackupFormat, device: string, why: string): SqlError {
  return reader === 'native' ? sqlErrors.damaged() : liteSpeedErrors.damaged(device, why);
}

function sqlErrorNoDevice(): SqlError {
  return liteSpeedErrors.parameter('@filename', 'at least one backup file is required');
}
