import { ErrorCode, HoldfastError } from '../core/errors.ts';
import type { KindDefinition, Plugin } from './contract.ts';

/**
 * The one registry of plugins. A duplicate plugin name, or a kind claimed by two plugins (or by a
 * built-in kind such as Storage), is an error at registration.
 */
export class PluginRegistry {
  readonly #plugins = new Map<string, Plugin>();
  readonly #kinds = new Map<string, { plugin?: Plugin; definition: KindDefinition }>();

  constructor(builtinKinds: readonly KindDefinition[] = []) {
    for (const k of builtinKinds) this.#addKind(k);
  }

  register(plugin: Plugin): this {
    if (!/^[a-z][a-z0-9-]*$/.test(plugin.name)) {
      throw new HoldfastError(ErrorCode.Internal, `plugin name "${plugin.name}" must be lower-case letters, digits and dashes`);
    }
    if (this.#plugins.has(plugin.name)) {
      throw new HoldfastError(ErrorCode.Internal, `a plugin named "${plugin.name}" is already registered`);
    }
    for (const k of plugin.kinds) this.#addKind(k, plugin);
    this.#plugins.set(plugin.name, plugin);
    return this;
  }

  #addKind(definition: KindDefinition, plugin?: Plugin): void {
    const existing = this.#kinds.get(definition.kind);
    if (existing) {
      const owner = existing.plugin ? `plugin ${existing.plugin.name}` : 'holdfast itself';
      throw new HoldfastError(ErrorCode.Internal, `kind ${definition.kind} is already handled by ${owner}`);
    }
    this.#kinds.set(definition.kind, { plugin, definition });
  }

  /** Every kind, built-in and plugin, for loading and `holdfast schema`. */
  kinds(): ReadonlyMap<string, KindDefinition> {
    return new Map([...this.#kinds].map(([k, v]) => [k, v.definition]));
  }

  /** The plugin that handles a job kind, or undefined for built-in kinds (Storage, Channel). */
  pluginForKind(kind: string): Plugin | undefined {
    return this.#kinds.get(kind)?.plugin;
  }

  isJobKind(kind: string): boolean {
    return this.#kinds.get(kind)?.plugin !== undefined;
  }

  get(name: string): Plugin | undefined {
    return this.#plugins.get(name);
  }

  list(): Plugin[] {
    return [...this.#plugins.values()];
  }

  async dispose(): Promise<void> {
    await Promise.all(this.list().map(async (p) => p.dispose?.().catch(() => undefined)));
  }
}
