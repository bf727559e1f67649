import { ErrorCode, HoldfastError } from '../core/errors.ts';
import type { LoadedManifest } from '../config/load-manifests.ts';
import type { PluginRegistry } from '../plugin/registry.ts';

export interface JobSelection {
  /** `--job NAME` (repeatable). Empty: every job. */
  jobs?: readonly string[];
  /** `--selector key=value` (repeatable, all must match). */
  selectors?: readonly string[];
}

/** Picks the jobs a command acts on. An unknown --job name or a malformed selector is an input error. */
export function selectJobs(manifests: readonly LoadedManifest[], registry: PluginRegistry, selection: JobSelection): LoadedManifest[] {
  const jobs = manifests.filter((m) => registry.isJobKind(m.kind));
  const wanted = selection.jobs ?? [];
  for (const name of wanted) {
    if (!jobs.some((j) => j.metadata.name === name)) {
      throw new HoldfastError(ErrorCode.ConfigInvalid, `--job ${name}: no such job; jobs: ${jobs.map((j) => j.metadata.name).join(', ') || '(none)'}`);
    }
  }
  const selectors = (selection.selectors ?? []).map((s) => {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new HoldfastError(ErrorCode.ConfigInvalid, `--selector ${s}: expected key=value`);
    return [s.slice(0, eq), s.slice(eq + 1)] as const;
  });
  return jobs.filter(
    (j) => (wanted.length === 0 || wanted.includes(j.metadata.name)) && selectors.every(([k, v]) => j.metadata.labels[k] === v),
  );
}
