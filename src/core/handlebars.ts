import { createRequire } from 'node:module';
import type HandlebarsModule from 'handlebars';

const require = createRequire(import.meta.url);
let loaded: typeof HandlebarsModule | undefined;

/**
 * Handlebars, loaded on the first render rather than with every command (~7 MB that `validate` and an idle
 * `serve` never use). Synchronous, so renderers stay synchronous. Each caller makes its own instance with
 * `handlebars().create()`.
 */
export function handlebars(): typeof HandlebarsModule {
  loaded ??= require('handlebars') as typeof HandlebarsModule;
  return loaded;
}
