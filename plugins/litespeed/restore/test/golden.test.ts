import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { Secret } from '../../../../src/core/secret.ts';
import { planRestore } from '../plan-restore.ts';
import { renderRestoreFailure, renderRestorePlan } from '../render-restore-plan.ts';
import { renderRestoreScript } from '../render-restore-script.ts';
import { goldenFile, goldenScenarios, loadScenario } from './golden-fixtures.ts';

/**
 * What a DBA reads is a golden file (`*.golden.*`, which Prettier leaves alone). `UPDATE_GOLDEN=1 npx vitest run plugins/litespeed/restore` rewrites
 * them; review the diff. Nothing is normalised: plans are deterministic (no clock, no machine paths).
 */
const update = process.env.UPDATE_GOLDEN === '1';

describe('golden restore plans and scripts', () => {
  const scenarios = goldenScenarios();
  test('every reference scenario has a fixture', () => {
    expect(scenarios).toEqual(expect.arrayContaining(['s1', 's3', 's5', 's6', 's7', 's9', 's11']));
  });

  for (const name of scenarios) {
    test(name, () => {
      const { history, request } = loadScenario(name);
      const result = planRestore(history, request);
      const key = new Secret('golden-key-not-printed', 'env:DW_BACKUP_KEY');
      // A scenario whose name ends in a refusal rule (s9-log-gap) is expected to be refused.
      const refusal = /-(log-gap)$/.exec(name)?.[1];
      const outputs: Record<string, string> = {};
      if (refusal) {
        if (result.ok) throw new Error(`${name}: expected a ${refusal} refusal, got a plan`);
        expect(result.failure.rule).toBe(refusal);
        outputs['failure.golden.json'] = renderRestoreFailure(result.failure, 'json');
        outputs['failure.golden.txt'] = renderRestoreFailure(result.failure, 'text');
        outputs['failure.golden.md'] = renderRestoreFailure(result.failure, 'markdown');
      } else {
        if (!result.ok) throw new Error(`${name}: ${result.failure.rule}: ${result.failure.message}`);
        outputs['plan.golden.json'] = renderRestorePlan(result.plan, 'json');
        outputs['plan.golden.txt'] = renderRestorePlan(result.plan, 'text');
        outputs['plan.golden.md'] = renderRestorePlan(result.plan, 'markdown');
        outputs['litespeed.golden.sql'] = renderRestoreScript(result.plan, {
          engine: 'litespeed',
          encryptionKey: key,
        });
        outputs['native.golden.sql'] = renderRestoreScript(result.plan, { engine: 'native' });
      }
      for (const [file, actual] of Object.entries(outputs)) {
        expect(actual).not.toContain('golden-key-not-printed');
        const url = goldenFile(name, file);
        if (update) writeFileSync(url, actual);
        else {
          expect(existsSync(url), `${name}/${file} missing: run with UPDATE_GOLDEN=1`).toBe(true);
          expect(actual, `${name}/${file}`).toBe(readFileSync(url, 'utf8'));
        }
      }
      // The JSON golden is the plan (or the failure) itself, exactly.
      expect(JSON.parse(outputs['plan.golden.json'] ?? outputs['failure.golden.json']!)).toEqual(
        result.ok ? result.plan : result.failure,
      );
    });
  }
});
