import { ErrorCode, HoldfastError } from '../../src/core/errors.ts';
import type { PlanStep } from '../../src/core/plan.ts';
import type { Secret } from '../../src/core/secret.ts';
import type { ExecuteContext, StepOutcome } from '../../src/plugin/contract.ts';
import { ARTIFACT_KIND, buildArtifact } from './backup-artifact.ts';
import { describeCall } from './backup-call.ts';
import { backupStatement, verifyStatement } from './backup-views.ts';
import { confirmBackupSet } from './confirm-backup-set.ts';
import type { LiteSpeedBackupSpec } from './job-spec-schema.ts';
import type { BackupStepParams } from './plan-backups.ts';
import type { FactReader } from './read-server-facts.ts';
import { runStatement, type ServerMessage } from './run-statement.ts';

export interface BackupExecution {
  reader: FactReader;
  /** Resolved encryption key (null: not encrypted). */
  key: Secret | null;
  secrets: readonly Secret[];
}

/**
 * Runs one planned backup: the statement with typed parameters (LiteSpeed's return code checked), then
 * msdb must show the backup set, then the verify when asked. Only then is the backup recorded, with what
 * a restore from it needs. A failure anywhere throws, and nothing is recorded as a good backup.
 */
export async function executeBackup(
  step: PlanStep,
  spec: LiteSpeedBackupSpec,
  ctx: ExecuteContext,
  run: BackupExecution,
): Promise<StepOutcome> {
  const params = step.params as BackupStepParams;
  const call = params.call;
  if (call.cryptLevel !== null && run.key === null)
    throw new HoldfastError(
      ErrorCode.ConfigInvalid,
      `the ${describeCall(call)} is encrypted but no key was resolved`,
    );
  const pool = await run.reader.pools.get(run.reader.target);
  const messages: ServerMessage[] = [];
  const onMessage = (m: ServerMessage) => {
    messages.push(m);
    const pct = /(\d{1,3})\s*(?:%|percent)/i.exec(m.message);
    ctx.progress({ message: m.message, ...(pct ? { fraction: Math.min(1, Number(pct[1]) / 100) } : {}) });
  };
  const result = await runStatement(pool, backupStatement(call, params.reason, run.key), {
    unlimited: true,
    signal: ctx.signal,
    secrets: run.secrets,
    onMessage,
  });
  if (call.engine === 'litespeed' && result.rc !== 0) {
    throw new HoldfastError(
      ErrorCode.ServerError,
      `the ${describeCall(call)} failed: LiteSpeed returned ${result.rc ?? 'NULL'}`,
      { details: { rc: result.rc } },
    );
  }
  const set = await confirmBackupSet(run.reader, call, params.msdbMark);
  ctx.progress({
    message: `msdb shows backup set ${set.backupSetId} (type ${set.type}, position ${set.position})`,
  });

  if (call.verify) {
    try {
      const verify = await runStatement(pool, verifyStatement(call, set.position, run.key), {
        unlimited: true,
        signal: ctx.signal,
        secrets: run.secrets,
        onMessage,
      });
      if (call.engine === 'litespeed' && verify.rc !== 0)
        throw new HoldfastError(ErrorCode.VerificationFailed, `LiteSpeed returned ${verify.rc ?? 'NULL'}`);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new HoldfastError(
        ErrorCode.VerificationFailed,
        `the ${describeCall(call)} (backup set ${set.backupSetId}) failed verification: ${why}; it is not recorded as a good backup`,
        {
          details: { backupSetId: set.backupSetId, files: call.files },
        },
      );
    }
  }

  const known = ctx.catalog.listArtifacts({ plugin: 'litespeed', target: step.target, kind: ARTIFACT_KIND });
  const artifact = buildArtifact({
    job: step.job,
    target: step.target,
    server: params.serverLabel,
    call,
    set,
    verified: call.verify,
    createdAt: ctx.clock.now(),
    known,
  });
  const size = Number(set.compressedBackupSize) || 0;
  return {
    status: 'succeeded',
    summary: `${describeCall(call)}: backup set ${set.backupSetId} (type ${set.type}, ${call.files.length} file${call.files.length === 1 ? '' : 's'}${call.verify ? ', verified' : ''})`,
    metrics: { bytes: size, files: call.files.length },
    artifacts: [artifact],
  };
}
