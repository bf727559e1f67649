/**
 * holdfast's Cosmos DB plugin: discovery, streaming export to JSON Lines with a manifest, and restore.
 *
 *   registry.register(cosmosPlugin());                          // kind CosmosBackup (discover, plan, execute)
 *   const plan = await planCosmosRestore(request, services);    // reads only: which export, which target, what happens
 *   renderRestorePlan(plan);
 *   const summary = await executeCosmosRestore(plan, request, services);   // or restoreCosmos(request, services)
 *   renderRestoreSummary(summary);
 */
export { cosmosPlugin, type CosmosPluginOptions } from './cosmos-plugin.ts';
export {
  cosmosBackupSpecSchema,
  type CosmosBackupSpec,
  type CosmosBackupSpecInput,
  type CosmosAuth,
} from './schema.ts';
export { exportManifestSchema, type ExportManifest } from './export-manifest.ts';
export { EXPORT_ARTIFACT_KIND } from './plan-exports.ts';
export { EMULATOR_KEY } from './connect-cosmos.ts';
export {
  planCosmosRestore,
  executeCosmosRestore,
  restoreCosmos,
  type CosmosRestoreRequest,
  type CosmosRestoreServices,
  type CosmosRestorePlan,
  type CosmosRestoreSummary,
} from './restore/restore-cosmos.ts';
export { findExport, readManifest, type FoundExport } from './restore/find-export.ts';
export { renderRestorePlan, renderRestoreSummary } from './restore/render-restore.ts';
