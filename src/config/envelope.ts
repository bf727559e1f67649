import { z } from 'zod';

export const API_VERSION = 'holdfast/v1';

export const manifestNameSchema = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'a name is 1-63 lower-case letters, digits and dashes, starting and ending with a letter or digit')
  .describe('Unique name of this manifest within its kind (jobs: among all jobs).');

export const labelsSchema = z
  .record(z.string().regex(/^[A-Za-z0-9]([A-Za-z0-9._/-]{0,126}[A-Za-z0-9])?$/, 'label keys are letters, digits, . _ / -'), z.string().max(256))
  .describe('Free key/value labels; `--selector key=value` picks jobs by them.');

export const metadataSchema = z
  .strictObject({
    name: manifestNameSchema,
    labels: labelsSchema.optional(),
  })
  .describe('Name and labels.');

/** The envelope every manifest shares; `spec` is validated by its kind's schema. */
export const envelopeSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION).describe(`Always ${API_VERSION}.`),
  kind: z.string().describe('The kind of manifest.'),
  metadata: metadataSchema,
  spec: z.unknown(),
});
