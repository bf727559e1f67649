import { z } from 'zod';

/**
 * What `<name>.manifest.json` holds next to each export. It is written last: an export whose manifest is missing
 * is incomplete and is never counted as a backup. Restore reads it to recreate the container and to check counts.
 */
export const segmentSchema = z.strictObject({
  /** Bytes of this segment in the data file (complete gzip members, or one zstd frame). */
  bytes: z.number().int().nonnegative(),
  documents: z.number().int().nonnegative(),
  rawBytes: z.number().int().nonnegative(),
});

export const throughputSchema = z.strictObject({
  /** `container` (dedicated) or `database` (shared by the database's containers). */
  scope: z.enum(['container', 'database']),
  mode: z.enum(['manual', 'autoscale']),
  /** Manual RU/s, or the autoscale maximum. */
  requestUnitsPerSecond: z.number().nonnegative(),
});
export type Throughput = z.infer<typeof throughputSchema>;

export const exportManifestSchema = z.strictObject({
  formatVersion: z.literal(1),
  kind: z.literal('holdfast/cosmos-export'),
  tool: z.strictObject({
    name: z.literal('holdfast'),
    version: z.string(),
    plugin: z.string(),
    sdk: z.string(),
  }),
  job: z.string(),
  target: z.string(),
  account: z.strictObject({ name: z.string(), endpoint: z.string() }),
  database: z.strictObject({ id: z.string() }),
  container: z.strictObject({
    id: z.string(),
    /** The source's resource id (changes when a container of the same name is recreated). */
    rid: z.string().optional(),
    /** The container definition as read (system properties removed): partition key, indexing policy, unique keys, TTL... */
    definition: z.record(z.string(), z.unknown()),
  }),
  throughput: throughputSchema.nullable(),
  /** Why throughput is null (no offer on an emulator, not readable with Entra auth, serverless). */
  throughputUnavailableReason: z.string().optional(),
  data: z.strictObject({
    key: z.string(),
    format: z.literal('jsonl'),
    compression: z.enum(['gzip', 'zstd', 'none']),
    documentCount: z.number().int().nonnegative(),
    bytesRaw: z.number().int().nonnegative(),
    bytesCompressed: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** The data file is these segments in order (one unless the export was checkpointed). */
    segments: z.array(segmentSchema).min(1),
  }),
  count: z.strictObject({
    /** Documents counted in the container (SELECT VALUE COUNT(1)) when the export started and when it ended. */
    atStart: z.number().int().nonnegative(),
    atEnd: z.number().int().nonnegative(),
    exported: z.number().int().nonnegative(),
  }),
  read: z.strictObject({
    reader: z.enum(['change-feed', 'query']),
    feedRanges: z.number().int().positive(),
    resumed: z.boolean(),
    /** Change-feed continuation per range at the end (a starting point for incremental exports). */
    continuation: z.array(z.string()).optional(),
  }),
  requestCharge: z.number().nonnegative(),
  requestUnitBudget: z.strictObject({ perSecond: z.number().positive(), source: z.string() }).nullable(),
  startedAt: z.string(),
  finishedAt: z.string(),
  consistency: z.string(),
});
export type ExportManifest = z.infer<typeof exportManifestSchema>;

/** System properties the service owns; stripped from a container definition before it is stored. */
const DEFINITION_SYSTEM_KEYS = new Set([
  '_rid',
  '_self',
  '_etag',
  '_ts',
  '_docs',
  '_sprocs',
  '_triggers',
  '_udfs',
  '_conflicts',
]);

export function cleanDefinition(resource: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(resource).filter(([k, v]) => !DEFINITION_SYSTEM_KEYS.has(k) && v !== undefined),
  );
}

export const CONSISTENCY_NOTE =
  'A live export, not a snapshot: documents written while it ran may or may not be included. The count check compares the export with the container at the end.';
