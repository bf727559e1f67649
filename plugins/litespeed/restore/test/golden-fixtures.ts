import { readFileSync, readdirSync } from 'node:fs';
import { parseHistory } from '../load-history.ts';
import type { BackupHistory } from '../history-schema.ts';
import type { RestoreRequest } from '../restore-plan.ts';

/** Golden scenarios: golden/<name>/history.json + request.json in, plan and scripts out. */
export const GOLDEN_DIR = new URL('../golden/', import.meta.url);

export function goldenScenarios(): string[] {
  return readdirSync(GOLDEN_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

export function goldenFile(name: string, file: string): URL {
  return new URL(`${name}/${file}`, GOLDEN_DIR);
}

export function loadScenario(name: string): { history: BackupHistory; request: RestoreRequest } {
  const history = parseHistory(
    JSON.parse(readFileSync(goldenFile(name, 'history.json'), 'utf8')),
    `${name}/history.json`,
  );
  const raw = JSON.parse(readFileSync(goldenFile(name, 'request.json'), 'utf8')) as Omit<
    RestoreRequest,
    'stopAt'
  > & { stopAt?: string };
  const request: RestoreRequest = {
    ...raw,
    stopAt: raw.stopAt === undefined ? undefined : new Date(raw.stopAt),
  };
  if (request.stopAt === undefined) delete request.stopAt;
  return { history, request };
}

/** A deep copy of a scenario's history, for negative tests that change one thing. */
export function scenarioHistory(name: string): BackupHistory {
  return structuredClone(loadScenario(name).history);
}
