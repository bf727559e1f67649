/**
 * Database and filegroup selection in Ola Hallengren's grammar: names, wildcards (`*` or `%` for any run of
 * characters, `?` for one), the keywords SYSTEM_DATABASES, USER_DATABASES, ALL_DATABASES (ALL_FILEGROUPS
 * for filegroups), and exclusions with a leading `-`. Names compare case-insensitively, as under SQL
 * Server's default collations. tempdb is never selected.
 */

const SYSTEM = ['master', 'model', 'msdb'];

export interface NamePattern {
  text: string;
  exclude: boolean;
  /** No wildcard and no keyword: the name must exist. */
  literal: boolean;
  test(name: string): boolean;
}

export function parsePattern(
  item: string,
  keywords: Record<string, (name: string) => boolean> = {},
): NamePattern {
  const trimmed = item.trim();
  const exclude = trimmed.startsWith('-');
  const text = exclude ? trimmed.slice(1).trim() : trimmed;
  const keyword = keywords[text.toUpperCase()];
  if (keyword) return { text, exclude, literal: false, test: keyword };
  const wild = /[*%?]/.test(text);
  if (!wild) {
    const lower = text.toLowerCase();
    return { text, exclude, literal: true, test: (name) => name.toLowerCase() === lower };
  }
  const source = text
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/[*%]/g, '.*')
    .replace(/\?/g, '.');
  const re = new RegExp(`^${source}$`, 'i');
  return { text, exclude, literal: false, test: (name) => re.test(name) };
}

export interface DatabaseSelection {
  /** Selected databases, spelled as on the server, in the server's order. */
  selected: string[];
  /** Names without wildcards that are not on the server. */
  missing: string[];
  /** Wildcard items that matched nothing (worth a note). */
  unmatched: string[];
  /** Databases named but never backed up (tempdb). */
  refused: { name: string; why: string }[];
}

export function selectDatabases(items: readonly string[], available: readonly string[]): DatabaseSelection {
  const isSystem = (n: string) => SYSTEM.includes(n.toLowerCase());
  const keywords = {
    SYSTEM_DATABASES: isSystem,
    USER_DATABASES: (n: string) => !isSystem(n),
    ALL_DATABASES: () => true,
  };
  const patterns = items.map((i) => parsePattern(i, keywords));
  const out: DatabaseSelection = { selected: [], missing: [], unmatched: [], refused: [] };
  const candidates = available.filter((n) => n.toLowerCase() !== 'tempdb');
  for (const p of patterns) {
    if (p.literal && p.text.toLowerCase() === 'tempdb') {
      out.refused.push({ name: p.text, why: 'tempdb cannot be backed up' });
      continue;
    }
    const hits = candidates.filter((n) => p.test(n));
    if (hits.length === 0) (p.literal ? out.missing : out.unmatched).push(p.text);
  }
  const includes = patterns.filter((p) => !p.exclude);
  const excludes = patterns.filter((p) => p.exclude);
  out.selected = candidates.filter(
    (n) => includes.some((p) => p.test(n)) && !excludes.some((p) => p.test(n)),
  );
  out.missing = out.missing.filter((m) => !patterns.find((p) => p.text === m)?.exclude);
  return out;
}

export interface FilegroupSelection {
  /** Filegroups of this database that get filegroup backups (when read-only). */
  selected: Set<string>;
  /** `Database.FileGroup` items naming this database and a filegroup it does not have. */
  missing: string[];
}

/**
 * Which filegroups of one database the job covers. Items are `Database.FileGroup` (either part may use
 * wildcards; a bare name means that filegroup in every database), ALL_FILEGROUPS, or exclusions with `-`.
 */
export function selectFilegroups(
  items: readonly string[],
  database: string,
  filegroups: readonly string[],
): FilegroupSelection {
  const out: FilegroupSelection = { selected: new Set(), missing: [] };
  const parsed = items.map((item) => {
    const trimmed = item.trim();
    const exclude = trimmed.startsWith('-');
    const body = exclude ? trimmed.slice(1).trim() : trimmed;
    if (body.toUpperCase() === 'ALL_FILEGROUPS')
      return { exclude, db: parsePattern('*'), fg: parsePattern('*'), text: body };
    const dot = body.indexOf('.');
    const db = parsePattern(dot < 0 ? '*' : body.slice(0, dot));
    const fg = parsePattern(dot < 0 ? body : body.slice(dot + 1));
    return { exclude, db, fg, text: body };
  });
  for (const p of parsed) {
    if (p.exclude || !p.db.test(database)) continue;
    if (p.fg.literal && p.db.literal && !filegroups.some((f) => p.fg.test(f))) out.missing.push(p.text);
  }
  for (const fg of filegroups) {
    const included = parsed.some((p) => !p.exclude && p.db.test(database) && p.fg.test(fg));
    const excluded = parsed.some((p) => p.exclude && p.db.test(database) && p.fg.test(fg));
    if (included && !excluded) out.selected.add(fg);
  }
  return out;
}

/** Bare filegroup names (no database part, no wildcard) that no selected database has. */
export function missingBareFilegroups(
  items: readonly string[],
  filegroupsByDatabase: ReadonlyMap<string, readonly string[]>,
): string[] {
  const out: string[] = [];
  for (const item of items) {
    const body = item.trim();
    if (body.startsWith('-') || body.includes('.') || body.toUpperCase() === 'ALL_FILEGROUPS') continue;
    const p = parsePattern(body);
    if (!p.literal) continue;
    if (![...filegroupsByDatabase.values()].some((fgs) => fgs.some((f) => p.test(f)))) out.push(body);
  }
  return out;
}
