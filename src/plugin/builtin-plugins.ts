import type { Plugin } from './contract.ts';
import { PluginRegistry } from './registry.ts';
import { builtinKinds } from '../config/builtin-kinds.ts';
import { liteSpeedPlugin } from '../../plugins/litespeed/index.ts';
import { cosmosPlugin } from '../../plugins/cosmos/index.ts';

/** The plugins holdfast ships, registered in one place. */
export function builtinPlugins(): Plugin[] {
  return [liteSpeedPlugin(), cosmosPlugin()];
}

/** A registry with the built-in kinds and plugins (tests may pass extra plugins). */
export function createRegistry(extra: readonly Plugin[] = []): PluginRegistry {
  const registry = new PluginRegistry(builtinKinds());
  for (const p of [...builtinPlugins(), ...extra]) registry.register(p);
  return registry;
}
