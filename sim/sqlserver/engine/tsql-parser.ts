import { parseBackup, parseRestore } from './backup-statement-parser.ts';
import type { AlterDatabaseStatement, ExecArg, Expr, Statement, StatementBody } from './tsql-ast.ts';
import { parseDataType, parseExpression } from './tsql-expressions.ts';
import { tokenize, TsqlSyntaxError } from './tsql-lexer.ts';
import { TokenStream, UnsupportedStatement } from './token-stream.ts';

/**
 * Parses a batch into statements. Statements outside the subset raise {@link UnsupportedStatement}
 * (the engine reports them as "Statement not supported by the SQL Server simulator"); malformed
 * ones raise TsqlSyntaxError. `GO` on its own is skipped.
 */
export function parseBatch(sql: string): Statement[] {
  const s = new TokenStream(tokenize(sql), sql);
  const out: Statement[] = [];
  while (!s.atEnd()) {
    if (s.acceptOp(';')) continue;
    if (s.isKeyword('GO')) {
      s.next();
      if (s.peek().kind === 'number') s.next();
      continue;
    }
    out.push(parseStatement(s));
  }
  return out;
}

function parseStatement(s: TokenStream): Statement {
  const first = s.peek();
  const body = parseBody(s);
  const last = s.tokens[Math.max(0, s.pos - 1)]!;
  s.acceptOp(';');
  return {
    ...body,
    text: s.sql.slice(first.start, Math.max(first.end, last.end)),
    line: s.lineOf(first),
  } as Statement;
}

function parseBody(s: TokenStream): StatementBody {
  const t = s.peek();
  const word = t.kind === 'ident' && !t.quoted ? t.value.toUpperCase() : '';
  switch (word) {
    case 'DECLARE':
      return parseDeclare(s);
    case 'SET':
      return parseSet(s);
    case 'EXEC':
    case 'EXECUTE':
      return parseExec(s);
    case 'IF': {
      s.next();
      const condition = parseExpression(s);
      const then = parseStatement(s);
      const otherwise = s.acceptKeyword('ELSE') ? parseStatement(s) : null;
      return { kind: 'if', condition, then, otherwise };
    }
    case 'BEGIN': {
      if (
        s.isKeyword('TRY', 1) ||
        s.isKeyword('TRAN', 1) ||
        s.isKeyword('TRANSACTION', 1) ||
        s.isKeyword('CATCH', 1)
      ) {
        throw new UnsupportedStatement(t.start, 'BEGIN TRY/TRANSACTION');
      }
      s.next();
      const body: Statement[] = [];
      while (!s.isKeyword('END')) {
        if (s.atEnd()) s.fail('BEGIN without END');
        if (s.acceptOp(';')) continue;
        body.push(parseStatement(s));
      }
      s.next();
      return { kind: 'block', body };
    }
    case 'RAISERROR': {
      s.next();
      s.expectOp('(');
      const args: Expr[] = [];
      do args.push(parseExpression(s));
      while (s.acceptOp(','));
      s.expectOp(')');
      if (s.acceptKeyword('WITH')) {
        do if (!s.acceptKeyword('NOWAIT', 'LOG', 'SETERROR')) s.fail('expected NOWAIT, LOG or SETERROR');
        while (s.acceptOp(','));
      }
      return { kind: 'raiserror', args };
    }
    case 'THROW': {
      s.next();
      if (s.isOp(';') || s.atEnd()) return { kind: 'throw', args: null };
      const args = [parseExpression(s)];
      s.expectOp(',');
      args.push(parseExpression(s));
      s.expectOp(',');
      args.push(parseExpression(s));
      return { kind: 'throw', args };
    }
    case 'SELECT':
      return parseSelect(s);
    case 'USE':
      s.next();
      return { kind: 'use', database: s.expectIdentifier() };
    case 'PRINT':
      s.next();
      return { kind: 'print', expr: parseExpression(s) };
    case 'RETURN':
      s.next();
      return { kind: 'return' };
    case 'BACKUP':
      return parseBackup(s);
    case 'RESTORE':
      return parseRestore(s);
    case 'ALTER':
      if (s.isKeyword('DATABASE', 1)) return parseAlterDatabase(s);
      throw new UnsupportedStatement(t.start, 'ALTER');
    default:
      throw new UnsupportedStatement(t.start, word || t.value);
  }
}

function parseDeclare(s: TokenStream): StatementBody {
  s.next();
  const vars: Array<{ name: string; type: ReturnType<typeof parseDataType>; init: Expr | null }> = [];
  do {
    const v = s.next();
    if (v.kind !== 'variable') s.failAt(v, 'expected a @variable');
    s.acceptKeyword('AS');
    if (s.isKeyword('TABLE') || s.isKeyword('CURSOR'))
      throw new UnsupportedStatement(v.start, 'table variables');
    const type = parseDataType(s);
    const init = s.acceptOp('=') ? parseExpression(s) : null;
    vars.push({ name: v.value, type, init });
  } while (s.acceptOp(','));
  return { kind: 'declare', vars };
}

/** `SET @v = expr`, `SET @v += expr`, or a session option (`SET NOCOUNT ON`, `SET LANGUAGE us_english`...). */
function parseSet(s: TokenStream): StatementBody {
  s.next();
  const t = s.peek();
  if (t.kind === 'variable') {
    s.next();
    const op = s.next();
    if (op.kind !== 'op' || !['=', '+=', '-='].includes(op.value)) s.failAt(op, "expected '='");
    return {
      kind: 'set-variable',
      name: t.value,
      op: op.value as '=' | '+=' | '-=',
      expr: parseExpression(s),
    };
  }
  if (t.kind !== 'ident') s.fail('expected a SET option');
  s.next();
  if (t.value.toUpperCase() === 'TRANSACTION') {
    s.expectKeyword('ISOLATION');
    s.expectKeyword('LEVEL');
    while (s.peek().kind === 'ident' && !s.isKeyword('SET')) s.next();
    return { kind: 'set-option' };
  }
  const value = s.next();
  if (value.kind === 'eof') s.failAt(value, 'expected a value for the SET option');
  return { kind: 'set-option' };
}

function parseExec(s: TokenStream): StatementBody {
  s.next();
  let returnVar: string | null = null;
  if (s.peek().kind === 'variable' && s.isOp('=', 1)) {
    returnVar = s.next().value;
    s.next();
  }
  if (s.isOp('(')) throw new UnsupportedStatement(s.peek().start, 'dynamic SQL EXEC (...)');
  const procedure = s.expectName();
  const args: ExecArg[] = [];
  if (!atStatementEnd(s)) {
    do {
      let name: string | null = null;
      if (s.peek().kind === 'variable' && s.isOp('=', 1)) {
        name = s.next().value;
        s.next();
      }
      const value = parseExecValue(s);
      const output = s.acceptKeyword('OUTPUT', 'OUT') !== null;
      args.push({ name, value, output });
    } while (s.acceptOp(','));
  }
  return { kind: 'exec', returnVar, procedure, args };
}

/** EXEC arguments are constants, @variables or DEFAULT (no expressions, as in SQL Server). */
function parseExecValue(s: TokenStream): Expr {
  const t = s.peek();
  if (t.kind === 'ident' && !t.quoted && t.value.toUpperCase() === 'DEFAULT') {
    s.next();
    return { kind: 'default' };
  }
  if (t.kind === 'ident' && !t.quoted && t.value.toUpperCase() !== 'NULL') {
    s.next();
    return { kind: 'literal', value: t.value };
  }
  if (t.kind === 'op' && t.value === '-') {
    s.next();
    return { kind: 'unary', op: '-', expr: parseExecValue(s) };
  }
  if (t.kind === 'string' || t.kind === 'number' || t.kind === 'variable' || t.kind === 'ident') {
    const e = parseExpression(s);
    return e;
  }
  return s.fail('expected a constant, a @variable or DEFAULT');
}

const STATEMENT_STARTS = [
  'DECLARE',
  'SET',
  'EXEC',
  'EXECUTE',
  'IF',
  'ELSE',
  'BEGIN',
  'END',
  'RAISERROR',
  'THROW',
  'SELECT',
  'USE',
  'PRINT',
  'RETURN',
  'BACKUP',
  'RESTORE',
  'ALTER',
  'GO',
];

function atStatementEnd(s: TokenStream): boolean {
  return s.atEnd() || s.isOp(';') || STATEMENT_STARTS.some((w) => s.isKeyword(w));
}

function parseSelect(s: TokenStream): StatementBody {
  const start = s.peek();
  try {
    return parseSelectList(s);
  } catch (err) {
    if (err instanceof TsqlSyntaxError) throw new UnsupportedStatement(start.start, 'SELECT');
    throw err;
  }
}

function parseSelectList(s: TokenStream): StatementBody {
  const start = s.next();
  const items: Array<{ expr: Expr; alias: string | null; assignTo: string | null }> = [];
  do {
    let assignTo: string | null = null;
    if (s.peek().kind === 'variable' && s.isOp('=', 1)) {
      assignTo = s.next().value;
      s.next();
    }
    const expr = parseExpression(s);
    let alias: string | null = null;
    if (s.acceptKeyword('AS')) alias = s.expectIdentifier();
    else if (s.peek().kind === 'ident' && !atStatementEnd(s) && !s.isKeyword('FROM'))
      alias = s.expectIdentifier();
    else if (s.peek().kind === 'string' && !atStatementEnd(s)) alias = s.next().value;
    items.push({ expr, alias, assignTo });
  } while (s.acceptOp(','));
  if (s.isKeyword('FROM') || s.isKeyword('WHERE') || s.isKeyword('INTO'))
    throw new UnsupportedStatement(start.start, 'SELECT ... FROM');
  return { kind: 'select', items };
}

function parseAlterDatabase(s: TokenStream): AlterDatabaseStatement {
  const start = s.next();
  s.next();
  const database: Expr =
    s.peek().kind === 'variable'
      ? { kind: 'variable', name: s.next().value }
      : { kind: 'literal', value: s.expectIdentifier() };
  if (s.acceptKeyword('SET')) {
    if (s.acceptKeyword('RECOVERY'))
      return {
        kind: 'alter-database',
        database,
        action: { kind: 'recovery', model: s.expectIdentifier().toUpperCase() },
      };
    const access = s.acceptKeyword('READ_ONLY', 'READ_WRITE');
    if (access)
      return {
        kind: 'alter-database',
        database,
        action: { kind: 'database-access', readOnly: access === 'READ_ONLY' },
      };
  } else if (s.acceptKeyword('MODIFY')) {
    s.expectKeyword('FILEGROUP');
    const filegroup = s.expectIdentifier();
    const access = s.acceptKeyword('READ_ONLY', 'READONLY', 'READ_WRITE', 'READWRITE');
    if (access)
      return {
        kind: 'alter-database',
        database,
        action: {
          kind: 'filegroup-access',
          filegroup,
          readOnly: access.startsWith('READONLY') || access === 'READ_ONLY',
        },
      };
  }
  throw new UnsupportedStatement(
    start.start,
    'ALTER DATABASE (only SET RECOVERY, SET READ_ONLY/READ_WRITE, MODIFY FILEGROUP READ_ONLY/READ_WRITE)',
  );
}
