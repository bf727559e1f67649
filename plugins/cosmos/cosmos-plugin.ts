import type { TokenCredential } from '@azure/identity';
import type { Job } from '../../src/core/job.ts';
import type { PlanStep } from '../../src/core/plan.ts';
import type {
  Discovery,
  ExecuteContext,
  ManifestReference,
  Plugin,
  PluginContext,
  PlannedSteps,
  StepOutcome,
} from '../../src/plugin/contract.ts';
import { accountNameOf } from './account-name.ts';
import { connectCosmos, type CosmosConnection } from './connect-cosmos.ts';
import { toCosmosError } from './cosmos-errors.ts';
import { listContainers, selectContainers } from './discover-containers.ts';
import { exportContainer } from './export/export-container.ts';
import { EXPORT_ARTIFACT_KIND, planExports, type ExportStepParams } from './plan-exports.ts';
import { retryTransient, type RetryTransientOptions } from './retry-transient.ts';
import { cosmosBackupSpecSchema, type CosmosBackupSpec } from './schema.ts';
import { PLUGIN_VERSION, VERSIONS } from './versions.ts';

export interface CosmosPluginOptions {
  /** Entra credential for `auth: { type: entra }` (default DefaultAzureCredential). */
  credential?: TokenCredential;
  /** Outer retry of Cosmos calls (attempts, delays); production defaults when left out. */
  retry?: RetryTransientOptions;
  /** Write documents as the server's bytes (default true); false re-serialises the SDK's parsed documents. */
  rawPages?: boolean;
}

/**
 * The Cosmos DB plugin: kind `CosmosBackup`. Discovers the containers of an account, plans one export per
 * covered container, and exports each to JSON Lines with a manifest. Restore lives in ./restore (used by
 * `holdfast restore cosmos`), because it runs on demand rather than as a planned step.
 */
export function cosmosPlugin(options: CosmosPluginOptions = {}): Plugin {
  const connections = new Map<string, Promise<CosmosConnection>>();

  const connect = (job: Job<CosmosBackupSpec>, ctx: PluginContext): Promise<CosmosConnection> => {
    const account = job.spec.account;
    const key = `${account.endpoint}\u0000${JSON.stringify(account.auth)}\u0000${job.baseDir}`;
    let hit = connections.get(key);
    if (!hit) {
      hit = connectCosmos(account, { resolveSecret: ctx.resolveSecret, credential: options.credential });
      hit.catch(() => connections.delete(key));
      connections.set(key, hit);
    }
    return hit;
  };

  return {
    name: 'cosmos',
    version: PLUGIN_VERSION,
    capabilities: { discover: true, backup: true, restore: true, retention: true, backupTypes: ['export'] },
    kinds: [
      {
        kind: 'CosmosBackup',
        description:
          'Exports the containers of a Cosmos DB (NoSQL) account to compressed JSON Lines with a manifest, on a schedule.',
        schema: cosmosBackupSpecSchema,
        references: (raw) => {
          const spec = raw as CosmosBackupSpec;
          const refs: ManifestReference[] = [{ path: ['storage'], kind: 'Storage', name: spec.storage }];
          spec.notify.forEach((rule, i) =>
            refs.push({ path: ['notify', i, 'channel'], kind: 'Channel', name: rule.channel }),
          );
          return refs;
        },
      },
    ],

    async discover(job: Job, ctx: PluginContext): Promise<Discovery> {
      const cosmosJob = job as Job<CosmosBackupSpec>;
      const connection = await connect(cosmosJob, ctx);
      const listing = await retryTransient(() => listContainers(connection.client), {
        ...options.retry,
        signal: ctx.signal,
      }).catch((err: unknown) => {
        throw toCosmosError(err, {
          endpoint: connection.endpoint,
          action: 'listing databases and containers',
          secrets: connection.secrets,
        });
      });
      return selectContainers(cosmosJob, connection.accountName, listing, ctx.manifests);
    },

    plan(job: Job, discovery: Discovery, ctx: PluginContext): Promise<PlannedSteps> {
      const cosmosJob = job as Job<CosmosBackupSpec>;
      return planExports(cosmosJob, discovery, ctx, accountNameOf(cosmosJob.spec.account));
    },

    async execute(step: PlanStep, job: Job, ctx: ExecuteContext): Promise<StepOutcome> {
      const cosmosJob = job as Job<CosmosBackupSpec>;
      const spec = cosmosJob.spec;
      const params = step.params as ExportStepParams;
      const connection = await connect(cosmosJob, ctx);
      const started = performance.now();
      const result = await exportContainer({
        connection,
        storage: ctx.storage(spec.storage),
        spec,
        job: job.metadata.name,
        target: step.target,
        database: params.database,
        container: params.container,
        base: params.base,
        clock: ctx.clock,
        logger: ctx.logger,
        signal: ctx.signal,
        progress: (update) => ctx.progress(update),
        versions: VERSIONS,
        retry: options.retry,
        rawPages: options.rawPages,
      });
      const { manifest, data, manifestObject } = result;
      const seconds = (performance.now() - started) / 1000;
      const summary =
        `exported ${manifest.data.documentCount} documents (${mb(manifest.data.bytesRaw)} → ${mb(data.bytes)} ${manifest.data.compression}) in ${seconds.toFixed(1)} s, ` +
        `${Math.round(manifest.requestCharge)} RU; count checked${result.resumed ? '; resumed from its checkpoint' : ''}${result.notes.length ? `; ${result.notes.join('; ')}` : ''}`;
      return {
        status: 'succeeded',
        summary,
        metrics: {
          documents: manifest.data.documentCount,
          bytes: data.bytes,
          requestCharge: manifest.requestCharge,
          files: 2,
        },
        artifacts: [
          {
            job: job.metadata.name,
            plugin: 'cosmos',
            target: step.target,
            kind: EXPORT_ARTIFACT_KIND,
            type: 'export',
            storage: spec.storage,
            locations: [data.key, manifestObject.key],
            bytes: data.bytes,
            sha256: data.sha256,
            createdAt: new Date(manifest.finishedAt),
            dependsOn: [],
            metadata: {
              database: params.database,
              container: params.container,
              documentCount: manifest.data.documentCount,
              bytesRaw: manifest.data.bytesRaw,
              compression: manifest.data.compression,
              manifestKey: manifestObject.key,
              requestCharge: manifest.requestCharge,
              startedAt: manifest.startedAt,
            },
          },
        ],
      };
    },

    async dispose(): Promise<void> {
      const all = [...connections.values()];
      connections.clear();
      for (const c of await Promise.allSettled(all)) if (c.status === 'fulfilled') c.value.dispose();
    },
  };
}

function mb(bytes: number): string {
  return bytes >= 1_048_576 ? `${(bytes / 1_048_576).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} KB`;
}
