import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Document,
  type Node,
} from 'yaml';
import type { z } from 'zod';
import type { Manifest, SourceLocation } from '../core/job.ts';
import type { KindDefinition } from '../plugin/contract.ts';
import { API_VERSION, envelopeSchema } from './envelope.ts';
import { allowedText, foundAt } from './zod-issues.ts';
import { describeFound, formatPath, type ConfigProblem } from './problems.ts';

/** A parsed YAML document with what is needed to point at its lines. */
interface SourceDoc {
  file: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
}

export interface LoadedManifest extends Manifest {
  /** Line and column of a YAML path inside this manifest (for cross-manifest problems). */
  locate(path: readonly (string | number)[], atKey?: boolean): SourceLocation;
}

export interface LoadResult {
  manifests: LoadedManifest[];
  problems: ConfigProblem[];
  files: string[];
}

/** Lists the job files under the given paths: files as given, directories recursively (*.yaml, *.yml), sorted. */
export async function findJobFiles(
  paths: readonly string[],
): Promise<{ files: string[]; problems: ConfigProblem[] }> {
  const files: string[] = [];
  const problems: ConfigProblem[] = [];
  async function walk(dir: string): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.name.startsWith('.')) continue; // hidden: editors' files, Kubernetes ConfigMap internals (..data)
      // Follow links: a Kubernetes ConfigMap mounts every file as a link into ..data/.
      const kind = e.isSymbolicLink()
        ? await stat(full).then(
            (s) => (s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other'),
            () => 'other',
          )
        : e.isDirectory()
          ? 'dir'
          : e.isFile()
            ? 'file'
            : 'other';
      if (kind === 'dir') await walk(full);
      else if (kind === 'file' && /\.ya?ml$/i.test(e.name)) files.push(full);
    }
  }
  for (const p of paths) {
    try {
      const s = await stat(p);
      if (s.isDirectory()) await walk(p);
      else files.push(p);
    } catch (err) {
      problems.push({
        file: p,
        line: 0,
        column: 0,
        path: '',
        message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      });
    }
  }
  if (files.length === 0 && problems.length === 0) {
    problems.push({
      file: paths.join(', ') || '(no path)',
      line: 0,
      column: 0,
      path: '',
      message: 'no job files (*.yaml, *.yml) found',
    });
  }
  return { files: [...new Set(files)], problems };
}

/**
 * Loads and validates every manifest in the given files and directories. Reports every problem at once:
 * YAML syntax, envelope, unknown kinds, spec schema (unknown keys included), the kind's own checks.
 * Cross-manifest checks (names, references, secrets) are in validateConfig.
 */
export async function loadManifests(
  paths: readonly string[],
  kinds: ReadonlyMap<string, KindDefinition>,
): Promise<LoadResult> {
  const { files, problems } = await findJobFiles(paths);
  const manifests: LoadedManifest[] = [];
  const texts = await readAll(files);
  files.forEach((file, f) => {
    const text = texts[f]!;
    if (typeof text !== 'string') {
      problems.push({
        file,
        line: 0,
        column: 0,
        path: '',
        message: `cannot read: ${text.code ?? String(text)}`,
      });
      return;
    }
    const { docs, lineCounter } = parseStream(text);
    if (!Array.isArray(docs)) {
      problems.push({ file, line: 1, column: 1, path: '', message: 'not a YAML stream' });
      return;
    }
    (docs as Document.Parsed[]).forEach((doc, index) => {
      const src: SourceDoc = { file, doc, lineCounter };
      if (doc.errors.length > 0) {
        for (const e of doc.errors) {
          const [line, column] = e.linePos?.[0]
            ? [e.linePos[0].line, e.linePos[0].col]
            : position(src, e.pos[0]);
          problems.push({
            file,
            line,
            column,
            path: '',
            message: `YAML syntax: ${e.message.split('\n')[0]}`,
          });
        }
        return;
      }
      if (doc.contents === null) return; // an empty document between --- separators
      const manifest = validateDocument(src, kinds, problems, () => reparse(file, text, index));
      if (manifest) manifests.push(manifest);
    });
  });
  return { manifests, problems, files };
}

/** Files read a few at a time (in order of the list); a file that cannot be read gives its error instead. */
async function readAll(files: readonly string[]): Promise<(string | NodeJS.ErrnoException)[]> {
  const texts: (string | NodeJS.ErrnoException)[] = new Array(files.length);
  let next = 0;
  const reader = async () => {
    for (let i = next++; i < files.length; i = next++) {
      texts[i] = await readFile(files[i]!, 'utf8').catch((err: NodeJS.ErrnoException) => err);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, files.length) }, reader));
  return texts;
}

const READ_CONCURRENCY = 16;

function parseStream(text: string): { docs: ReturnType<typeof parseAllDocuments>; lineCounter: LineCounter } {
  const lineCounter = new LineCounter();
  return {
    docs: parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true }),
    lineCounter,
  };
}

/**
 * A manifest keeps its file's text, not the parsed YAML document, to locate problems found later (references,
 * secrets, schedules): documents with their syntax trees cost ~30 MB for 1,000 job files held by `serve`, text
 * about 1 MB, and locating is only needed when something is wrong.
 */
function reparse(file: string, text: string, index: number): SourceDoc {
  const { docs, lineCounter } = parseStream(text);
  return { file, doc: (docs as Document.Parsed[])[index]!, lineCounter };
}

function validateDocument(
  src: SourceDoc,
  kinds: ReadonlyMap<string, KindDefinition>,
  problems: ConfigProblem[],
  later: () => SourceDoc,
): LoadedManifest | undefined {
  const value: unknown = src.doc.toJS({ maxAliasCount: 100 });
  const before = problems.length;
  const label = manifestLabel(value);
  const envelope = envelopeSchema.safeParse(value);
  if (!envelope.success) {
    pushZodIssues(src, envelope.error.issues, [], envelopeSchema, value, label, problems);
  }
  const kindName = (value as { kind?: unknown } | null)?.kind;
  const kind = typeof kindName === 'string' ? kinds.get(kindName) : undefined;
  if (typeof kindName === 'string' && !kind) {
    problems.push({
      ...locate(src, ['kind']),
      manifest: label,
      path: 'kind',
      message: `unknown kind "${kindName}"`,
      found: JSON.stringify(kindName),
      allowed: [...kinds.keys()].sort().join(', '),
    });
  }
  let spec: unknown;
  if (kind && value !== null && typeof value === 'object' && 'spec' in value) {
    const raw = (value as { spec: unknown }).spec;
    const parsed = kind.schema.safeParse(raw);
    if (!parsed.success) {
      pushZodIssues(src, parsed.error.issues, ['spec'], kind.schema, raw, label, problems);
    } else {
      spec = parsed.data;
      for (const p of kind.validate?.(spec) ?? []) {
        problems.push({
          ...locate(src, ['spec', ...p.path]),
          manifest: label,
          path: formatPath(['spec', ...p.path]),
          message: p.message,
          found: p.found === undefined ? undefined : describeFound(p.found, p.path),
          allowed: p.allowed,
        });
      }
    }
  } else if (kind) {
    problems.push({ ...locate(src, []), manifest: label, path: 'spec', message: 'spec is required' });
  }
  if (problems.length > before || !envelope.success || spec === undefined) return undefined;
  const env = envelope.data;
  const where = locate(src, []);
  return {
    apiVersion: API_VERSION,
    kind: env.kind,
    metadata: { name: env.metadata.name, labels: env.metadata.labels ?? {} },
    spec,
    source: { file: src.file, line: where.line, column: where.column },
    baseDir: path.dirname(path.resolve(src.file)),
    locate: (at, atKey) => locate(later(), at, atKey),
  };
}

function manifestLabel(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as { kind?: unknown; metadata?: { name?: unknown } };
  const kind = typeof v.kind === 'string' ? v.kind : '?';
  const name = typeof v.metadata?.name === 'string' ? v.metadata.name : '?';
  return `${kind}/${name}`;
}

function pushZodIssues(
  src: SourceDoc,
  issues: readonly z.core.$ZodIssue[],
  prefix: (string | number)[],
  schema: z.ZodType,
  root: unknown,
  label: string | undefined,
  problems: ConfigProblem[],
): void {
  for (const issue of flattenIssues(issues)) {
    const rel = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const at = [...prefix, ...rel, key];
        problems.push({
          ...locate(src, at, true),
          manifest: label,
          path: formatPath(at),
          message: `unknown key "${key}"`,
          allowed: allowedText(schema, rel, root, issue),
        });
      }
      continue;
    }
    const at = [...prefix, ...rel];
    const found = foundAt(root, rel);
    problems.push({
      ...locate(src, at),
      manifest: label,
      path: formatPath(at) || '(document)',
      message: found.present ? issue.message : `${formatPath(at) ? 'required' : issue.message}`,
      found: found.present ? describeFound(found.value, at) : undefined,
      allowed: allowedText(schema, rel, root, issue),
    });
  }
}

/** Union errors carry nested issues; report the branch that got furthest instead of "invalid input". */
function flattenIssues(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const out: z.core.$ZodIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const best = [...issue.errors].sort((a, b) => depth(b) - depth(a))[0]!;
      out.push(...flattenIssues(best.map((i) => ({ ...i, path: [...issue.path, ...i.path] }))));
    } else {
      out.push(issue);
    }
  }
  return out;
}

function depth(issues: readonly z.core.$ZodIssue[]): number {
  return Math.max(0, ...issues.map((i) => i.path.length + (i.code === 'invalid_type' ? 0 : 1)));
}

function position(src: SourceDoc, offset: number): [number, number] {
  const pos = src.lineCounter.linePos(offset);
  return [pos.line, pos.col];
}

/** Finds the line and column of a YAML path (the key itself when `atKey`), or the nearest parent that exists. */
export function locate(
  src: SourceDoc,
  at: readonly (string | number)[],
  atKey = false,
): { file: string; line: number; column: number } {
  let node: Node | null | undefined = src.doc.contents as Node | null;
  let best: Node | null | undefined = node;
  let keyNode: Node | undefined;
  for (const segment of at) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
      );
      if (!pair) break;
      keyNode = pair.key as Node;
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment] as Node | undefined;
      keyNode = undefined;
    } else {
      break;
    }
    if (node) best = node;
    else if (keyNode) best = keyNode;
  }
  const target = atKey && keyNode ? keyNode : best;
  const offset = target?.range?.[0] ?? 0;
  const [line, column] = position(src, offset);
  return { file: src.file, line, column };
}
