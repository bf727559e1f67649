import { loadConfig } from '../config/load-config.ts';
import type { ConfigProblem } from '../config/problems.ts';
import { formatPath } from '../config/problems.ts';
import { createSecretResolver } from '../config/secret-resolver.ts';
import { storageRegistry } from '../engine/storage-registry.ts';
import type { PluginRegistry } from '../plugin/registry.ts';
import { readJobSchedule, type JobScheduleInfo } from './job-schedule.ts';
import type { SchedulerConfig } from './scheduler.ts';

export interface LoadedServiceConfig {
  /** Undefined when there are problems: a configuration is all valid or not used at all. */
  config?: SchedulerConfig;
  problems: ConfigProblem[];
  files: string[];
}

/**
 * Loads job files for the service: every check `validate` runs, plus each job's schedule and RPO read
 * generically (cron syntax, time zone, duration), with file, line and column.
 */
export async function loadServiceConfig(
  paths: readonly string[],
  registry: PluginRegistry,
  env: NodeJS.ProcessEnv,
): Promise<LoadedServiceConfig> {
  const loaded = await loadConfig(paths, registry, env);
  const problems = [...loaded.problems];
  const jobs: JobScheduleInfo[] = [];
  for (const m of loaded.manifests) {
    if (!registry.isJobKind(m.kind)) continue;
    const { info, problems: found } = readJobSchedule(m);
    jobs.push(info);
    for (const p of found)
      problems.push({
        ...m.locate(p.path),
        manifest: `${m.kind}/${m.metadata.name}`,
        path: formatPath(p.path),
        message: p.message,
      });
  }
  if (problems.length > 0) return { problems, files: loaded.files };
  const resolveSecret = createSecretResolver({ env });
  return {
    config: {
      manifests: loaded.manifests,
      jobs,
      resolveSecret,
      storage: storageRegistry(loaded.manifests, resolveSecret),
    },
    problems: [],
    files: loaded.files,
  };
}
