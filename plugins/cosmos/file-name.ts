import type { Compression } from './schema.ts';

export const DEFAULT_FILE_NAME =
  '{Account}/{Database}/{Container}/{Container}_{Year}{Month}{Day}_{Hour}{Minute}{Second}';

const TOKENS = [
  'Account',
  'Database',
  'Container',
  'Year',
  'Month',
  'Day',
  'Hour',
  'Minute',
  'Second',
] as const;
type Token = (typeof TOKENS)[number];
const TOKEN = /\{([^{}]*)\}/g;

/** Problem with a fileName pattern, or undefined when it is usable. */
export function checkFileNamePattern(pattern: string): string | undefined {
  if (pattern.trim() === '') return 'is empty';
  for (const m of pattern.matchAll(TOKEN)) {
    if (!(TOKENS as readonly string[]).includes(m[1]!))
      return `unknown token {${m[1]}}; tokens are ${TOKENS.map((t) => `{${t}}`).join(' ')}`;
  }
  if (/[{}]/.test(pattern.replace(TOKEN, ''))) return 'has an unmatched { or }';
  if (!pattern.includes('{Database}') || !pattern.includes('{Container}')) {
    return 'must contain {Database} and {Container}, so that the containers of one job never write to the same key';
  }
  if (pattern.startsWith('/') || pattern.endsWith('/') || pattern.includes('//') || pattern.includes('\\')) {
    return 'must be a relative key: no leading or trailing /, no //, no backslash';
  }
  if (pattern.split('/').some((s) => s === '.' || s === '..')) return 'must not have . or .. segments';
  return undefined;
}

export interface FileNameValues {
  account: string;
  database: string;
  container: string;
  /** The export's time; rendered in `timezone`. */
  at: Date;
  /** IANA time zone (default UTC). */
  timezone?: string;
}

/** Renders a fileName pattern (already checked) into a storage key without extension. */
export function renderFileName(pattern: string, values: FileNameValues): string {
  const time = timeParts(values.at, values.timezone ?? 'UTC');
  const lookup: Record<Token, string> = {
    Account: values.account,
    Database: values.database,
    Container: values.container,
    ...time,
  };
  return pattern.replace(TOKEN, (_, name: string) => lookup[name as Token]);
}

function timeParts(
  at: Date,
  timezone: string,
): Record<'Year' | 'Month' | 'Day' | 'Hour' | 'Minute' | 'Second', string> {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)!.value;
  return {
    Year: get('year'),
    Month: get('month'),
    Day: get('day'),
    Hour: get('hour'),
    Minute: get('minute'),
    Second: get('second'),
  };
}

export function dataExtension(compression: Compression): string {
  return compression === 'gzip' ? '.jsonl.gz' : compression === 'zstd' ? '.jsonl.zst' : '.jsonl';
}

/** The keys of one export: the data file, its manifest, and the parts an interrupted export is resumed from. */
export interface ExportKeys {
  base: string;
  data: string;
  manifest: string;
  /** Segment n > 0 while the export runs (segment 0 is written at `data`). */
  part(n: number): string;
}

export function exportKeys(base: string, compression: Compression): ExportKeys {
  const ext = dataExtension(compression);
  return {
    base,
    data: `${base}${ext}`,
    manifest: `${base}.manifest.json`,
    part: (n) => `${base}.part-${String(n).padStart(5, '0')}${ext}`,
  };
}

/** Where the checkpoint of a job's target lives: one stable key per (job, target), so the next run finds it. */
export function checkpointKey(job: string, target: string): string {
  return `_holdfast/checkpoints/${job}/${target}.checkpoint.json`;
}
