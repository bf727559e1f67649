import type { Plan, PlanStep } from '../core/plan.ts';

export type PlanFormat = 'text' | 'markdown' | 'json';

/** Renders a plan for a terminal (text), a change review (markdown) or machines (json). Pure. */
export function renderPlan(plan: Plan, format: PlanFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(plan, null, 2)}\n`;
    case 'markdown':
      return renderMarkdown(plan);
    case 'text':
      return renderText(plan);
  }
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((l) => (l.length > 0 ? prefix + l : l))
    .join('\n');
}

function renderText(plan: Plan): string {
  const out: string[] = [];
  out.push(`Plan (${plan.command}) made ${plan.createdAt}: ${plan.steps.length} step(s) for ${plan.jobs.length} job(s)`);
  for (const job of plan.jobs) {
    const steps = plan.steps.filter((s) => s.job === job.name);
    out.push('');
    out.push(`Job ${job.name} (${job.kind}, ${job.file})`);
    out.push(`  targets: ${job.targets.length > 0 ? job.targets.join(', ') : '(none)'}`);
    for (const p of plan.problems.filter((x) => x.job === job.name)) out.push(`  PROBLEM (${p.hook}): ${p.message}`);
    if (steps.length === 0 && !plan.problems.some((x) => x.job === job.name)) out.push('  nothing to do');
    for (const s of steps) {
      out.push(`  [${plan.steps.indexOf(s) + 1}] ${s.action} ${s.target}`);
      out.push(`      id:     ${s.id}`);
      out.push(`      why:    ${s.reason}`);
      if (s.dependsOn.length > 0) out.push(`      after:  ${s.dependsOn.join(', ')}`);
      out.push('      command:');
      out.push(indent(s.command, '        '));
    }
    for (const n of plan.notes.filter((x) => x.job === job.name)) out.push(`  ${n.level === 'warning' ? 'WARNING' : 'note'}: ${n.message}`);
  }
  const loose = plan.notes.filter((n) => !n.job || !plan.jobs.some((j) => j.name === n.job));
  if (loose.length > 0) {
    out.push('');
    for (const n of loose) out.push(`${n.level === 'warning' ? 'WARNING' : 'note'}: ${n.message}`);
  }
  if (plan.retention.length > 0) {
    out.push('');
    out.push('Retention:');
    for (const r of plan.retention) {
      out.push(`  ${r.decision === 'remove' ? 'REMOVE' : 'keep  '} ${r.job} ${r.target} ${r.type} ${r.createdAt} ${r.location}`);
      out.push(`         ${r.reasons.join('; ')}`);
    }
  }
  return `${out.join('\n')}\n`;
}

function mdEscape(text: string): string {
  return text.replace(/([|\\`*_[\]<>])/g, '\\$1');
}

/** A code span for paths and ids: no Markdown escaping inside, only pipes (table cells) need care. */
function code(text: string): string {
  const t = text.replace(/\|/g, '\\|');
  return t.includes('`') ? `\`\` ${t} \`\`` : `\`${t}\``;
}

function fence(command: string, step: PlanStep): string {
  const lang = /EXEC|RESTORE|BACKUP|SELECT/i.test(command) ? 'sql' : '';
  const ticks = command.includes('```') ? '````' : '```';
  return `${ticks}${lang}\n${command}\n${ticks}${step.dependsOn.length > 0 ? `\n\nRuns after: ${step.dependsOn.map((d) => `\`${d}\``).join(', ')}` : ''}`;
}

function renderMarkdown(plan: Plan): string {
  const out: string[] = [];
  out.push(`# holdfast plan: ${plan.command}`);
  out.push('');
  out.push(`Made ${plan.createdAt}. ${plan.steps.length} step(s) for ${plan.jobs.length} job(s).`);
  if (plan.problems.length > 0) {
    out.push('');
    out.push('## Problems');
    out.push('');
    for (const p of plan.problems) out.push(`- **${mdEscape(p.job)}** (${p.hook}): ${mdEscape(p.message)}`);
  }
  out.push('');
  out.push('## Steps');
  out.push('');
  out.push('| # | Job | Action | Target | Why |');
  out.push('|---|-----|--------|--------|-----|');
  plan.steps.forEach((s, i) => out.push(`| ${i + 1} | ${mdEscape(s.job)} | ${mdEscape(s.action)} | ${code(s.target)} | ${mdEscape(s.reason)} |`));
  if (plan.steps.length === 0) out.push('| – | – | nothing to do | – | – |');
  plan.steps.forEach((s, i) => {
    out.push('');
    out.push(`### ${i + 1}. ${mdEscape(s.action)} ${mdEscape(s.target)}`);
    out.push('');
    out.push(`Step \`${s.id}\` of job **${mdEscape(s.job)}** (plugin ${s.plugin}). ${mdEscape(s.reason)}`);
    out.push('');
    out.push(fence(s.command, s));
  });
  if (plan.notes.length > 0) {
    out.push('');
    out.push('## Notes');
    out.push('');
    for (const n of plan.notes) out.push(`- ${n.level === 'warning' ? '**Warning**: ' : ''}${n.job ? `${mdEscape(n.job)}: ` : ''}${mdEscape(n.message)}`);
  }
  if (plan.retention.length > 0) {
    out.push('');
    out.push('## Retention');
    out.push('');
    out.push('| Decision | Job | Target | Type | Created | Location | Why |');
    out.push('|----------|-----|--------|------|---------|----------|-----|');
    for (const r of plan.retention) {
      out.push(`| ${r.decision === 'remove' ? '**remove**' : 'keep'} | ${mdEscape(r.job)} | ${mdEscape(r.target)} | ${r.type} | ${r.createdAt} | ${code(r.location)} | ${mdEscape(r.reasons.join('; '))} |`);
    }
  }
  return `${out.join('\n')}\n`;
}
