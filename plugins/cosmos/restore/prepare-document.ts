import type { PartitionKey, PartitionKeyDefinition } from '@azure/cosmos';

/**
 * Properties the service owns and assigns again on write (reference §3.2). Only these are removed: user fields
 * that merely start with `_` (`_partitionKey`, `_type`) are data and stay.
 */
export const SYSTEM_PROPERTIES = ['_rid', '_self', '_etag', '_ts', '_attachments', '_lsn'] as const;

export function stripSystemProperties(document: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(document)) {
    if (!(SYSTEM_PROPERTIES as readonly string[]).includes(key)) out[key] = value;
  }
  return out;
}

/** The "none" partition key (a document without a value at the path): `{}` in the SDK. */
const NONE: PartitionKey = {} as PartitionKey;

/**
 * The partition key value of a document for a container's definition: one value for a single path, an array for
 * hierarchical (MultiHash) keys; a missing value is the "none" key, as Cosmos DB stores it.
 */
export function partitionKeyOf(
  document: Record<string, unknown>,
  definition: PartitionKeyDefinition | undefined,
): PartitionKey {
  const paths = definition?.paths ?? [];
  if (paths.length === 0) return NONE;
  const values = paths.map((p) => valueAt(document, p));
  if (paths.length === 1 && definition?.kind !== 'MultiHash') return (values[0] ?? NONE) as PartitionKey;
  return values.map((v) => v ?? NONE) as PartitionKey;
}

function valueAt(document: Record<string, unknown>, path: string): unknown {
  let current: unknown = document;
  for (const segment of splitPath(path)) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current === undefined || (current !== null && typeof current === 'object') ? undefined : current;
}

/** `/a/b` → [a, b]; `/"a b"/c` → [a b, c] (quoted segments may hold `/`). */
export function splitPath(path: string): string[] {
  const out: string[] = [];
  let i = path.startsWith('/') ? 1 : 0;
  while (i < path.length) {
    if (path[i] === '"' || path[i] === "'") {
      const quote = path[i]!;
      let j = i + 1;
      let text = '';
      while (j < path.length && path[j] !== quote) {
        if (path[j] === '\\' && j + 1 < path.length) j++;
        text += path[j];
        j++;
      }
      out.push(text);
      i = j + 2;
    } else {
      const j = path.indexOf('/', i);
      out.push(path.slice(i, j < 0 ? undefined : j));
      i = j < 0 ? path.length : j + 1;
    }
  }
  return out;
}
