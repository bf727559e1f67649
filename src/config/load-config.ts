import type { PluginRegistry } from '../plugin/registry.ts';
import { loadManifests, type LoadedManifest } from './load-manifests.ts';
import type { ConfigProblem } from './problems.ts';
import { validateConfig } from './validate-config.ts';

export interface LoadedConfig {
  manifests: LoadedManifest[];
  files: string[];
  problems: ConfigProblem[];
}

/** Loads every job file under `paths` and runs every check; problems are sorted by file and line. */
export async function loadConfig(paths: readonly string[], registry: PluginRegistry, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  const loaded = await loadManifests(paths, registry.kinds());
  const problems = [...loaded.problems, ...(await validateConfig(loaded.manifests, registry, env))];
  problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  return { manifests: loaded.manifests, files: loaded.files, problems };
}
