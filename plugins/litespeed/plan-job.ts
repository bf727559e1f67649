import { ErrorCode, HoldfastError } from '../../src/core/errors.ts';
import type { Job } from '../../src/core/job.ts';
import type { PlanNote, PlanStep } from '../../src/core/plan.ts';
import type { Discovery, PlannedSteps, PluginContext } from '../../src/plugin/contract.ts';
import { ARTIFACT_KIND, metadataOf } from './backup-artifact.ts';
import { FORCE_TYPES, type ForceType } from './choose-backups.ts';
import type { TargetDetails } from './discover-job.ts';
import type { LiteSpeedBackupSpec } from './job-spec-schema.ts';
import { planDatabase, preflightStep } from './plan-backups.ts';
import { runPreflight } from './preflight.ts';

/**
 * Plans one job from its discovery, the catalog and the clock: preflight, then the backups of each database
 * that passed it. Read-only and deterministic. A database with a preflight problem gets one step that fails
 * with every problem, so the plan shows them and the run fails for it.
 */
export async function planJob(job: Job, discovery: Discovery, ctx: PluginContext): Promise<PlannedSteps> {
  const spec = job.spec as LiteSpeedBackupSpec;
  const name = job.metadata.name;
  const forceType = checkForceType(ctx.options.forceType);
  // Resolve the key now, so a reference that cannot be read fails the plan rather than the backup.
  if (spec.encryption?.key) await ctx.resolveSecret(spec.encryption.key);
  const targets = discovery.targets.map((t) => ({ id: t.id, details: t.details as TargetDetails }));
  if (targets.length === 0) return { steps: [], notes: [] };
  const server = targets[0]!.details.server;

  const preflight = runPreflight({
    spec,
    server,
    databases: targets.flatMap((t) => (t.details.database ? [t.details.database] : [])),
    missing: targets.filter((t) => t.details.missing).map((t) => t.details.name),
    refused: targets
      .filter((t) => t.details.refused)
      .map((t) => ({ name: t.details.name, why: t.details.refused! })),
    wantsLogs: forceType === 'log' || !spec.schedule || spec.schedule.log !== undefined,
  });
  const steps: PlanStep[] = [];
  const notes: PlanNote[] = preflight.notes.map((message) => ({ level: 'info', message }));
  const artifacts = ctx.catalog.listArtifacts({ plugin: 'litespeed', kind: ARTIFACT_KIND });
  const now = ctx.clock.now();

  for (const t of targets) {
    const dbName = t.details.name;
    const problems = [
      ...preflight.serverProblems,
      ...(preflight.databases.find((d) => d.database === dbName)?.problems ?? []),
    ];
    if (problems.length > 0 || !t.details.database) {
      steps.push(preflightStep(name, t.id, dbName, problems));
      notes.push({
        level: 'warning',
        message: `job ${name}, database ${dbName}: no backup: ${problems.join('; ')}`,
        details: { database: dbName, problems },
      });
      continue;
    }
    const mine = artifacts.filter((a) => a.target === t.id);
    const planned = planDatabase({
      job: name,
      spec,
      server,
      database: t.details.database,
      now,
      ...(forceType ? { forceType } : {}),
      goodBackupSets: new Set(mine.map((a) => metadataOf(a).backupSetUuid)),
      knownLocations: new Set(mine.flatMap((a) => a.locations.map((l) => l.toLowerCase()))),
    });
    steps.push(...planned.steps);
    notes.push(...planned.notes);
  }
  return { steps, notes };
}

function checkForceType(value: string | undefined): ForceType | undefined {
  if (value === undefined || value === '') return undefined;
  const lower = value.toLowerCase();
  if ((FORCE_TYPES as readonly string[]).includes(lower)) return lower as ForceType;
  throw new HoldfastError(
    ErrorCode.ConfigInvalid,
    `--type ${value} is not a backup type of LiteSpeedBackup jobs (allowed: ${FORCE_TYPES.join(', ')})`,
  );
}
