import {
  createCipheriv,
  createDecipheriv,
  createHash,
  randomBytes,
  scrypt as scryptCallback,
} from 'node:crypto';
import type { BackupFormat, BackupSetImage } from './backup-set-image.ts';

/**
 * The simulator's backup file format. A file is one media family (one stripe of one mirror) and
 * holds one or more backup sets (positions):
 *
 *   magic (8 bytes: "SLSSIM\0\1" LiteSpeed, "TAPESIM\1" native)
 *   per backup set:  u32 descriptor length | descriptor JSON | u32 payload length | payload
 *
 * The descriptor is readable without a key (media set, family, mirror, encryption parameters and
 * the payload's SHA-256). The payload is `u32 length | backup-set image JSON | body`, encrypted
 * with AES-256-GCM under a key derived from @encryptionkey (scrypt) when encryption was asked for.
 * The body is a small deterministic filler: a 1 GB backup writes tens of kilobytes.
 */

const MAGIC: Record<BackupFormat, Buffer> = {
  litespeed: Buffer.from('SLSSIM\u0000\u0001', 'latin1'),
  native: Buffer.from('TAPESIM\u0001', 'latin1'),
};

export interface SetDescriptor {
  position: number;
  backupSetGuid: string;
  mediaSetGuid: string;
  mediaFamilyGuid: string;
  familyCount: number;
  familySequence: number;
  mirrorCount: number;
  mirror: number;
  compressionLevel: number;
  encryption: { algorithm: string; cryptLevel: number; salt: string; iv: string; tag: string } | null;
  payloadSha256: string;
}

export interface StoredSet {
  descriptor: SetDescriptor;
  payload: Buffer;
}

export interface MediaFileContent {
  format: BackupFormat;
  sets: StoredSet[];
}

export class MediaFormatError extends Error {
  /** not-backup: no magic at all; truncated/corrupt: damaged structure. */
  readonly kind: 'not-backup' | 'damaged';
  constructor(kind: 'not-backup' | 'damaged', message: string) {
    super(message);
    this.kind = kind;
  }
}

export class DecryptionError extends Error {}

const scryptAsync = (password: string, salt: Buffer): Promise<Buffer> =>
  new Promise((resolve, reject) =>
    scryptCallback(password, salt, 32, { N: 16384, r: 8, p: 1 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );

/** The LiteSpeed algorithm names of @cryptlevel 0..8; every level is stored as AES-256-GCM here. */
export const CRYPT_ALGORITHMS = [
  'RC2 40',
  'RC2 56',
  'RC2 112',
  'RC2 128',
  '3DES 168',
  'RC4 128',
  'AES 128',
  'AES 192',
  'AES 256',
] as const;

export function bodyLength(modelledBytes: number): number {
  return Math.min(65536, Math.max(1024, Math.round(modelledBytes / 16384)));
}

/** Deterministic filler bytes for a family's body (so corrupting any byte is detectable). */
export function fillerBody(seed: string, length: number): Buffer {
  const out = Buffer.alloc(length);
  let block = createHash('sha256').update(seed).digest();
  for (let offset = 0; offset < length; offset += block.length) {
    block.copy(out, offset, 0, Math.min(block.length, length - offset));
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

/** Builds the bytes of one backup set block (descriptor + payload). */
export async function encodeSet(
  image: BackupSetImage,
  descriptor: Omit<SetDescriptor, 'encryption' | 'payloadSha256'>,
  body: Buffer,
  encryption: { key: string; cryptLevel: number } | null,
): Promise<Buffer> {
  const meta = Buffer.from(JSON.stringify(image), 'utf8');
  const header = Buffer.alloc(4);
  header.writeUInt32LE(meta.length, 0);
  let payload = Buffer.concat([header, meta, body]);
  let enc: SetDescriptor['encryption'] = null;
  if (encryption) {
    const salt = randomBytes(16);
    const iv = randomBytes(12);
    const key = await scryptAsync(encryption.key, salt);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    payload = Buffer.concat([cipher.update(payload), cipher.final()]);
    enc = {
      algorithm: CRYPT_ALGORITHMS[encryption.cryptLevel] ?? 'AES 256',
      cryptLevel: encryption.cryptLevel,
      salt: salt.toString('base64'),
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
    };
  }
  const full: SetDescriptor = { ...descriptor, encryption: enc, payloadSha256: sha256(payload) };
  const d = Buffer.from(JSON.stringify(full), 'utf8');
  const lengths = Buffer.alloc(8);
  lengths.writeUInt32LE(d.length, 0);
  lengths.writeUInt32LE(payload.length, 4);
  return Buffer.concat([lengths.subarray(0, 4), d, lengths.subarray(4, 8), payload]);
}

export function magicFor(format: BackupFormat): Buffer {
  return MAGIC[format];
}

/** Parses a whole media file. Throws {@link MediaFormatError}. */
export function decodeMediaFile(bytes: Buffer): MediaFileContent {
  const format = (Object.keys(MAGIC) as BackupFormat[]).find(
    (f) => bytes.length >= 8 && bytes.subarray(0, 8).equals(MAGIC[f]),
  );
  if (!format) throw new MediaFormatError('not-backup', 'the file does not start with a backup media header');
  const sets: StoredSet[] = [];
  let offset = 8;
  while (offset < bytes.length) {
    if (offset + 4 > bytes.length)
      throw new MediaFormatError('damaged', `truncated descriptor length at byte ${offset}`);
    const dLen = bytes.readUInt32LE(offset);
    offset += 4;
    if (offset + dLen + 4 > bytes.length)
      throw new MediaFormatError('damaged', `truncated descriptor at byte ${offset}`);
    let descriptor: SetDescriptor;
    try {
      descriptor = JSON.parse(bytes.subarray(offset, offset + dLen).toString('utf8')) as SetDescriptor;
    } catch {
      throw new MediaFormatError('damaged', `unreadable backup set descriptor at byte ${offset}`);
    }
    offset += dLen;
    const pLen = bytes.readUInt32LE(offset);
    offset += 4;
    if (offset + pLen > bytes.length)
      throw new MediaFormatError('damaged', `truncated backup set payload at byte ${offset}`);
    sets.push({ descriptor, payload: bytes.subarray(offset, offset + pLen) });
    offset += pLen;
  }
  if (sets.length === 0)
    throw new MediaFormatError('damaged', 'the media header is not followed by any backup set');
  return { format, sets };
}

/** True when the stored payload still has the checksum written with it. */
export function payloadIntact(set: StoredSet): boolean {
  return sha256(set.payload) === set.descriptor.payloadSha256;
}

/**
 * Decrypts (when needed) and parses a set's payload into its image. Throws {@link DecryptionError}
 * for a missing or wrong key, {@link MediaFormatError} for a damaged payload.
 */
export async function openSet(
  set: StoredSet,
  key: string | null,
): Promise<{ image: BackupSetImage; body: Buffer }> {
  let plain = set.payload;
  const enc = set.descriptor.encryption;
  if (enc) {
    if (key === null) throw new DecryptionError('key required');
    const derived = await scryptAsync(key, Buffer.from(enc.salt, 'base64'));
    const decipher = createDecipheriv('aes-256-gcm', derived, Buffer.from(enc.iv, 'base64'));
    decipher.setAuthTag(Buffer.from(enc.tag, 'base64'));
    try {
      plain = Buffer.concat([decipher.update(set.payload), decipher.final()]);
    } catch {
      throw new DecryptionError('wrong key');
    }
  }
  if (plain.length < 4) throw new MediaFormatError('damaged', 'payload too short');
  const metaLen = plain.readUInt32LE(0);
  if (4 + metaLen > plain.length) throw new MediaFormatError('damaged', 'payload metadata truncated');
  try {
    const image = JSON.parse(plain.subarray(4, 4 + metaLen).toString('utf8')) as BackupSetImage;
    return { image, body: plain.subarray(4 + metaLen) };
  } catch {
    throw new MediaFormatError('damaged', 'payload metadata unreadable');
  }
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}
