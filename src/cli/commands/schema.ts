import type { Argv } from 'yargs';
import { z } from 'zod';
import { ExitCode } from '../../core/errors.ts';
import { createRegistry } from '../../plugin/builtin-plugins.ts';
import { API_VERSION, metadataSchema } from '../../config/envelope.ts';
import type { CliDeps, GlobalArgs } from '../app.ts';
import type { CliIo } from '../io.ts';

export const SCHEMA_ID = 'https://holdfast.dev/schema/holdfast-v1.json';

/** The JSON Schema (draft-07) of every manifest kind, for editors (`# yaml-language-server: $schema=...`). */
export function jobFileJsonSchema(deps: CliDeps = {}): Record<string, unknown> {
  const registry = createRegistry(deps.plugins);
  const toJson = (s: z.ZodType) => z.toJSONSchema(s, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const strip = (s: Record<string, unknown>) => {
    const { $schema: _drop, ...rest } = s;
    return rest;
  };
  const kinds = [...registry.kinds().values()].sort((a, b) => a.kind.localeCompare(b.kind));
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: SCHEMA_ID,
    title: 'holdfast job file (one manifest per YAML document)',
    oneOf: kinds.map((k) => ({ $ref: `#/definitions/${k.kind}` })),
    definitions: Object.fromEntries(
      kinds.map((k) => [
        k.kind,
        {
          type: 'object',
          description: k.description,
          additionalProperties: false,
          required: ['apiVersion', 'kind', 'metadata', 'spec'],
          properties: {
            apiVersion: { const: API_VERSION },
            kind: { const: k.kind },
            metadata: strip(toJson(metadataSchema)),
            spec: strip(toJson(k.schema)),
          },
        },
      ]),
    ),
  };
}

export function schemaCommand(y: Argv<GlobalArgs>, io: CliIo, deps: CliDeps, done: (code: number, p?: Promise<unknown>) => void): Argv<GlobalArgs> {
  return y.command(
    'schema',
    'Print the JSON Schema (draft-07) of job files, for editor validation',
    (b) => b,
    () => {
      io.stdout.write(`${JSON.stringify(jobFileJsonSchema(deps), null, 2)}\n`);
      done(ExitCode.Ok);
    },
  );
}
