import path from 'node:path';
import { openCatalog, DEFAULT_CATALOG_PATH } from '../catalog/sqlite-catalog.ts';
import type { Catalog } from '../catalog/contract.ts';
import { loadConfig, type LoadedConfig } from '../config/load-config.ts';
import { formatProblem } from '../config/problems.ts';
import { createSecretResolver } from '../config/secret-resolver.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { ErrorCode, ExitCode, HoldfastError } from '../core/errors.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import type { Plugin } from '../plugin/contract.ts';
import { createRegistry } from '../plugin/builtin-plugins.ts';
import type { PluginRegistry } from '../plugin/registry.ts';
import type { EngineServices } from '../engine/services.ts';
import { storageRegistry } from '../engine/storage-registry.ts';
import type { CliIo } from './io.ts';

/** Options every command accepts. */
export interface GlobalArgs {
  catalog?: string;
  json?: boolean;
  logLevel?: string;
}

/** What the CLI can be given by tests: extra plugins, a clock. */
export interface CliDeps {
  plugins?: readonly Plugin[];
  clock?: Clock;
}

export function catalogPath(args: GlobalArgs, io: CliIo): string {
  return path.resolve(io.cwd, args.catalog ?? io.env.HOLDFAST_CATALOG ?? DEFAULT_CATALOG_PATH);
}

export function makeLogger(args: GlobalArgs, io: CliIo): Logger {
  return createLogger({
    // Humans at a terminal read the rendered output; machines (cron, containers) collect JSON logs.
    level: args.logLevel ?? io.env.HOLDFAST_LOG_LEVEL ?? (io.stderr.isTTY ? 'silent' : 'warn'),
    destination: { write: (s: string) => io.stderr.write(s) },
  });
}

/** Loads and validates the configuration; prints every problem and throws an exit-2 error when invalid. */
export async function loadValidConfig(paths: readonly string[], io: CliIo, deps: CliDeps): Promise<{ config: LoadedConfig; registry: PluginRegistry }> {
  const registry = createRegistry(deps.plugins);
  const config = await loadConfig(
    paths.map((p) => path.resolve(io.cwd, p)),
    registry,
    io.env,
  );
  if (config.problems.length > 0) {
    for (const p of config.problems) io.stderr.write(`${formatProblem({ ...p, file: path.relative(io.cwd, p.file) || p.file })}\n`);
    io.stderr.write(`${config.problems.length} problem(s) in ${config.files.length} file(s); nothing was executed.\n`);
    throw new HoldfastError(ErrorCode.ConfigInvalid, 'invalid configuration', { details: { problems: config.problems.length } });
  }
  return { config, registry };
}

/** Builds the engine's services. `readOnly` (plans, dry runs) opens the catalog without writing anything. */
export function makeServices(args: GlobalArgs, io: CliIo, deps: CliDeps, config: LoadedConfig, readOnly: boolean, signal: AbortSignal): EngineServices & { catalog: Catalog } {
  const resolveSecret = createSecretResolver({ env: io.env });
  return {
    clock: deps.clock ?? systemClock,
    logger: makeLogger(args, io),
    resolveSecret,
    storage: storageRegistry(config.manifests, resolveSecret),
    catalog: openCatalog(catalogPath(args, io), { readOnly }),
    signal,
  };
}

export function exitCodeFor(err: unknown): ExitCode {
  if (err instanceof HoldfastError) {
    if (err.code === ErrorCode.ConfigInvalid) return ExitCode.InvalidInput;
    if (err.code === ErrorCode.AlreadyRunning) return ExitCode.AlreadyRunning;
    if (err.code === ErrorCode.InputInvalid) return ExitCode.InvalidInput;
  }
  return ExitCode.StepFailed;
}
