import type { SecretResolver } from '../../../src/config/secret-resolver.ts';
import { ErrorCode, HoldfastError } from '../../../src/core/errors.ts';
import { MASK, Secret } from '../../../src/core/secret.ts';

export interface RestoreKeyRequest {
  /** Native RESTORE: no LiteSpeed key (backups are decrypted with a server certificate). */
  native: boolean;
  /** `--encryption-key-ref`: a secret reference given on the command line (relative to `cwd`). */
  flagRef?: string;
  /** The job's spec.encryption.key, with the job file's directory. */
  jobRef?: { ref: string; baseDir: string };
  /** The key is needed in clear (a run, or a script with --reveal-secrets); otherwise it is only shown masked. */
  reveal: boolean;
  /** The caller asked for the key in clear (--reveal-secrets): refuse when there is none. */
  revealAsked: boolean;
  cwd: string;
  resolveSecret: SecretResolver;
}

/**
 * The LiteSpeed @encryptionkey for a restore: from --encryption-key-ref, else the job's key. A key that
 * is only printed masked is never read (a masked script needs no access to the secret store), so it is
 * a stand-in whose value is ******** itself. Undefined when no key applies.
 */
export async function restoreEncryptionKey(r: RestoreKeyRequest): Promise<Secret | undefined> {
  if (r.native) {
    if (r.flagRef) {
      throw new HoldfastError(
        ErrorCode.ConfigInvalid,
        '--encryption-key-ref applies to LiteSpeed only; native RESTORE decrypts with a server certificate',
      );
    }
    return undefined;
  }
  const found = r.flagRef ? { ref: r.flagRef, baseDir: r.cwd } : r.jobRef;
  if (!found) {
    if (r.revealAsked) {
      throw new HoldfastError(
        ErrorCode.ConfigInvalid,
        '--reveal-secrets needs a key to reveal: --encryption-key-ref env:NAME, or --job with spec.encryption.key',
      );
    }
    return undefined;
  }
  if (!r.reveal) return new Secret(MASK, found.ref);
  return r.resolveSecret({ secretRef: found.ref }, found.baseDir);
}
