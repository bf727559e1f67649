import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The plugin's own version, recorded in plans, manifests and the catalog. */
export const PLUGIN_VERSION = '0.1.0';

/** Versions recorded in each export manifest. */
export const VERSIONS = {
  holdfast: (require('../../package.json') as { version: string }).version,
  plugin: PLUGIN_VERSION,
  sdk: (require('@azure/cosmos/package.json') as { version: string }).version,
};
