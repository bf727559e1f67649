import { isDiffType } from './history-index.ts';
import type { RestoreStep } from './restore-plan.ts';
import type { Candidates } from './select-candidates.ts';
import type { ChosenChain } from './select-chain.ts';

/**
 * Validation stage (after dbatools' Test-DbaBackupInformation): re-checks the selected chain against the
 * rules before anything is rendered. A problem here is a planner bug, reported as an `internal` failure
 * rather than a script that SQL Server would refuse.
 */
export function testRestoreChain(c: Candidates, chain: ChosenChain, steps: RestoreStep[]): string[] {
  const problems: string[] = [];
  const byId = (id: number | null) => (id === null ? undefined : c.index.byId.get(id));
  steps.forEach((s, i) => {
    const prev = steps[i - 1];
    const next = steps[i + 1];
    if (i === 0 && s.stage !== 1) problems.push('the first step is not in stage 1');
    if (prev && s.stage !== prev.stage && s.stage !== prev.stage + 1)
      problems.push(`step ${i + 1}: stage ${s.stage} follows stage ${prev.stage}`);
    if (s.partial && i !== 0) problems.push(`step ${i + 1}: PARTIAL is only allowed on the first step`);
    const lastOfStage = !next || next.stage !== s.stage;
    if (s.recovery !== lastOfStage)
      problems.push(
        `step ${i + 1}: ${s.recovery ? 'RECOVERY before the end of its stage' : 'NORECOVERY on the last step of its stage'}`,
      );
    const set = byId(s.backup_set_id);
    if (s.kind !== 'recover' && !set)
      problems.push(`step ${i + 1}: backup ${s.backup_set_id} is not in the history`);
    if (set?.raw.is_copy_only && !isDiffType(set.type))
      problems.push(`step ${i + 1}: copy-only backup ${set.id} used`);
    if (set && !c.onPath(set) && !c.diffOnlyBases.has(set.id))
      problems.push(`step ${i + 1}: backup ${set.id} is off the recovery path`);
    if (s.kind !== 'recover' && s.files.length === 0) problems.push(`step ${i + 1}: no backup file`);
    if (c.target.kind === 'time' && chain.logMode && s.kind !== 'recover' && s.stop_at === null)
      problems.push(`step ${i + 1}: STOPAT missing in a point-in-time restore`);
  });
  if (chain.piecemeal && !steps[0]?.partial) problems.push('a piecemeal restore must start WITH PARTIAL');
  if (chain.simple) {
    const fgs = c.filegroupsOf(chain.base);
    const stage1 = new Set(steps.filter((s) => s.stage === 1).flatMap((s) => s.filegroups));
    for (const [name, info] of fgs)
      if (!info.readOnly && !stage1.has(name))
        problems.push(`SIMPLE: read-write filegroup ${name} is not restored in stage 1`);
  }
  for (const [k, stage] of chain.stages.entries()) {
    stage.data.forEach((d, j) => {
      if (!isDiffType(d.set.type)) return;
      const baseStep = stage.data[j - 1];
      if (
        !baseStep ||
        d.set.diffBase !== baseStep.set.checkpoint ||
        d.set.raw.differential_base_guid !== baseStep.set.raw.backup_set_uuid
      ) {
        problems.push(`stage ${k + 1}: differential ${d.set.id} does not match the backup before it`);
      }
    });
    for (let j = 1; j < stage.logs.length; j++) {
      if (stage.logs[j]!.first !== stage.logs[j - 1]!.last)
        problems.push(
          `stage ${k + 1}: log ${stage.logs[j]!.id} does not continue log ${stage.logs[j - 1]!.id}`,
        );
    }
    const first = stage.logs[0];
    if (first) {
      const low = stage.data
        .filter((d, j) => !(stage.data[j + 1] && isDiffType(stage.data[j + 1]!.set.type)))
        .reduce((a, d) => (d.set.last < a ? d.set.last : a), first.last);
      if (!(first.first <= low && low < first.last))
        problems.push(`stage ${k + 1}: first log ${first.id} does not contain LSN ${low}`);
    }
    if (c.target.kind === 'time' && chain.logMode && stage.logs.length > 0) {
      const at = c.target.at;
      const last = stage.logs.at(-1)!;
      if (last.finish < at) problems.push(`stage ${k + 1}: the last log ${last.id} finished before STOPAT`);
      if (stage.logs.slice(0, -1).some((l) => l.finish >= at))
        problems.push(`stage ${k + 1}: a log after the one holding STOPAT is replayed`);
    }
  }
  return problems;
}
