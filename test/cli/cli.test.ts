import { describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../helpers/cli.ts';
import { jobFileJsonSchema } from '../../src/cli/commands/schema.ts';

describe('holdfast CLI', () => {
  it('runs as a real process on Node 24 and lists commands and exit codes in --help', async () => {
    const r = await spawnCli(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['validate', 'schema', 'plan', 'run', 'discover', 'catalog']) expect(r.stdout).toContain(`holdfast ${cmd}`);
    expect(r.stdout).toContain('4  already running');
  });

  it('rejects an unknown command or option with exit 2', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2);
    const r = await runCli(['plan', 'x', '--no-such-flag']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown argument/i);
  });

  it('prints a draft-07 JSON Schema with every kind, strict about unknown keys', async () => {
    const r = await runCli(['schema']);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout);
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(Object.keys(schema.definitions)).toEqual(expect.arrayContaining(['Channel', 'Storage']));
    expect(schema.definitions.Storage.properties.kind).toEqual({ const: 'Storage' });
    expect(JSON.stringify(schema.definitions.Storage.properties.spec)).toContain('"additionalProperties":false');
    expect(jobFileJsonSchema()).toEqual(schema);
  });
});
