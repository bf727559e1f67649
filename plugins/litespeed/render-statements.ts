import { readFileSync } from 'node:fs';
import type Handlebars from 'handlebars';
import { handlebars } from '../../src/core/handlebars.ts';
import { ErrorCode, HoldfastError } from '../../src/core/errors.ts';
import { isSecret, MASK, type Secret } from '../../src/core/secret.ts';
import { comment, createTsqlHandlebars, ident, int, nstr } from './tsql.ts';

/**
 * The T-SQL of backups, verifies and removals, from the Handlebars templates in templates/litespeed and
 * templates/native. One template gives two texts:
 *
 * - `renderScript`: the script a DBA reads in the plan, every value a literal through tsql.ts's helpers
 *   (identifiers bracket-quoted, N'...' strings, checked integers), the encryption key as ********;
 * - `renderStatement`: the same statement with every value replaced by a typed parameter (@p1, @p2...)
 *   and without the comment lines, which holdfast sends through mssql (sp_executesql), so no value is
 *   ever built into text at run time.
 *
 * Both compile with noEscape and strict: a missing field is an error, not an empty string.
 */

export type TemplateName = 'backup' | 'verify' | 'remove';
export type TemplateEngine = 'litespeed' | 'native';

export interface StatementParameter {
  name: string;
  /** The helper the script form uses for this value (ident, nstr or int). */
  helper: 'ident' | 'nstr' | 'int';
  type: 'nvarchar' | 'int';
  /** nvarchar length (128 for identifiers, 4000 otherwise). */
  length?: number;
  /** A Secret is revealed only when the parameter is bound. */
  value: string | number | Secret;
}

export interface RenderedStatement {
  sql: string;
  parameters: StatementParameter[];
}

const ROOT = new URL('../../templates/', import.meta.url);

function source(engine: TemplateEngine, name: TemplateName): string {
  return readFileSync(new URL(`${engine}/${name}.sql.hbs`, ROOT), 'utf8');
}

const scriptCache = new Map<string, (view: object) => string>();
const statementCache = new Map<string, HandlebarsTemplateDelegate>();

/** The reviewable script: literals, secrets masked (pass the key as ******** or a Secret, which prints masked). */
export function renderScript(engine: TemplateEngine, name: TemplateName, view: object): string {
  const key = `${engine}/${name}`;
  let t = scriptCache.get(key);
  if (!t) {
    t = createTsqlHandlebars().compile<object>(source(engine, name));
    scriptCache.set(key, t);
  }
  return t(maskSecrets(view));
}

/** The statement holdfast runs: the same template, values as parameters. */
export function renderStatement(engine: TemplateEngine, name: TemplateName, view: object): RenderedStatement {
  const key = `${engine}/${name}`;
  let t = statementCache.get(key);
  if (!t) {
    t = parameterHandlebars().compile(source(engine, name), { noEscape: true, strict: true });
    statementCache.set(key, t);
  }
  const parameters: StatementParameter[] = [];
  const text = t(view, { data: { parameters } });
  // Comments are for the reader of the script; the statement sent carries no text built from values.
  const sql = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n');
  return { sql, parameters };
}

function maskSecrets(view: object): object {
  return Object.fromEntries(Object.entries(view).map(([k, v]) => [k, isSecret(v) ? MASK : v]));
}

interface HelperOptions {
  data: { parameters?: StatementParameter[] };
}

function collector(options: HelperOptions): StatementParameter[] {
  const list = options.data.parameters;
  if (!list)
    throw new HoldfastError(ErrorCode.Internal, 'renderStatement: no parameter list in the template data');
  return list;
}

function bind(options: HelperOptions, p: Omit<StatementParameter, 'name'>): string {
  const list = collector(options);
  const name = `p${list.length + 1}`;
  list.push({ name, ...p });
  return `@${name}`;
}

let parameterInstance: typeof Handlebars | undefined;

/** The Handlebars instance whose helpers turn values into parameters (created on first use). */
function parameterHandlebars(): typeof Handlebars {
  if (parameterInstance) return parameterInstance;
  const hb = handlebars().create();
  hb.registerHelper('ident', (value: unknown, options: HelperOptions) => {
    ident(value);
    return bind(options, { helper: 'ident', type: 'nvarchar', length: 128, value: value as string });
  });
  hb.registerHelper('nstr', (value: unknown, options: HelperOptions) => {
    if (isSecret(value)) {
      nstr(value.reveal());
      return bind(options, { helper: 'nstr', type: 'nvarchar', length: 4000, value });
    }
    nstr(value);
    return bind(options, { helper: 'nstr', type: 'nvarchar', length: 4000, value: value as string });
  });
  hb.registerHelper('int', (value: unknown, options: HelperOptions) => {
    int(value);
    return bind(options, { helper: 'int', type: 'int', value: value as number });
  });
  hb.registerHelper('comment', (value: unknown) => (comment(value), ''));
  parameterInstance = hb;
  return hb;
}
