/** Where a manifest came from, for error messages: file, 1-based line and column. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** A validated manifest of any kind. `spec` has been parsed by the kind's schema. */
export interface Manifest<Spec = unknown> {
  apiVersion: 'holdfast/v1';
  kind: string;
  metadata: { name: string; labels: Record<string, string> };
  spec: Spec;
  source: SourceLocation;
  /** Directory of the job file: relative paths and file: secrets in the spec resolve against it. */
  baseDir: string;
}

/** A manifest whose kind is handled by a plugin (a backup job). */
export type Job<Spec = unknown> = Manifest<Spec>;

/** `{ secretRef: "env:NAME" | "file:PATH" | "@Microsoft.KeyVault(...)" }` as written in a job file. */
export interface SecretRef {
  secretRef: string;
}

export function isSecretRef(value: unknown): value is SecretRef {
  return typeof value === 'object' && value !== null && typeof (value as SecretRef).secretRef === 'string';
}
