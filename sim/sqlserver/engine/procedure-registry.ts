import type { SqlValue } from '../engine-api.ts';
import { runSqlText } from './batch-interpreter.ts';
import { sqlErrors } from './error-catalog.ts';
import type { Variable } from './expression-evaluator.ts';
import { liteSpeedProcedures } from './litespeed-procedures.ts';
import { maintenanceProcedures } from './maintenance-procedures.ts';
import type { ProcArg, ProcContext, ProcHandler, ProcResult } from './procedure-types.ts';
import { SqlError } from './sql-error.ts';
import { castTo, checkType } from './sql-values.ts';
import type { DataType } from './tsql-ast.ts';
import { parseDataType } from './tsql-expressions.ts';
import { tokenize, TsqlSyntaxError } from './tsql-lexer.ts';
import { TokenStream } from './token-stream.ts';

/** Procedures that exist only when LiteSpeed is installed. */
const LITESPEED_ONLY = new Set([...Object.keys(liteSpeedProcedures), 'xp_slssqlmaint']);

const PROCEDURES: Record<string, ProcHandler> = {
  ...liteSpeedProcedures,
  ...maintenanceProcedures,
  sp_executesql: (ctx, args) => spExecuteSql(ctx, args),
};

/**
 * Resolves a procedure name as SQL Server would for procedures that live in master: `xp_x`,
 * `dbo.xp_x`, `master.dbo.xp_x`, `master..xp_x` (brackets already removed), case-insensitively.
 */
export function resolveProcedure(
  name: string,
  liteSpeedInstalled: boolean,
): { name: string; handler: ProcHandler } | null {
  const parts = name.split('.').map((p) => p.toLowerCase());
  const bare = parts.pop()!;
  const ok =
    parts.length === 0 ||
    (parts.length === 1 && (parts[0] === 'dbo' || parts[0] === 'sys')) ||
    (parts.length === 2 && parts[0] === 'master' && ['dbo', 'sys', ''].includes(parts[1]!));
  const handler = PROCEDURES[bare];
  if (!ok || !handler || (!liteSpeedInstalled && LITESPEED_ONLY.has(bare))) return null;
  return { name: bare, handler };
}

/** Calls a procedure; a SqlError raised by its argument handling becomes its error messages. */
export async function callProcedure(ctx: ProcContext, name: string, args: ProcArg[]): Promise<ProcResult> {
  const resolved = resolveProcedure(name, ctx.server.options.liteSpeedInstalled);
  if (!resolved) throw sqlErrors.procedureMissing(name);
  try {
    return await resolved.handler(ctx, args);
  } catch (err) {
    if (!(err instanceof SqlError) || err.abortsBatch) throw err;
    return {
      items: [err.toMessage(resolved.name), ...err.following].map((message) => ({
        kind: 'message' as const,
        message,
      })),
      returnValue: err.number === 201 ? -6 : 1,
    };
  }
}

/**
 * sp_executesql @stmt, @params, @p1 = ..., ...: binds the declared parameters (typed) and runs the
 * statement. OUTPUT parameters come back in `outputs`.
 */
async function spExecuteSql(ctx: ProcContext, args: ProcArg[]): Promise<ProcResult> {
  const [stmtArg, declArg, ...rest] = args;
  const statement = stmtArg?.value;
  if (typeof statement !== 'string')
    throw new SqlError(214, "Procedure expects parameter '@statement' of type 'ntext/nchar/nvarchar'.");
  const declaration =
    declArg && declArg.name !== null && !['@params', '@parameters'].includes(declArg.name.toLowerCase())
      ? null
      : declArg;
  const values = declaration ? rest : args.slice(1);
  let declared: ReturnType<typeof parseDeclaration>;
  try {
    declared = parseDeclaration(typeof declaration?.value === 'string' ? declaration.value : '');
  } catch (err) {
    if (err instanceof TsqlSyntaxError) throw new SqlError(err.number, err.message, { severity: 15 });
    throw err;
  }
  const variables = new Map<string, Variable>();
  for (const d of declared) {
    const arg =
      values.find((a) => a.name?.toLowerCase() === d.name.toLowerCase()) ?? values[declared.indexOf(d)];
    if (arg === undefined) {
      throw new SqlError(
        8178,
        `The parameterized query '(${typeof declaration?.value === 'string' ? declaration.value : ''})${statement.slice(0, 60)}' expects the parameter '${d.name}', which was not supplied.`,
      );
    }
    variables.set(d.name.toLowerCase(), { type: d.type, value: castTo(arg.value, d.type) });
  }
  const items = await runSqlText(ctx, statement, variables);
  const outputs: Record<string, SqlValue> = {};
  for (const d of declared) if (d.output) outputs[d.name] = variables.get(d.name.toLowerCase())!.value;
  return { items, returnValue: 0, outputs };
}

function parseDeclaration(text: string): Array<{ name: string; type: DataType; output: boolean }> {
  if (text.trim().length === 0) return [];
  const s = new TokenStream(tokenize(text), text);
  const out: Array<{ name: string; type: DataType; output: boolean }> = [];
  do {
    const v = s.next();
    if (v.kind !== 'variable') s.failAt(v, 'expected a parameter name');
    s.acceptKeyword('AS');
    const type = parseDataType(s);
    checkType(type);
    if (s.acceptOp('=')) s.next();
    const output = s.acceptKeyword('OUTPUT', 'OUT') !== null;
    out.push({ name: v.value, type, output });
  } while (s.acceptOp(','));
  if (!s.atEnd()) s.fail('unexpected text in the parameter list');
  return out;
}
