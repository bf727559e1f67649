import type { EngineEventBus } from '../engine/events.ts';
import { colors, type CliIo } from './io.ts';

/** Step progress on stderr, only on a TTY: one line per update, rate-limited. */
export function attachProgress(events: EngineEventBus, io: CliIo): void {
  if (!io.stderr.isTTY) return;
  const c = colors(io);
  const last = new Map<string, number>();
  events.on('step:start', ({ step }) => io.stderr.write(c.dim(`→ ${step.id}: ${step.action} ${step.target}\n`)));
  events.on('step:progress', ({ step, update }) => {
    const now = Date.now();
    if (now - (last.get(step.id) ?? 0) < 1000 && update.fraction !== 1) return;
    last.set(step.id, now);
    const pct = update.fraction !== undefined ? ` ${(update.fraction * 100).toFixed(0)}%` : '';
    const eta = update.etaSeconds !== undefined ? ` ETA ${Math.round(update.etaSeconds)} s` : '';
    io.stderr.write(c.dim(`  ${step.id}${pct}${eta} ${update.message ?? ''}\n`));
  });
}
