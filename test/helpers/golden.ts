import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';

/**
 * Compares text with a golden file; `UPDATE_GOLDEN=1 npx vitest run ...` rewrites it.
 * A missing golden file fails (it is never created silently on CI).
 */
export function expectGolden(file: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) throw new Error(`golden file ${file} is missing; run with UPDATE_GOLDEN=1 to create it, then review it`);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}
