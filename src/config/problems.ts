/** One thing wrong with the configuration, located precisely. All problems are reported at once. */
export interface ConfigProblem {
  file: string;
  /** 1-based; 0 when the problem is not tied to a place in a file (e.g. a path that does not exist). */
  line: number;
  column: number;
  /** `Kind/name` of the manifest, when known. */
  manifest?: string;
  /** YAML path, dotted: `spec.retention.keepDays`, `spec.databases[2]`. */
  path: string;
  message: string;
  /** What was found, printed short (secret-looking values are never printed). */
  found?: string;
  /** What is allowed, in words. */
  allowed?: string;
}

export function formatPath(path: readonly (string | number | symbol)[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

export function formatProblem(p: ConfigProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.column}` : p.file;
  const subject = [p.manifest, p.path].filter(Boolean).join(' ');
  let text = `${where}: ${subject ? `${subject}: ` : ''}${p.message}`;
  if (p.found !== undefined) text += `\n    found:   ${p.found}`;
  if (p.allowed !== undefined) text += `\n    allowed: ${p.allowed}`;
  return text;
}

const SECRETISH = /(password|passwd|secret|token|key|connectionstring|sas|credential)/i;

/** Prints a found value briefly; never prints what might be a secret pasted where a reference belongs. */
export function describeFound(value: unknown, path: readonly (string | number | symbol)[]): string {
  if (path.some((p) => typeof p === 'string' && SECRETISH.test(p)) && (typeof value === 'string' || typeof value === 'number')) {
    return '(a plain value, not shown: secrets must be references such as { secretRef: "env:NAME" })';
  }
  if (value === undefined) return '(nothing)';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
