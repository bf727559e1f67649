import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { ErrorCode, HoldfastError } from '../../src/core/errors.ts';
import type { Job } from '../../src/core/job.ts';
import type { PlanStep } from '../../src/core/plan.ts';
import { secretRefSchema } from '../../src/core/secret-ref-schema.ts';
import type { Artifact } from '../../src/catalog/contract.ts';
import type {
  Discovery,
  ExecuteContext,
  Plugin,
  PluginContext,
  PlannedSteps,
  StepOutcome,
} from '../../src/plugin/contract.ts';
import { notifyRuleSchema } from '../../src/notify/schema.ts';
import { retentionPolicySchema } from '../../src/retention/schema.ts';

/**
 * The file-copy test plugin (test/fixtures/file-copy-plugin.ts) extended for retention and notifications:
 * - `retention` and `notify` in the spec, as the real plugins have them;
 * - `chain: true`: each copy depends on the previous copy of the same file (like logs on a base), so chains form;
 * - `manifest: true`: each copy is a data object plus a manifest object (like a Cosmos export);
 * - `serverDir`: copies go to a plain directory instead of a Storage target (`storage: server`), removed through
 *   the plugin's `remove` hook (like LiteSpeed files deleted through the SQL Server);
 * - `failPattern`, and `echoSecret`: a failure whose message carries the resolved `key` (a server echoing input).
 */
export const retentionTestSpecSchema = z.strictObject({
  source: z.string().min(1),
  storage: z.string().min(1).optional(),
  serverDir: z.string().min(1).optional(),
  prefix: z.string().default('files'),
  chain: z.boolean().default(false),
  manifest: z.boolean().default(false),
  failPattern: z.string().optional(),
  key: secretRefSchema.optional(),
  echoSecret: z.boolean().default(false),
  retention: retentionPolicySchema.optional(),
  notify: z.array(notifyRuleSchema).optional(),
});
type Spec = z.infer<typeof retentionTestSpecSchema>;

const stamp = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

export function retentionTestPlugin(): Plugin & { removed: string[] } {
  const removed: string[] = [];
  return {
    name: 'copy-retained',
    version: '0.0.0-test',
    removed,
    capabilities: { discover: true, backup: true, restore: false, retention: true, backupTypes: ['full'] },
    kinds: [
      {
        kind: 'RetainedCopy',
        description: 'Test-only: copies files with retention and notifications.',
        schema: retentionTestSpecSchema,
        references: (raw) => {
          const spec = raw as Spec;
          return [
            ...(spec.storage ? [{ path: ['storage'], kind: 'Storage' as const, name: spec.storage }] : []),
            ...(spec.notify ?? []).map((r, i) => ({
              path: ['notify', i, 'channel'],
              kind: 'Channel' as const,
              name: r.channel,
            })),
          ];
        },
      },
    ],
    async discover(job: Job): Promise<Discovery> {
      const dir = path.resolve(job.baseDir, (job.spec as Spec).source);
      const names = (await readdir(dir)).sort();
      return {
        targets: names.map((n) => ({ id: `files/${n}`, details: { file: path.join(dir, n) } })),
        notes: [],
      };
    },
    async plan(job: Job, discovery: Discovery, ctx: PluginContext): Promise<PlannedSteps> {
      const spec = job.spec as Spec;
      const steps: PlanStep[] = discovery.targets.map((t) => {
        const key = `${spec.prefix}/${path.basename(String(t.details.file))}/${stamp(ctx.clock.now())}`;
        return {
          id: `${job.metadata.name}/${t.id}`,
          job: job.metadata.name,
          plugin: 'copy-retained',
          target: t.id,
          action: 'copy-file',
          command: `copy ${path.basename(String(t.details.file))} -> ${spec.storage ?? 'server'}:${key}`,
          reason: 'every run copies every file',
          dependsOn: [],
          params: { file: t.details.file, key },
        };
      });
      return { steps, notes: [] };
    },
    async execute(step: PlanStep, job: Job, ctx: ExecuteContext): Promise<StepOutcome> {
      const spec = job.spec as Spec;
      const file = String(step.params.file);
      const key = String(step.params.key);
      if (spec.failPattern && new RegExp(spec.failPattern).test(path.basename(file))) {
        const secret =
          spec.echoSecret && spec.key
            ? ` (server said: bad key '${(await ctx.resolveSecret(spec.key)).reveal()}')`
            : '';
        throw new HoldfastError(ErrorCode.ServerError, `cannot copy ${path.basename(file)}${secret}`);
      }
      const previous = ctx.catalog.listArtifacts({ job: job.metadata.name, target: step.target }).at(-1);
      const size = (await stat(file)).size;
      const locations: string[] = [];
      let sha256: string | undefined;
      if (spec.serverDir) {
        const dest = path.join(path.resolve(job.baseDir, spec.serverDir), ...key.split('/'));
        await mkdir(path.dirname(dest), { recursive: true });
        await copyFile(file, dest);
        locations.push(dest);
      } else {
        const target = ctx.storage(spec.storage!);
        const write = await target.openWrite(`${key}/data`);
        try {
          await pipeline(createReadStream(file), write.stream);
          const obj = await write.commit();
          sha256 = obj.sha256;
          locations.push(obj.key);
        } catch (err) {
          await write.abort();
          throw err;
        }
        if (spec.manifest) {
          const m = await target.put(
            `${key}/manifest.json`,
            JSON.stringify({ file: path.basename(file), bytes: size, sha256 }),
          );
          locations.push(m.key);
        }
      }
      return {
        status: 'succeeded',
        summary: `copied ${size} bytes`,
        metrics: { bytes: size, files: 1 },
        artifacts: [
          {
            job: job.metadata.name,
            plugin: 'copy-retained',
            target: step.target,
            kind: 'file-copy',
            type: spec.chain && previous ? 'incremental' : 'full',
            storage: spec.serverDir ? 'server' : spec.storage!,
            locations,
            bytes: size,
            sha256,
            createdAt: ctx.clock.now(),
            dependsOn: spec.chain && previous ? [previous.id] : [],
            metadata: spec.manifest ? { manifestKey: locations[1] } : {},
          },
        ],
      };
    },
    async remove(artifact: Artifact): Promise<void> {
      for (const file of artifact.locations) await rm(file, { force: true });
      removed.push(artifact.id);
    },
  };
}
