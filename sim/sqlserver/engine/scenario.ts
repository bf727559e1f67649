import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { RECOVERY_MODELS } from './model.ts';
import type { SimulationApi } from './simulation-api.ts';

/**
 * Scenario files describe an estate: the server, its databases (recovery model, filegroups, files,
 * sizes) and a history of steps run at start-up (clock moves, writes, filegroup changes, and T-SQL
 * such as LiteSpeed backups, which write real files and fill msdb). See sim/sqlserver/README.md.
 */

const size = z.union([
  z.number().nonnegative(),
  z.string().regex(/^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB)\s*$/i, 'a size such as 512MB or 1.5GB'),
]);
const duration = z.union([
  z.number().nonnegative(),
  z.string().regex(/^\s*\d+(\.\d+)?\s*(ms|s|m|min|h|d|w)\s*$/i, 'a duration such as 90s, 15m, 2h, 1d, 1w'),
]);
const fileSchema = z.strictObject({
  logicalName: z.string().min(1).max(128),
  physicalName: z.string().min(1).max(260),
  size,
  used: size.optional(),
});
const model = z.enum(RECOVERY_MODELS as [string, ...string[]]);

const databaseSchema = z.strictObject({
  name: z.string().min(1).max(128),
  recoveryModel: model.default('FULL'),
  initialLsn: z
    .string()
    .regex(/^\d{1,25}$/, 'decimal LSN digits')
    .optional(),
  createDate: z.iso.datetime({ offset: true }).optional(),
  compatibilityLevel: z.number().int().min(100).max(170).optional(),
  filegroups: z
    .array(
      z.strictObject({
        name: z.string().min(1).max(128),
        readOnly: z.boolean().optional(),
        isDefault: z.boolean().optional(),
        files: z.array(fileSchema).min(1),
      }),
    )
    .min(1),
  log: fileSchema,
});

const stepSchema = z.union([
  z.strictObject({ advance: duration }),
  z.strictObject({
    write: z.strictObject({
      database: z.string(),
      filegroup: z.string(),
      size,
      grow: z.boolean().optional(),
    }),
  }),
  z.strictObject({
    readOnly: z.strictObject({
      database: z.string(),
      filegroup: z.string(),
      readOnly: z.boolean().default(true),
    }),
  }),
  z.strictObject({
    databaseReadOnly: z.strictObject({ database: z.string(), readOnly: z.boolean().default(true) }),
  }),
  z.strictObject({ recoveryModel: z.strictObject({ database: z.string(), model }) }),
  z.strictObject({
    addFilegroup: z.strictObject({
      database: z.string(),
      name: z.string(),
      files: z.array(fileSchema).default([]),
    }),
  }),
  z.strictObject({
    addFile: z.strictObject({ database: z.string(), filegroup: z.string(), file: fileSchema }),
  }),
  z.strictObject({ sql: z.string().min(1) }),
]);

export const scenarioSchema = z.strictObject({
  description: z.string().optional(),
  server: z
    .strictObject({
      name: z.string().min(1).max(128).optional(),
      edition: z.string().optional(),
      engineEdition: z.number().int().optional(),
      startTime: z.iso.datetime({ offset: true }).optional(),
      login: z.strictObject({ user: z.string().min(1), password: z.string().min(1) }).optional(),
      backupThroughput: size.optional(),
      strictSimpleFileBackups: z.boolean().optional(),
      liteSpeedInstalled: z.boolean().optional(),
      defaultBackupDirectory: z.string().optional(),
      offlineDrives: z.array(z.string().regex(/^[A-Za-z]:?$/)).optional(),
    })
    .default({}),
  databases: z.array(databaseSchema).default([]),
  history: z.array(stepSchema).default([]),
});

export type Scenario = z.input<typeof scenarioSchema>;
export type ParsedScenario = z.output<typeof scenarioSchema>;

const BUNDLED = join(dirname(fileURLToPath(import.meta.url)), '..', 'scenarios');

/** A bundled scenario by name (`default`, `dw-history`...), or a YAML file path, or an object. */
export async function loadScenario(scenario: string | Scenario): Promise<ParsedScenario> {
  if (typeof scenario !== 'string') return validate(scenario, 'scenario object');
  const path = /^[\w-]+$/.test(scenario) ? join(BUNDLED, `${scenario}.yaml`) : scenario;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(
      `sim/sqlserver: cannot read scenario ${JSON.stringify(scenario)} (${path}): ${(err as Error).message}`,
      { cause: err },
    );
  }
  return validate(parse(text), path);
}

function validate(input: unknown, where: string): ParsedScenario {
  const r = scenarioSchema.safeParse(input);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
    throw new Error(`sim/sqlserver: invalid scenario ${where}:\n${problems}`);
  }
  return r.data;
}

/** Creates the scenario's databases and runs its history steps in order. */
export async function applyScenario(sim: SimulationApi, scenario: ParsedScenario): Promise<void> {
  for (const db of scenario.databases) {
    sim.createDatabase({
      name: db.name,
      recoveryModel: db.recoveryModel as never,
      ...(db.initialLsn ? { initialLsn: db.initialLsn } : {}),
      ...(db.createDate ? { createDate: new Date(db.createDate) } : {}),
      ...(db.compatibilityLevel ? { compatibilityLevel: db.compatibilityLevel } : {}),
      filegroups: db.filegroups,
      log: db.log,
    });
  }
  for (const [i, step] of scenario.history.entries()) {
    try {
      if ('advance' in step) sim.advanceClock(step.advance);
      else if ('write' in step)
        sim.write(step.write.database, step.write.filegroup, step.write.size, {
          grow: step.write.grow ?? false,
        });
      else if ('readOnly' in step)
        sim.setFilegroupReadOnly(step.readOnly.database, step.readOnly.filegroup, step.readOnly.readOnly);
      else if ('databaseReadOnly' in step)
        sim.setDatabaseReadOnly(step.databaseReadOnly.database, step.databaseReadOnly.readOnly);
      else if ('recoveryModel' in step)
        sim.setRecoveryModel(step.recoveryModel.database, step.recoveryModel.model as never);
      else if ('addFilegroup' in step)
        sim.addFilegroup(step.addFilegroup.database, step.addFilegroup.name, step.addFilegroup.files);
      else if ('addFile' in step)
        sim.addFile(step.addFile.database, step.addFile.filegroup, step.addFile.file);
      else await sim.runChecked(step.sql);
    } catch (err) {
      throw new Error(`sim/sqlserver: scenario history step ${i + 1} failed: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
}
