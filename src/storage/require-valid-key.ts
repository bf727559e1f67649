import { ErrorCode, HoldfastError } from '../core/errors.ts';
import { checkKey } from './contract.ts';

/** Throws STORAGE_FAILED naming the target and the problem when `key` is not a valid storage key. */
export function requireValidKey(target: string, key: string): void {
  const problem = typeof key === 'string' ? checkKey(key) : 'key is not a string';
  if (problem) {
    throw new HoldfastError(
      ErrorCode.StorageFailed,
      `storage ${target}: invalid key ${JSON.stringify(key)}: ${problem}`,
      {
        target,
        details: { key, problem },
      },
    );
  }
}

/** Throws STORAGE_FAILED when a list prefix could never match a valid key (backslash, leading /, control characters). */
export function requireValidPrefix(target: string, prefix: string): void {
  let problem: string | undefined;
  if (typeof prefix !== 'string') problem = 'prefix is not a string';
  else if (prefix.startsWith('/')) problem = 'prefix starts with /';
  else if (prefix.includes('\\')) problem = 'prefix contains a backslash';
  // eslint-disable-next-line no-control-regex
  else if (/[\u0000-\u001f]/.test(prefix)) problem = 'prefix contains a control character';
  if (problem) {
    throw new HoldfastError(
      ErrorCode.StorageFailed,
      `storage ${target}: invalid list prefix ${JSON.stringify(prefix)}: ${problem}`,
      {
        target,
        details: { prefix, problem },
      },
    );
  }
}
