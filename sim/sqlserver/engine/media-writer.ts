import { mkdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { BackupFormat, BackupSetImage } from './backup-set-image.ts';
import { newGuid } from './database-factory.ts';
import type { DevicePaths } from './device-paths.ts';
import { sqlErrors } from './error-catalog.ts';
import { liteSpeedErrors } from './litespeed-errors.ts';
import {
  bodyLength,
  decodeMediaFile,
  encodeSet,
  fillerBody,
  magicFor,
  MediaFormatError,
  type SetDescriptor,
} from './media-file.ts';
import type { MediaDescription } from './msdb.ts';
import { SqlError } from './sql-error.ts';

export interface MediaTarget {
  format: BackupFormat;
  /** devices[mirror][family]: client paths; mirror 0 is the main stripe set. */
  devices: string[][];
  /** Overwrite existing backup sets (INIT / @init = 1). */
  init: boolean;
  /** Write a new media header (FORMAT / @format = 1). */
  formatMedia: boolean;
  compressionLevel: number;
  encryption: { key: string; cryptLevel: number } | null;
  /** Modelled size of the backup (compressed), to size the small body. */
  modelledBytes: number;
  /** The simulator's time: written files get it as their modification time (age-based cleanup uses it). */
  now: Date;
}

export interface WrittenMedia {
  position: number;
  media: MediaDescription;
  hostPaths: string[];
}

interface PlannedFile {
  device: string;
  host: string;
  family: number;
  mirror: number;
  previous: Buffer | null;
  content: Buffer;
}

/**
 * Writes one backup set to every family of every mirror: a new media set, or appended as the next
 * position when the files already hold sets of the same media set (no INIT/FORMAT). With `diskFull`
 * the first file is left half-written, then every touched file is put back as it was (new files
 * removed) and the write error is thrown: nothing that looks complete remains.
 */
export async function writeMedia(
  paths: DevicePaths,
  target: MediaTarget,
  image: BackupSetImage,
  diskFull: boolean,
): Promise<WrittenMedia> {
  const familyCount = target.devices[0]!.length;
  const mirrorCount = target.devices.length;
  const existing = await readExisting(paths, target);
  const appending = !target.init && !target.formatMedia && existing.some((e) => e !== null);
  if (target.format === 'native' && mirrorCount > 1 && !target.formatMedia && !appending)
    throw sqlErrors.mirrorNeedsFormat();
  let position = 1;
  let mediaSetGuid = newGuid();
  const familyGuids = Array.from({ length: familyCount }, () => newGuid());
  if (appending) {
    const first = existing.find((e) => e !== null)!;
    for (const e of existing) {
      if (e === null) throw sqlErrors.notPartOfMediaSet(first.device);
      const last = e.sets[e.sets.length - 1]!;
      if (last.familyCount !== familyCount)
        throw sqlErrors.familyCountMismatch(e.device, last.familyCount, familyCount);
      if (last.mediaSetGuid !== first.sets[0]!.mediaSetGuid) throw sqlErrors.notPartOfMediaSet(e.device);
    }
    mediaSetGuid = first.sets[0]!.mediaSetGuid;
    position = Math.max(...existing.map((e) => e!.sets.length)) + 1;
    existing.forEach((e, i) => (familyGuids[i % familyCount] = e!.sets[0]!.mediaFamilyGuid));
  }

  const planned: PlannedFile[] = [];
  for (let mirror = 0; mirror < mirrorCount; mirror++) {
    for (let family = 1; family <= familyCount; family++) {
      const device = target.devices[mirror]![family - 1]!;
      const index = mirror * familyCount + family - 1;
      const previous = existing[index]?.bytes ?? null;
      const descriptor: Omit<SetDescriptor, 'encryption' | 'payloadSha256'> = {
        position,
        backupSetGuid: image.backupSetGuid,
        mediaSetGuid,
        mediaFamilyGuid: familyGuids[family - 1]!,
        familyCount,
        familySequence: family,
        mirrorCount,
        mirror,
        compressionLevel: target.compressionLevel,
      };
      const body = fillerBody(
        `${image.backupSetGuid}:${family}`,
        bodyLength(target.modelledBytes / familyCount),
      );
      const block = await encodeSet(image, descriptor, body, target.encryption);
      const head = appending && previous ? previous : magicFor(target.format);
      planned.push({
        device,
        host: paths.toHost(device),
        family,
        mirror,
        previous,
        content: Buffer.concat([head, block]),
      });
    }
  }

  for (const p of planned) await prepareDirectory(paths, target.format, p);
  try {
    for (const [i, p] of planned.entries()) {
      if (diskFull && i === 0) {
        await writeFile(p.host, p.content.subarray(0, Math.floor(p.content.length / 2)));
        throw target.format === 'litespeed'
          ? liteSpeedErrors.diskFull(p.device)
          : sqlErrors.writeFailed(p.device, '112(There is not enough space on the disk.)');
      }
      await writeFile(p.host, p.content);
      await utimes(p.host, target.now, target.now);
    }
  } catch (err) {
    await Promise.all(
      planned
        .map((p) => (p.previous ? writeFile(p.host, p.previous) : rm(p.host, { force: true })))
        .map((x) => x.catch(() => undefined)),
    );
    if (err instanceof SqlError) throw err;
    throw writeError(target.format, planned[0]!.device, err);
  }

  return {
    position,
    hostPaths: planned.map((p) => p.host),
    media: {
      mediaSetGuid,
      familyCount,
      mirrorCount,
      softwareName: target.format === 'litespeed' ? 'LiteSpeed for SQL Server' : 'Microsoft SQL Server',
      deviceType: target.format === 'litespeed' ? 7 : 2,
      isCompressed: target.compressionLevel > 0,
      isEncrypted: target.encryption !== null,
      devices: planned.map((p) => ({
        family: p.family,
        mirror: p.mirror,
        physicalName: p.device,
        mediaFamilyGuid: familyGuids[p.family - 1]!,
      })),
    },
  };
}

interface ExistingFile {
  device: string;
  bytes: Buffer;
  sets: SetDescriptor[];
}

async function readExisting(paths: DevicePaths, target: MediaTarget): Promise<Array<ExistingFile | null>> {
  const out: Array<ExistingFile | null> = [];
  for (const device of target.devices.flat()) {
    if (paths.isOffline(device)) {
      throw target.format === 'litespeed'
        ? liteSpeedErrors.drive(device, 'the device is not ready')
        : sqlErrors.cannotOpenDevice(device, '21(The device is not ready.)');
    }
    const host = paths.toHost(device);
    let bytes: Buffer;
    try {
      bytes = await readFile(host);
    } catch {
      out.push(null);
      continue;
    }
    if (target.init || target.formatMedia) {
      out.push(null);
      continue;
    }
    try {
      const content = decodeMediaFile(bytes);
      if (content.format !== target.format) throw new MediaFormatError('not-backup', 'other format');
      out.push({ device, bytes, sets: content.sets.map((s) => s.descriptor) });
    } catch (err) {
      if (!(err instanceof MediaFormatError)) throw err;
      throw target.format === 'litespeed'
        ? liteSpeedErrors.notLiteSpeed(device)
        : sqlErrors.incorrectlyFormed(device);
    }
  }
  return out;
}

async function prepareDirectory(paths: DevicePaths, format: BackupFormat, p: PlannedFile): Promise<void> {
  const dir = dirname(p.host);
  if (format === 'litespeed') {
    try {
      await mkdir(dir, { recursive: true });
    } catch (err) {
      throw liteSpeedErrors.drive(p.device, (err as Error).message);
    }
    return;
  }
  // Native BACKUP does not create folders (Ola's scripts call xp_create_subdir first); the drive root always exists.
  const root = paths.toHost(p.device.slice(0, 3));
  if (/^[A-Za-z]:[\\/]/.test(p.device)) await mkdir(root, { recursive: true }).catch(() => undefined);
  const isDir = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) throw sqlErrors.cannotOpenDevice(p.device, '3(The system cannot find the path specified.)');
}

function writeError(format: BackupFormat, device: string, err: unknown): SqlError {
  const why = err instanceof Error ? err.message : String(err);
  return format === 'litespeed'
    ? liteSpeedErrors.drive(device, why)
    : sqlErrors.cannotOpenDevice(device, `5(Access is denied.) ${why}`);
}
