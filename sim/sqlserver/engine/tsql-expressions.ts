import type { DataType, Expr } from './tsql-ast.ts';
import type { TokenStream } from './token-stream.ts';

/**
 * Expressions: literals, @variables, @@functions, NULL, CAST/CONVERT, function calls, arithmetic,
 * comparisons, IS [NOT] NULL, NOT/AND/OR. Precedence from low to high: OR, AND, NOT, comparison,
 * + -, * / %, unary minus.
 */
export function parseExpression(s: TokenStream): Expr {
  return parseOr(s);
}

function parseOr(s: TokenStream): Expr {
  let left = parseAnd(s);
  while (s.acceptKeyword('OR')) left = { kind: 'binary', op: 'OR', left, right: parseAnd(s) };
  return left;
}

function parseAnd(s: TokenStream): Expr {
  let left = parseNot(s);
  while (s.acceptKeyword('AND')) left = { kind: 'binary', op: 'AND', left, right: parseNot(s) };
  return left;
}

function parseNot(s: TokenStream): Expr {
  if (s.acceptKeyword('NOT')) return { kind: 'unary', op: 'NOT', expr: parseNot(s) };
  return parseComparison(s);
}

const COMPARISONS = ['=', '<>', '!=', '<', '>', '<=', '>='];

function parseComparison(s: TokenStream): Expr {
  const left = parseAdditive(s);
  if (s.isKeyword('IS')) {
    s.next();
    const negated = s.acceptKeyword('NOT') !== null;
    s.expectKeyword('NULL');
    return { kind: 'is-null', expr: left, negated };
  }
  const t = s.peek();
  if (t.kind === 'op' && COMPARISONS.includes(t.value)) {
    s.next();
    return { kind: 'binary', op: t.value === '!=' ? '<>' : t.value, left, right: parseAdditive(s) };
  }
  return left;
}

function parseAdditive(s: TokenStream): Expr {
  let left = parseMultiplicative(s);
  while (s.isOp('+') || s.isOp('-')) {
    const op = s.next().value;
    left = { kind: 'binary', op, left, right: parseMultiplicative(s) };
  }
  return left;
}

function parseMultiplicative(s: TokenStream): Expr {
  let left = parseUnary(s);
  while (s.isOp('*') || s.isOp('/') || s.isOp('%')) {
    const op = s.next().value;
    left = { kind: 'binary', op, left, right: parseUnary(s) };
  }
  return left;
}

function parseUnary(s: TokenStream): Expr {
  if (s.acceptOp('-')) return { kind: 'unary', op: '-', expr: parseUnary(s) };
  if (s.acceptOp('+')) return parseUnary(s);
  return parsePrimary(s);
}

function parsePrimary(s: TokenStream): Expr {
  const t = s.peek();
  switch (t.kind) {
    case 'string':
      s.next();
      return { kind: 'literal', value: t.value };
    case 'number':
      s.next();
      return {
        kind: 'literal',
        value:
          /^\d+$/.test(t.value) && Number.isSafeInteger(Number(t.value))
            ? Number(t.value)
            : t.value.includes('.') || /e/i.test(t.value)
              ? Number(t.value)
              : t.value,
      };
    case 'variable':
      s.next();
      return { kind: 'variable', name: t.value };
    case 'sysvar':
      s.next();
      return { kind: 'sysvar', name: t.value.toUpperCase() };
    case 'op':
      if (t.value === '(') {
        s.next();
        const inner = parseExpression(s);
        s.expectOp(')');
        return inner;
      }
      return s.fail('expected an expression');
    case 'ident': {
      if (!t.quoted && t.value.toUpperCase() === 'NULL') {
        s.next();
        return { kind: 'literal', value: null };
      }
      if (!t.quoted && t.value.toUpperCase() === 'CAST') return parseCast(s);
      if (!t.quoted && t.value.toUpperCase() === 'CONVERT') return parseConvert(s);
      if (s.isOp('(', 1) || (s.isOp('.', 1) && !t.quoted)) {
        const name = s.expectName();
        s.expectOp('(');
        const args: Expr[] = [];
        if (!s.isOp(')')) {
          do args.push(parseExpression(s));
          while (s.acceptOp(','));
        }
        s.expectOp(')');
        return { kind: 'call', name: name.toUpperCase(), args };
      }
      return s.fail('column references need a FROM clause, which the simulator does not support');
    }
    default:
      return s.fail('expected an expression');
  }
}

function parseCast(s: TokenStream): Expr {
  s.next();
  s.expectOp('(');
  const expr = parseExpression(s);
  s.expectKeyword('AS');
  const type = parseDataType(s);
  s.expectOp(')');
  return { kind: 'cast', expr, type };
}

function parseConvert(s: TokenStream): Expr {
  s.next();
  s.expectOp('(');
  const type = parseDataType(s);
  s.expectOp(',');
  const expr = parseExpression(s);
  if (s.acceptOp(',')) parseExpression(s);
  s.expectOp(')');
  return { kind: 'cast', expr, type };
}

/** `int`, `nvarchar(128)`, `varchar(max)`, `numeric(25,0)`, `sysname`... */
export function parseDataType(s: TokenStream): DataType {
  const name = s
    .expectName()
    .toLowerCase()
    .replace(/^sys\./, '');
  const type: DataType = { name };
  if (s.acceptOp('(')) {
    if (s.acceptKeyword('MAX')) type.length = 'max';
    else {
      const first = Number(s.next().value);
      if (s.acceptOp(',')) {
        type.precision = first;
        type.scale = Number(s.next().value);
      } else if (name === 'decimal' || name === 'numeric') type.precision = first;
      else type.length = first;
    }
    s.expectOp(')');
  }
  return type;
}
