import { ErrorCode, HoldfastError } from '../core/errors.ts';

/** Metadata keys holdfast keeps for itself (the content's sha256); callers may not use this prefix. */
export const RESERVED_METADATA_PREFIX = 'holdfast_';
export const SHA256_METADATA_KEY = `${RESERVED_METADATA_PREFIX}sha256`;

const MAX_METADATA_BYTES = 8 * 1024;

/**
 * Checks object metadata against the rules every target applies (Azure's, so that a job behaves the same on
 * every target): keys are identifiers (`[A-Za-z_][A-Za-z0-9_]*`) and are stored lower-cased; values are
 * printable ASCII without leading or trailing spaces; 8 KiB at most in total. Returns the lower-cased copy.
 */
export function normalizeMetadata(
  target: string,
  metadata: Record<string, string> | undefined,
): Record<string, string> | undefined {
  if (metadata === undefined) return undefined;
  const out: Record<string, string> = {};
  let size = 0;
  for (const [rawKey, value] of Object.entries(metadata)) {
    const key = rawKey.toLowerCase();
    let problem: string | undefined;
    if (!/^[a-z_][a-z0-9_]*$/.test(key)) problem = 'keys must be identifiers ([A-Za-z_][A-Za-z0-9_]*)';
    else if (key.startsWith(RESERVED_METADATA_PREFIX))
      problem = `keys starting with ${RESERVED_METADATA_PREFIX} are reserved`;
    else if (key in out) problem = 'two keys differ only in case';
    else if (typeof value !== 'string' || !/^[\x20-\x7e]*$/.test(value))
      problem = 'values must be printable ASCII';
    else if (value !== value.trim()) problem = 'values must not start or end with a space';
    if (problem) {
      throw new HoldfastError(
        ErrorCode.StorageFailed,
        `storage ${target}: metadata ${JSON.stringify(rawKey)}: ${problem}`,
        {
          target,
          details: { metadataKey: rawKey, problem },
        },
      );
    }
    out[key] = value;
    size += key.length + value.length;
  }
  if (size > MAX_METADATA_BYTES) {
    throw new HoldfastError(
      ErrorCode.StorageFailed,
      `storage ${target}: metadata is ${size} bytes, more than ${MAX_METADATA_BYTES}`,
      { target },
    );
  }
  return out;
}
