import type { RestoreFailure, RestorePlan, RestoreStep } from './restore-plan.ts';

export type RestorePlanFormat = 'text' | 'markdown' | 'json';

/** The plan for a terminal (text), a change review (Markdown) or machines (JSON, the plan as is). */
export function renderRestorePlan(plan: RestorePlan, format: RestorePlanFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(plan, null, 2)}\n`;
    case 'markdown':
      return planMarkdown(plan);
    case 'text':
      return planText(plan);
  }
}

/** A failure in the same three formats. */
export function renderRestoreFailure(failure: RestoreFailure, format: RestorePlanFormat): string {
  if (format === 'json') return `${JSON.stringify(failure, null, 2)}\n`;
  const md = format === 'markdown';
  const lines = [
    md
      ? `# No restore plan for ${inline(failure.database_name)}`
      : `No valid restore chain for ${oneLine(failure.database_name)}`,
    '',
    `${md ? '- **Rule:** ' : 'rule:     '}${failure.rule}`,
    `${md ? '- **Why:** ' : 'why:      '}${md ? inline(failure.message) : oneLine(failure.message)}`,
  ];
  if (failure.backup_set_id !== null)
    lines.push(`${md ? '- **Backup:** ' : 'backup:   '}${failure.backup_set_id}`);
  if (failure.filegroup !== null)
    lines.push(
      `${md ? '- **Filegroup:** ' : 'filegroup: '}${md ? inline(failure.filegroup) : oneLine(failure.filegroup)}`,
    );
  if (failure.lsn_range)
    lines.push(
      `${md ? '- **Missing LSN range:** ' : 'missing:  '}${failure.lsn_range.from}..${failure.lsn_range.to ?? '(end)'}`,
    );
  if (md) lines.push('');
  if (failure.rejected.length > 0) {
    lines.push('', md ? '## Bases tried' : 'bases tried:', ...(md ? [''] : []));
    for (const r of failure.rejected)
      lines.push(
        `${md ? '- ' : '  - '}backup ${r.backup_set_id}: ${md ? inline(r.reason) : oneLine(r.reason)}`,
      );
  }
  lines.push(...warningLines(failure.warnings, md));
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

function targetLine(plan: RestorePlan): string {
  const t = plan.target;
  const fork = `recovery fork ${t.recovery_fork_guid}`;
  if (t.stop_at && !plan.steps.some((s) => s.stop_at !== null)) {
    return `point in time ${t.stop_at} requested, no log to stop in: reaches the newest backup before it, LSN ${t.reaches_lsn} (finished ${t.reaches_time}), ${fork}`;
  }
  if (t.stop_at)
    return `point in time ${t.stop_at}: stops inside the last backup applied (ends at LSN ${t.reaches_lsn}, finished ${t.reaches_time}), ${fork}`;
  return `the latest point: LSN ${t.reaches_lsn} (backup finished ${t.reaches_time}), ${fork}`;
}

function options(s: RestoreStep): string {
  if (s.kind === 'recover') return 'RECOVERY';
  const out = [
    s.position === null ? null : `FILE = ${s.position}`,
    s.partial ? 'PARTIAL' : null,
    s.recovery ? 'RECOVERY' : 'NORECOVERY',
  ];
  if (s.stop_at) out.push(`STOPAT ${s.stop_at}`);
  return out.filter(Boolean).join(', ');
}

function verb(s: RestoreStep): string {
  if (s.kind === 'log') return 'RESTORE LOG';
  if (s.kind === 'recover') return 'RECOVER';
  return s.kind === 'filegroup' ? 'RESTORE FILEGROUP' : 'RESTORE DATABASE';
}

function planText(plan: RestorePlan): string {
  const t = plan.target;
  const lines = [
    `Restore ${oneLine(plan.database_name)}${t.database !== plan.database_name ? ` as ${oneLine(t.database)}` : ''} to ${targetLine(plan)}`,
    `online after restore: ${t.filegroups_online.map(oneLine).join(', ') || '(none)'}`,
  ];
  for (const o of t.filegroups_offline) lines.push(`offline: ${oneLine(o.name)} (${oneLine(o.reason)})`);
  let stage = 0;
  plan.steps.forEach((s, i) => {
    if (s.stage !== stage) {
      stage = s.stage;
      lines.push('', `Stage ${stage}`);
    }
    const backup = s.backup_set_id === null ? '' : `  backup ${s.backup_set_id}`;
    lines.push(
      `  ${i + 1}. ${verb(s)}${backup}  ${options(s)}${s.filegroups.length ? `  filegroups ${s.filegroups.map(oneLine).join(', ')}` : ''}`,
    );
    s.files.forEach((f, k) => lines.push(`       ${k === 0 ? 'from ' : '     '}${oneLine(f)}`));
    for (const m of s.move) lines.push(`       move ${oneLine(m.logical)} -> ${oneLine(m.physical)}`);
    lines.push(`       why  ${oneLine(s.reason)}`);
  });
  if (plan.warnings.length > 0) lines.push('', 'Warnings', ...plan.warnings.map((w) => `  ! ${oneLine(w)}`));
  return `${lines.join('\n')}\n`;
}

function planMarkdown(plan: RestorePlan): string {
  const t = plan.target;
  const lines = [
    `# Restore plan: ${inline(plan.database_name)}${t.database !== plan.database_name ? ` as ${inline(t.database)}` : ''}`,
    '',
    `- **Target:** ${inline(targetLine(plan))}`,
    `- **Online after restore:** ${t.filegroups_online.map(inline).join(', ') || '(none)'}`,
  ];
  if (t.filegroups_offline.length > 0)
    lines.push(
      `- **Offline:** ${t.filegroups_offline.map((o) => `${inline(o.name)} (${inline(o.reason)})`).join('; ')}`,
    );
  let stage = 0;
  plan.steps.forEach((s, i) => {
    if (s.stage !== stage) {
      stage = s.stage;
      lines.push(
        '',
        `## Stage ${stage}`,
        '',
        '| # | Step | Backup | Options | Filegroups | Files | Move | Reason |',
        '|---|---|---|---|---|---|---|---|',
      );
    }
    const cells = [
      String(i + 1),
      verb(s),
      s.backup_set_id === null ? '' : String(s.backup_set_id),
      cell(options(s)),
      s.filegroups.map(cell).join(', '),
      s.files.map(code).join('<br>'),
      s.move.map((m) => `${code(m.logical)} → ${code(m.physical)}`).join('<br>'),
      cell(s.reason),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  });
  lines.push(...warningLines(plan.warnings, true));
  return `${lines.join('\n')}\n`;
}

function warningLines(warnings: string[], md: boolean): string[] {
  if (warnings.length === 0) return [];
  return md
    ? ['', '## Warnings', '', ...warnings.map((w) => `- ${inline(w)}`)]
    : ['', 'warnings:', ...warnings.map((w) => `  ! ${oneLine(w)}`)];
}

function oneLine(s: string): string {
  return s.replace(/[\r\n\u0085\u2028\u2029]+/g, ' ');
}

/** Markdown text outside tables: one line, with the characters that start markup escaped. */
function inline(s: string): string {
  return oneLine(s).replace(/([\\`*_[\]<>|#~])/g, '\\$1');
}

function cell(s: string): string {
  return inline(s);
}

/** A code span that survives backticks and pipes inside (GFM tables). */
function code(s: string): string {
  const body = oneLine(s).replaceAll('|', '\\|');
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = body.startsWith('`') || body.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}
