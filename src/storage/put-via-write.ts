import { finished } from 'node:stream/promises';
import type { StorageTarget, StoredObject, WriteOptions } from './contract.ts';

/** `put` in terms of `openWrite`: one code path, so small objects get the same atomicity and checks as large ones. */
export async function putViaWrite(
  target: StorageTarget,
  key: string,
  data: Buffer | string,
  options?: WriteOptions,
): Promise<StoredObject> {
  const write = await target.openWrite(key, options);
  try {
    await finished(write.stream.end(typeof data === 'string' ? Buffer.from(data, 'utf8') : data));
    return await write.commit();
  } catch (err) {
    await write.abort();
    throw err;
  }
}
