import { describeSet, isDiffType, type IndexedSet } from './history-index.ts';
import type { FileRelocation } from './relocate-files.ts';
import type { RestoreStep } from './restore-plan.ts';
import type { Candidates } from './select-candidates.ts';
import type { ChainStage, ChosenChain } from './select-chain.ts';

const GUID_NAME = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;

/**
 * Turns the chosen chain into steps. Convention: every step is NORECOVERY except the last step of each
 * stage, which is WITH RECOVERY (so a LiteSpeed script never needs a recover-only step). In a point-in-time
 * restore under FULL/BULK_LOGGED every step of every stage carries STOPAT.
 */
export function buildRestoreSteps(
  c: Candidates,
  chain: ChosenChain,
  relocation: FileRelocation,
): { steps: RestoreStep[]; warnings: string[] } {
  const warnings: string[] = [];
  const stopAt =
    c.target.kind === 'time' && chain.logMode ? stopAtText(c.target.at, anchorDate(chain)) : null;
  const steps: RestoreStep[] = [];
  const guidNamed = new Set<number>();
  chain.stages.forEach((stage, i) => {
    const n = i + 1;
    const items = stageItems(c, stage);
    items.forEach((item, j) => {
      const media = c.media(item.set);
      if (!media.ok) throw new Error(`internal: media of backup ${item.set.id} not usable after selection`);
      if (media.media.files.some((f) => GUID_NAME.test(f.split(/[\\/]/).pop() ?? f)))
        guidNamed.add(item.set.id);
      const recovery = j === items.length - 1;
      const notes = [item.why];
      if (media.media.note) notes.push(media.media.note);
      notes.push(recovery ? `WITH RECOVERY: last step of stage ${n}` : 'NORECOVERY: more steps follow');
      steps.push({
        stage: n,
        kind: item.kind,
        backup_set_id: item.set.id,
        filegroups: item.filegroups,
        partial: item.partial,
        recovery,
        stop_at: stopAt,
        files: media.media.files,
        position: item.set.raw.position,
        device_type: media.media.deviceType,
        move: relocation.moves(item.files),
        reason: notes.join('; '),
      });
      if (item.set.raw.is_damaged)
        warnings.push(
          `backup ${item.set.id} is flagged is_damaged and is used because unsafeAllowDamaged is set; its restore may need CONTINUE_AFTER_ERROR`,
        );
      if (item.set.raw.has_incomplete_metadata)
        warnings.push(
          `backup ${item.set.id} has incomplete metadata and is used because unsafeAllowIncompleteMetadata is set`,
        );
    });
  });
  placeEveryFileAtFirstStep(chain, steps, relocation);
  if (guidNamed.size > 0) {
    warnings.push(
      `backup ${[...guidNamed].join(', ')}: physical_device_name looks like a virtual device GUID, not a file path (LiteSpeed records its VDI name in msdb); replace it with the backup file path from the catalog before running the script`,
    );
  }
  return { steps, warnings: [...new Set(warnings)] };
}

/**
 * The first data step creates the database with every file its backup lists, including the files of
 * filegroups restored in later stages or left offline, and SQL Server checks all of those paths then
 * (Msg 1834 when one is used by another database: the usual case when restoring under a new name on the
 * same server). So when the request relocates files, the first step carries a MOVE for every file of its
 * backup set, at the path a later step gives it or the relocation's target.
 */
function placeEveryFileAtFirstStep(
  chain: ChosenChain,
  steps: RestoreStep[],
  relocation: FileRelocation,
): void {
  const first = steps[0];
  if (!first || first.kind !== 'database' || first.backup_set_id !== chain.base.id) return;
  const later = new Map<string, string>();
  for (const step of steps.slice(1))
    for (const m of step.move)
      if (!later.has(m.logical.toLowerCase())) later.set(m.logical.toLowerCase(), m.physical);
  const have = new Set(first.move.map((m) => m.logical.toLowerCase()));
  const added: RestoreStep['move'] = [];
  for (const f of chain.base.raw.files) {
    const key = f.logical_name.toLowerCase();
    if (have.has(key)) continue;
    const physical = later.get(key) ?? relocation.target(f);
    if (physical === null) continue;
    have.add(key);
    added.push({ logical: f.logical_name, physical });
  }
  if (added.length === 0) return;
  const note = `MOVE also for ${added.map((m) => m.logical).join(', ')} (restored later or left offline): the first restore places every file of the database`;
  steps[0] = { ...first, move: [...first.move, ...added], reason: `${first.reason}; ${note}` };
}

interface Item {
  kind: RestoreStep['kind'];
  set: IndexedSet;
  filegroups: string[];
  partial: boolean;
  files: ChainStage['data'][number]['files'];
  why: string;
}

function stageItems(c: Candidates, stage: ChainStage): Item[] {
  const items: Item[] = stage.data.map((d) => ({
    kind: d.kind,
    set: d.set,
    filegroups: d.filegroups,
    partial: d.partial,
    files: d.files,
    why: d.why,
  }));
  // The LSN the first log must contain: the lowest point any data step of the stage leaves its files at.
  let from: bigint | null = null;
  stage.data.forEach((d, k) => {
    const next = stage.data[k + 1];
    const superseded =
      next !== undefined && isDiffType(next.set.type) && next.set.diffBase === d.set.checkpoint;
    if (!superseded && (from === null || d.set.last < from)) from = d.set.last;
  });
  stage.logs.forEach((l, k) => {
    let why: string;
    if (k === 0)
      why = `${describeSet(l)} contains LSN ${from}, where the data steps of this stage end (first_lsn <= ${from} < last_lsn)`;
    else why = `${describeSet(l)} continues the chain (first_lsn = previous last_lsn ${l.raw.first_lsn})`;
    if (k === stage.logs.length - 1 && c.target.kind === 'time')
      why += '; it is the first log backup finished at or after STOPAT';
    items.push({ kind: 'log', set: l, filegroups: [], partial: false, files: [], why });
  });
  return items;
}

/** The backup whose recorded UTC offset STOPAT is written in: stage 1's last log, else its last data step. */
function anchorDate(chain: ChosenChain): string {
  const s1 = chain.stages[0]!;
  return (s1.logs.at(-1) ?? s1.data.at(-1)!.set).raw.backup_finish_date;
}

/**
 * STOPAT as the server's wall-clock time: the instant shifted by the UTC offset recorded with the backups
 * (msdb dates are server-local), written as ISO-8601 with that offset.
 */
export function stopAtText(at: number, offsetFrom: string): string {
  const m = /(Z|([+-])(\d{2}):(\d{2}))$/.exec(offsetFrom);
  const minutes = !m || m[1] === 'Z' ? 0 : (m[2] === '-' ? -1 : 1) * (Number(m[3]) * 60 + Number(m[4]));
  const wall = new Date(at + minutes * 60_000).toISOString();
  const ms = wall.slice(20, 23);
  const base = wall.slice(0, 19) + (ms === '000' ? '' : `.${ms}`);
  return `${base}${!m || m[1] === 'Z' ? 'Z' : m[1]}`;
}
