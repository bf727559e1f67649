import { z } from 'zod';

/**
 * A reference to a secret, as written in a job file: `{ secretRef: "env:NAME" }`, `file:PATH`, or an Azure
 * Key Vault reference `@Microsoft.KeyVault(...)`. Never a value. The loader checks the form and, for env: and
 * file:, that the secret exists.
 */
export const secretRefSchema = z
  .strictObject({
    secretRef: z
      .string()
      .min(1)
      .describe('env:NAME | file:PATH | @Microsoft.KeyVault(SecretUri=...) | @Microsoft.KeyVault(VaultName=...;SecretName=...)'),
  })
  .describe('A reference to a secret (never the secret itself).');
