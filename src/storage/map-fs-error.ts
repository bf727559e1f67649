import { ErrorCode, HoldfastError } from '../core/errors.ts';

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EISDIR: 'is a directory',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EEXIST: 'already exists',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'input/output error',
  EBUSY: 'resource busy',
  EAGAIN: 'resource temporarily unavailable',
  ETIMEDOUT: 'timed out',
  ESTALE: 'stale network file handle',
};

/** Codes worth retrying later: the same call may work once the condition passes. */
const TRANSIENT = new Set(['EMFILE', 'ENFILE', 'EIO', 'EBUSY', 'EAGAIN', 'ETIMEDOUT', 'ESTALE']);

/** The errno code of a Node file-system error, if it is one. */
export function fsCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Turns a file-system error into a STORAGE_FAILED HoldfastError whose message says what was being done,
 * to which path, and why in words (`storage nas: cannot write /mnt/b/x.bak: no space left on the device (ENOSPC)`).
 */
export function mapFsError(err: unknown, target: string, action: string, filePath: string): HoldfastError {
  if (err instanceof HoldfastError) return err;
  const code = fsCode(err);
  const reason = code
    ? `${REASONS[code] ?? (err as Error).message} (${code})`
    : err instanceof Error
      ? err.message
      : String(err);
  return new HoldfastError(
    ErrorCode.StorageFailed,
    `storage ${target}: cannot ${action} ${filePath}: ${reason}`,
    {
      target,
      retryable: code !== undefined && TRANSIENT.has(code),
      details: { path: filePath, ...(code ? { errno: code } : {}) },
      cause: err,
    },
  );
}
