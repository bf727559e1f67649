import { describe, expect, test } from 'vitest';
import { planRestore } from '../plan-restore.ts';
import { renderRestoreFailure, renderRestorePlan } from '../render-restore-plan.ts';
import type { RestorePlan } from '../restore-plan.ts';
import { scenarioHistory } from './golden-fixtures.ts';

function oddPlan(): RestorePlan {
  const h = scenarioHistory('s1');
  for (const s of h.backupsets) {
    for (const f of s.files) if (f.filegroup_name === 'A') f.filegroup_name = 'A|B\n*x*';
    for (const m of s.media) m.physical_device_name = 'Y:\\`odd`|name.bak';
  }
  h.filegroups = h.filegroups!.map((fg) => (fg.name === 'A' ? { ...fg, name: 'A|B\n*x*' } : fg));
  const r = planRestore(h, { database: 'DW' });
  if (!r.ok) throw new Error(r.failure.message);
  return r.plan;
}

describe('plan rendering', () => {
  test('Markdown keeps one table row per step whatever the names hold', () => {
    const md = renderRestorePlan(oddPlan(), 'markdown');
    const rows = md.split('\n').filter((l) => /^\| \d+ \|/.test(l));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('A\\|B \\*x\\*');
    expect(rows[0]).toContain('``Y:\\`odd`\\|name.bak``');
    for (const row of rows) expect(row.split(/(?<!\\)\|/).length).toBe(10);
  });

  test('text output puts every step on its own lines, names flattened', () => {
    const text = renderRestorePlan(oddPlan(), 'text');
    expect(text).toContain('filegroups PRIMARY, A|B *x*, C');
    expect(text).toMatch(/^Stage 2$/m);
    expect(text.split('\n').filter((l) => /^ {2}\d+\. /.test(l))).toHaveLength(2);
  });

  test('a failure renders its rule, backup and missing range in every format', () => {
    const h = scenarioHistory('s9');
    h.backupsets = h.backupsets.filter((s) => s.backup_set_id !== 604);
    const r = planRestore(h, { database: 'DW', stopAt: new Date('2026-03-01T01:14:00Z') });
    if (r.ok) throw new Error('expected a refusal');
    expect(r.failure.rule).toBe('stopat-after-last-log');
    expect(renderRestoreFailure(r.failure, 'text')).toMatch(/rule: +stopat-after-last-log\n/);
    expect(renderRestoreFailure(r.failure, 'markdown')).toContain('- **Missing LSN range:** ');
    expect(JSON.parse(renderRestoreFailure(r.failure, 'json'))).toEqual(r.failure);
  });
});
