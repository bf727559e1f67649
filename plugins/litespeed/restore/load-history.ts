import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { ErrorCode, HoldfastError } from '../../../src/core/errors.ts';
import { backupHistorySchema, type BackupHistory } from './history-schema.ts';
import { toLsn } from './lsn.ts';

/** One thing wrong with a history file, located by its JSON path. All problems are reported at once. */
export interface HistoryProblem {
  /** JSON path: `$.backupsets[3].first_lsn`. */
  path: string;
  message: string;
  /** The value found, printed short. */
  found: string;
  /** What is allowed, in words. */
  allowed: string;
}

/**
 * Validates a parsed history document: the schema, then the rules that tie fields together (unique
 * backup_set_id, one database, first_lsn <= last_lsn, start <= finish, one row per family and mirror).
 * Throws INPUT_INVALID listing every problem; returns the normalised history.
 */
export function parseHistory(input: unknown, source = 'history'): BackupHistory {
  const result = backupHistorySchema.safeParse(input, { reportInput: true });
  const problems = result.success ? checkHistory(result.data) : result.error.issues.map(describeIssue);
  if (problems.length > 0) throw historyError(source, problems);
  return (result as { data: BackupHistory }).data;
}

/** Reads and validates a history file (JSON, UTF-8). */
export async function loadHistoryFile(file: string): Promise<BackupHistory> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new HoldfastError(ErrorCode.NotFound, `cannot read history file ${file}`, {
      cause,
      details: { file },
    });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (cause) {
    const problem: HistoryProblem = {
      path: '$',
      message: `not valid JSON: ${(cause as Error).message}`,
      found: describeValue(text.slice(0, 60)),
      allowed: 'a JSON document as described in docs/history-file.md',
    };
    throw historyError(file, [problem]);
  }
  return parseHistory(doc, file);
}

export function formatHistoryProblem(p: HistoryProblem): string {
  return `${p.path}: ${p.message}\n    found:   ${p.found}\n    allowed: ${p.allowed}`;
}

function historyError(source: string, problems: HistoryProblem[]): HoldfastError {
  const head = `${source}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the backup history`;
  return new HoldfastError(ErrorCode.InputInvalid, [head, ...problems.map(formatHistoryProblem)].join('\n'), {
    details: { source, problems },
  });
}

export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '$';
  for (const p of path)
    out +=
      typeof p === 'number'
        ? `[${p}]`
        : /^[A-Za-z_][A-Za-z0-9_]*$/.test(String(p))
          ? `.${String(p)}`
          : `[${JSON.stringify(String(p))}]`;
  return out;
}

function describeValue(value: unknown): string {
  if (value === undefined) return '(nothing)';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return kind === 'object' || kind === 'array' ? shown : `${shown} (${kind})`;
}

function describeIssue(issue: z.core.$ZodIssue): HistoryProblem {
  const path = jsonPath(issue.path);
  const found = describeValue(issue.input);
  switch (issue.code) {
    case 'unrecognized_keys':
      return {
        path,
        message: `unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`,
        found: issue.keys.join(', '),
        allowed: 'only the fields listed in docs/history-file.md',
      };
    case 'too_small':
    case 'too_big':
      return {
        path,
        message: Array.isArray(issue.input)
          ? `too ${issue.code === 'too_small' ? 'few' : 'many'} items`
          : 'out of range',
        found,
        allowed: issue.message.replace(/^Too (small|big): expected /, ''),
      };
    default:
      return {
        path,
        message: issue.input === undefined ? 'missing' : 'invalid value',
        found,
        allowed: issue.message.startsWith('Invalid input: expected')
          ? issue.message.replace('Invalid input: expected ', 'a value of type ')
          : issue.message,
      };
  }
}

function checkHistory(h: BackupHistory): HistoryProblem[] {
  const problems: HistoryProblem[] = [];
  const ids = new Map<number, number>();
  const dbName = h.database_name.toLowerCase();
  h.backupsets.forEach((bs, i) => {
    const at = (field: string) => `$.backupsets[${i}].${field}`;
    const seen = ids.get(bs.backup_set_id);
    if (seen !== undefined) {
      problems.push({
        path: at('backup_set_id'),
        message: `duplicate backup_set_id (also at $.backupsets[${seen}])`,
        found: describeValue(bs.backup_set_id),
        allowed: 'a backup_set_id used once',
      });
    } else ids.set(bs.backup_set_id, i);
    if (bs.database_name.toLowerCase() !== dbName) {
      problems.push({
        path: at('database_name'),
        message: 'backup set of another database',
        found: describeValue(bs.database_name),
        allowed: `"${h.database_name}" (the file's database_name); export one database per file`,
      });
    }
    if (toLsn(bs.first_lsn) > toLsn(bs.last_lsn)) {
      problems.push({
        path: at('first_lsn'),
        message: 'first_lsn is after last_lsn',
        found: `${bs.first_lsn} > ${bs.last_lsn}`,
        allowed: 'first_lsn <= last_lsn',
      });
    }
    if (Date.parse(bs.backup_start_date) > Date.parse(bs.backup_finish_date)) {
      problems.push({
        path: at('backup_finish_date'),
        message: 'backup finished before it started',
        found: `${bs.backup_start_date} .. ${bs.backup_finish_date}`,
        allowed: 'backup_start_date <= backup_finish_date',
      });
    }
    const families = new Set<string>();
    bs.media.forEach((m, j) => {
      const key = `${m.mirror}/${m.family_sequence_number}`;
      if (families.has(key)) {
        problems.push({
          path: `${at('media')}[${j}]`,
          message: 'duplicate media row',
          found: `mirror ${m.mirror}, family ${m.family_sequence_number}`,
          allowed: 'one row per family_sequence_number and mirror',
        });
      }
      families.add(key);
    });
  });
  return problems;
}
