/**
 * A T-SQL tokenizer for the subset the simulator understands: identifiers (plain, [bracketed],
 * "quoted"), @variables and @@functions, string literals ('...' and N'...' with doubled quotes),
 * numbers, operators. Comments (-- and nested /* *\/) and whitespace are skipped.
 */
export type Token =
  | { kind: 'ident'; value: string; quoted: boolean; start: number; end: number }
  | { kind: 'variable'; value: string; start: number; end: number }
  | { kind: 'sysvar'; value: string; start: number; end: number }
  | { kind: 'string'; value: string; unicode: boolean; start: number; end: number }
  | { kind: 'number'; value: string; start: number; end: number }
  | { kind: 'op'; value: string; start: number; end: number }
  | { kind: 'eof'; value: ''; start: number; end: number };

export class TsqlSyntaxError extends Error {
  readonly offset: number;
  /** SQL Server's number: 102 incorrect syntax, 105 unclosed quotation mark, 113 missing end comment. */
  readonly number: number;
  constructor(message: string, offset: number, number = 102) {
    super(message);
    this.offset = offset;
    this.number = number;
  }
}

const TWO_CHAR_OPS = ['<>', '!=', '<=', '>=', '+=', '-='];
const ONE_CHAR_OPS = '(),;=<>+-*/.%';

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      i = skipBlockComment(sql, i);
      continue;
    }
    const start = i;
    if ((c === 'N' || c === 'n') && sql[i + 1] === "'") {
      const { value, end } = readQuoted(sql, i + 1, "'");
      tokens.push({ kind: 'string', value, unicode: true, start, end });
      i = end;
      continue;
    }
    if (c === "'") {
      const { value, end } = readQuoted(sql, i, "'");
      tokens.push({ kind: 'string', value, unicode: false, start, end });
      i = end;
      continue;
    }
    if (c === '[') {
      const { value, end } = readQuoted(sql, i, ']');
      tokens.push({ kind: 'ident', value, quoted: true, start, end });
      i = end;
      continue;
    }
    if (c === '"') {
      const { value, end } = readQuoted(sql, i, '"');
      tokens.push({ kind: 'ident', value, quoted: true, start, end });
      i = end;
      continue;
    }
    if (c === '@') {
      const sys = sql[i + 1] === '@';
      let j = i + (sys ? 2 : 1);
      while (j < n && /[\w#$@]/.test(sql[j]!)) j++;
      if (j === i + (sys ? 2 : 1)) throw new TsqlSyntaxError(`Incorrect syntax near '@'.`, i);
      tokens.push({ kind: sys ? 'sysvar' : 'variable', value: sql.slice(i, j), start, end: j });
      i = j;
      continue;
    }
    if (/\d/.test(c) || (c === '.' && /\d/.test(sql[i + 1] ?? ''))) {
      let j = i;
      while (j < n && /[\d.]/.test(sql[j]!)) j++;
      if (/[eE]/.test(sql[j] ?? '') && /[\d+-]/.test(sql[j + 1] ?? '')) {
        j += 2;
        while (j < n && /\d/.test(sql[j]!)) j++;
      }
      tokens.push({ kind: 'number', value: sql.slice(i, j), start, end: j });
      i = j;
      continue;
    }
    if (/[A-Za-z_#]/.test(c) || c.charCodeAt(0) > 127) {
      let j = i;
      while (j < n && (/[\w#$@]/.test(sql[j]!) || sql.charCodeAt(j) > 127)) j++;
      tokens.push({ kind: 'ident', value: sql.slice(i, j), quoted: false, start, end: j });
      i = j;
      continue;
    }
    const two = sql.slice(i, i + 2);
    if (TWO_CHAR_OPS.includes(two)) {
      tokens.push({ kind: 'op', value: two, start, end: i + 2 });
      i += 2;
      continue;
    }
    if (ONE_CHAR_OPS.includes(c)) {
      tokens.push({ kind: 'op', value: c, start, end: i + 1 });
      i++;
      continue;
    }
    throw new TsqlSyntaxError(`Incorrect syntax near '${c}'.`, i);
  }
  tokens.push({ kind: 'eof', value: '', start: n, end: n });
  return tokens;
}

function skipBlockComment(sql: string, from: number): number {
  let depth = 0;
  let i = from;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  throw new TsqlSyntaxError("Missing end comment mark '*/'.", from, 113);
}

/** Reads a literal starting at the opening quote; a doubled closing character stands for itself. */
function readQuoted(sql: string, open: number, close: string): { value: string; end: number } {
  let i = open + 1;
  let value = '';
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === close) {
      if (sql[i + 1] === close) {
        value += close;
        i += 2;
        continue;
      }
      return { value, end: i + 1 };
    }
    value += c;
    i++;
  }
  const what = close === ']' ? 'identifier' : 'character string';
  throw new TsqlSyntaxError(`Unclosed quotation mark after the ${what} '${value.slice(0, 40)}'.`, open, 105);
}
