import { describeError } from '../../src/core/errors.ts';
import type { Manifest } from '../../src/core/job.ts';
import type { PlanNote, PlanStep } from '../../src/core/plan.ts';
import type { Discovery, PlannedSteps, PluginContext } from '../../src/plugin/contract.ts';
import { checkKey } from '../../src/storage/contract.ts';
import { accountConcurrencyGroup, containerUri } from './account-name.ts';
import { checkResumable, MAX_CHECKPOINT_AGE_MS, readCheckpoint } from './export/checkpoint.ts';
import { checkpointKey, exportKeys, renderFileName } from './file-name.ts';
import type { CosmosBackupSpec } from './schema.ts';

export const EXPORT_ARTIFACT_KIND = 'cosmos-export';

/** What execute needs for one export step (plain JSON; secrets are resolved again from the job). */
export interface ExportStepParams {
  database: string;
  container: string;
  /** The export's key without extension. */
  base: string;
  /** Set when the plan resumes an interrupted export. */
  resumeFrom?: string;
  [key: string]: unknown;
}

/** One `export-container` step per covered container, with the exact command, the reason, and a concurrency group per account. */
export async function planExports(
  job: Manifest<CosmosBackupSpec>,
  discovery: Discovery,
  ctx: PluginContext,
  accountName: string,
): Promise<PlannedSteps> {
  const spec = job.spec;
  const steps: PlanStep[] = [];
  const notes: PlanNote[] = [];
  const now = ctx.clock.now();
  const storage = ctx.storage(spec.storage);
  for (const target of discovery.targets) {
    const database = String(target.details.database);
    const container = String(target.details.container);
    let base = renderFileName(spec.fileName, {
      account: accountName,
      database,
      container,
      at: now,
      timezone: spec.schedule?.timezone,
    });
    const problem = checkKey(exportKeys(base, spec.compression).manifest);
    if (problem) {
      notes.push({
        level: 'warning',
        message: `cannot export ${target.id}: fileName gives the key "${base}", which ${problem}`,
        details: { target: target.id },
      });
      continue;
    }
    const reasons = [scheduleReason(spec), lastExportReason(job.metadata.name, target.id, ctx)];
    let resumeFrom: string | undefined;
    try {
      const found = await readCheckpoint(storage, checkpointKey(job.metadata.name, target.id));
      if (found.checkpoint) {
        const why = checkResumable(found.checkpoint, {
          job: job.metadata.name,
          target: target.id,
          compression: spec.compression,
          now,
          maxAgeMs: MAX_CHECKPOINT_AGE_MS,
        });
        const saved = `${found.checkpoint.segments.reduce((n, s) => n + s.documents, 0)} documents in ${found.checkpoint.segments.length} part(s)`;
        if (why) reasons.push(`an interrupted export (${saved}) will be discarded: ${why}`);
        else {
          base = found.checkpoint.base;
          resumeFrom = found.checkpoint.startedAt;
          reasons.unshift(
            `resuming the export started ${shortTime(found.checkpoint.startedAt)} (${saved} already saved)`,
          );
        }
      } else if (found.problem) {
        reasons.push(`${found.problem}; it will be replaced`);
      }
    } catch (err) {
      notes.push({
        level: 'warning',
        message: `could not look for an interrupted export of ${target.id} in storage ${spec.storage}: ${describeError(err)}`,
        details: { target: target.id },
      });
    }
    const keys = exportKeys(base, spec.compression);
    const params: ExportStepParams = { database, container, base, ...(resumeFrom ? { resumeFrom } : {}) };
    steps.push({
      id: `${job.metadata.name}/${target.id}`,
      job: job.metadata.name,
      plugin: 'cosmos',
      target: target.id,
      action: 'export-container',
      command: exportCommand(spec, database, container, keys.data),
      reason: reasons.join('; '),
      dependsOn: [],
      concurrency: {
        group: accountConcurrencyGroup(spec.account.endpoint),
        limit: spec.maxConcurrentContainers,
      },
      params,
    });
  }
  if (steps.length > 0)
    notes.push({
      level: 'info',
      message: `${steps.length} container(s) of ${accountName} to export to storage ${spec.storage}`,
    });
  return { steps, notes };
}

function exportCommand(spec: CosmosBackupSpec, database: string, container: string, dataKey: string): string {
  const auth =
    spec.account.auth.type === 'key'
      ? ' --key ********'
      : spec.account.auth.type === 'emulator'
        ? ' --emulator-key'
        : ' --entra';
  const budget = [
    spec.maxRequestUnitsPerSecond !== undefined ? `max ${spec.maxRequestUnitsPerSecond} RU/s` : undefined,
    spec.throughputShare !== undefined
      ? `${Math.round(spec.throughputShare * 100)}% of provisioned RU/s`
      : undefined,
  ].filter(Boolean);
  const pacing = budget.length > 0 ? ` (${budget.join(', ')})` : '';
  return `export ${containerUri(spec.account.endpoint, database, container)}${auth}${pacing} → ${spec.storage}:${dataKey} (+ .manifest.json)`;
}

function scheduleReason(spec: CosmosBackupSpec): string {
  return spec.schedule
    ? `scheduled export (${spec.schedule.cron}${spec.schedule.timezone !== 'UTC' ? ` ${spec.schedule.timezone}` : ''})`
    : 'export run by hand';
}

function lastExportReason(job: string, target: string, ctx: PluginContext): string {
  const last = ctx.catalog
    .listArtifacts({ job, target, kind: EXPORT_ARTIFACT_KIND })
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
  if (!last) return 'no export yet';
  const docs =
    typeof last.metadata.documentCount === 'number' ? `, ${last.metadata.documentCount} documents` : '';
  return `last good export ${shortTime(last.createdAt.toISOString())}${docs}`;
}

/** `2026-03-01T02:00Z` */
function shortTime(iso: string): string {
  return `${iso.slice(0, 16)}Z`;
}
