import { ErrorCode, HoldfastError } from '../../src/core/errors.ts';
import type { Job } from '../../src/core/job.ts';
import type { PlanStep } from '../../src/core/plan.ts';
import type { Secret } from '../../src/core/secret.ts';
import type {
  ExecuteContext,
  KindDefinition,
  ManifestReference,
  Plugin,
  StepOutcome,
} from '../../src/plugin/contract.ts';
import type { Artifact } from '../../src/catalog/contract.ts';
import { FORCE_TYPES } from './choose-backups.ts';
import { discoverJob } from './discover-job.ts';
import { executeBackup } from './execute-backup.ts';
import { liteSpeedBackupSpecSchema, type LiteSpeedBackupSpec } from './job-spec-schema.ts';
import type { PreflightStepParams } from './plan-backups.ts';
import { planJob } from './plan-job.ts';
import type { FactReader } from './read-server-facts.ts';
import { removeBackupFiles } from './remove-backup-files.ts';
import { resolveServer } from './server-target.ts';
import { SqlPools } from './sql-connection.ts';
import { validateLiteSpeedSpec } from './validate-job-spec.ts';

export const LITESPEED_KIND: KindDefinition = {
  kind: 'LiteSpeedBackup',
  description:
    'SQL Server backups through Quest LiteSpeed (or native BACKUP): filegroup, partial, differential partial, full and log.',
  schema: liteSpeedBackupSpecSchema,
  references: (spec) =>
    ((spec as LiteSpeedBackupSpec).notify ?? []).map((rule, i): ManifestReference => ({
      path: ['notify', i, 'channel'],
      kind: 'Channel',
      name: rule.channel,
    })),
  validate: validateLiteSpeedSpec,
};

/**
 * The LiteSpeed plugin: discovers a SQL Server's databases, filegroups and msdb history, decides each
 * database's backups (filegroup, partial or full base, differential, log) with reasons, renders them from
 * templates, runs them through mssql with typed parameters, confirms them in msdb, verifies them and records
 * them with what a restore needs. Connections are pooled per server until dispose.
 */
export function liteSpeedPlugin(): Plugin {
  const pools = new SqlPools();

  async function connect(
    job: Job,
    ctx: ExecuteContext,
  ): Promise<{ spec: LiteSpeedBackupSpec; reader: FactReader; secrets: Secret[] }> {
    const spec = job.spec as LiteSpeedBackupSpec;
    const server = await resolveServer(spec.server, ctx.resolveSecret, spec.maxConcurrentBackupsPerServer);
    return {
      spec,
      reader: { pools, target: server.target, timeZone: spec.server.timeZone },
      secrets: server.secrets,
    };
  }

  return {
    name: 'litespeed',
    version: '0.1.0',
    kinds: [LITESPEED_KIND],
    capabilities: { discover: true, backup: true, restore: false, retention: true, backupTypes: FORCE_TYPES },

    discover: (job, ctx) => discoverJob(job, ctx, pools),
    plan: (job, discovery, ctx) => planJob(job, discovery, ctx),

    async execute(step: PlanStep, job: Job, ctx: ExecuteContext): Promise<StepOutcome> {
      if (step.action === 'preflight') {
        const p = step.params as PreflightStepParams;
        const message = `job ${step.job}, database ${p.database}: ${p.problems.join('; ')}`;
        return {
          status: 'failed',
          summary: `preflight: ${p.problems.join('; ')}`,
          error: new HoldfastError(ErrorCode.ConfigInvalid, message, {
            job: step.job,
            target: step.target,
            details: { problems: p.problems },
          }),
        };
      }
      const { spec, reader, secrets } = await connect(job, ctx);
      const key = spec.encryption?.key ? await ctx.resolveSecret(spec.encryption.key) : null;
      return executeBackup(step, spec, ctx, { reader, key, secrets: key ? [...secrets, key] : secrets });
    },

    async remove(artifact: Artifact, job: Job, ctx: ExecuteContext): Promise<void> {
      const { spec, reader, secrets } = await connect(job, ctx);
      await removeBackupFiles(artifact, spec, reader, secrets, ctx.signal);
    },

    dispose: () => pools.closeAll(),
  };
}
