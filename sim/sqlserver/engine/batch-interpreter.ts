import type { Column, ExecutionItem, SqlValue } from '../engine-api.ts';
import { findCatalogQuery, taggedButDifferent } from './catalog-handlers.ts';
import { sqlErrors } from './error-catalog.ts';
import { evaluate, truthy, type EvalContext, type Variable } from './expression-evaluator.ts';
import { runAlterDatabase, runNativeBackup, runNativeRestore } from './native-statements.ts';
import type { ProcArg, ProcContext } from './procedure-types.ts';
import { callProcedure } from './procedure-registry.ts';
import { SqlError } from './sql-error.ts';
import { castTo, checkType, columnTypeOf, columnTypeOfValue, formatMessage, toText } from './sql-values.ts';
import type { Expr, Statement } from './tsql-ast.ts';
import { TsqlSyntaxError } from './tsql-lexer.ts';
import { parseBatch } from './tsql-parser.ts';
import { UnsupportedStatement } from './token-stream.ts';

/** Error number of "Statement not supported by the SQL Server simulator" (the simulator's own). */
export const UNSUPPORTED_STATEMENT = 50404;

export function unsupportedStatement(sql: string, offset: number, note?: string): SqlError {
  const text = sql.slice(offset).replace(/\s+/g, ' ').trim().slice(0, 80);
  return new SqlError(
    UNSUPPORTED_STATEMENT,
    `Statement not supported by the SQL Server simulator: ${text}${note ? ` (${note})` : ''}`,
  );
}

/**
 * Runs T-SQL text: one of the product's catalog queries (matched exactly), or a batch of the
 * supported statements. `variables` are pre-bound (sp_executesql parameters) and hold their final
 * values afterwards (OUTPUT parameters).
 */
export async function runSqlText(
  env: ProcContext,
  sql: string,
  variables: Map<string, Variable>,
): Promise<ExecutionItem[]> {
  const catalog = findCatalogQuery(sql);
  if (catalog) {
    try {
      const values = new Map<string, SqlValue>([...variables].map(([k, v]) => [k, v.value]));
      const rs = await catalog.run({ server: env.server, session: env.session, variables: values });
      return [{ kind: 'resultSet', resultSet: rs }];
    } catch (err) {
      if (err instanceof SqlError) return messages(err);
      throw err;
    }
  }
  const tag = taggedButDifferent(sql);
  if (tag) {
    return messages(
      unsupportedStatement(sql, 0, `the text differs from the ${tag} query in plugins/litespeed/queries.ts`),
    );
  }
  let statements: Statement[];
  try {
    statements = parseBatch(sql);
  } catch (err) {
    if (err instanceof UnsupportedStatement) return messages(unsupportedStatement(sql, err.offset));
    if (err instanceof TsqlSyntaxError)
      return messages(new SqlError(err.number, err.message, { severity: 15 }));
    throw err;
  }
  const runner = new BatchRunner(env, variables);
  await runner.run(statements);
  return runner.items;
}

function messages(err: SqlError): ExecutionItem[] {
  return [err.toMessage(), ...err.following].map((message) => ({ kind: 'message', message }));
}

class StopBatch extends Error {}

class BatchRunner {
  readonly items: ExecutionItem[] = [];
  readonly #env: ProcContext;
  readonly #eval: EvalContext;
  #lastError = 0;

  constructor(env: ProcContext, variables: Map<string, Variable>) {
    this.#env = env;
    this.#eval = {
      server: env.server,
      database: () => env.session.database,
      login: env.session.login,
      sessionId: env.session.id,
      variables,
      lastError: () => this.#lastError,
    };
  }

  async run(statements: Statement[]): Promise<void> {
    try {
      for (const s of statements) await this.#statement(s);
    } catch (err) {
      if (!(err instanceof StopBatch)) throw err;
    }
  }

  async #statement(s: Statement): Promise<void> {
    if (this.#env.signal.aborted) throw new StopBatch();
    try {
      const before = this.items.length;
      await this.#execute(s);
      if (s.kind !== 'if' && s.kind !== 'block') {
        const errors = this.items
          .slice(before)
          .flatMap((i) => (i.kind === 'message' && i.message.severity >= 11 ? [i.message.number] : []));
        this.#lastError = errors.at(-1) ?? 0;
      }
    } catch (err) {
      if (!(err instanceof SqlError)) throw err;
      this.#lastError = err.number;
      this.items.push(
        ...messages(err).map((i) =>
          i.kind === 'message' ? { ...i, message: { ...i.message, lineNumber: s.line } } : i,
        ),
      );
      if (err.abortsBatch) throw new StopBatch();
    }
  }

  async #execute(s: Statement): Promise<void> {
    const ev = (e: Expr) => evaluate(this.#eval, e);
    switch (s.kind) {
      case 'declare':
        for (const v of s.vars) {
          const key = v.name.toLowerCase();
          if (this.#eval.variables.has(key)) {
            throw new SqlError(
              134,
              `The variable name '${v.name}' has already been declared. Variable names must be unique within a query batch or stored procedure.`,
              { severity: 15, abortsBatch: true },
            );
          }
          checkType(v.type);
          this.#eval.variables.set(key, { type: v.type, value: v.init ? castTo(ev(v.init), v.type) : null });
        }
        return;
      case 'set-variable': {
        const v = this.#variable(s.name);
        const value = ev(s.expr);
        if (s.op === '=') v.value = castTo(value, v.type);
        else
          v.value = castTo(
            evaluate(this.#eval, {
              kind: 'binary',
              op: s.op[0]!,
              left: { kind: 'literal', value: v.value },
              right: { kind: 'literal', value },
            }),
            v.type,
          );
        return;
      }
      case 'set-option':
        return;
      case 'exec':
        return this.#exec(s.procedure, s.args, s.returnVar);
      case 'if':
        if (truthy(ev(s.condition))) await this.#statement(s.then);
        else if (s.otherwise) await this.#statement(s.otherwise);
        return;
      case 'block':
        for (const inner of s.body) await this.#statement(inner);
        return;
      case 'raiserror':
        return this.#raiserror(s.args.map(ev));
      case 'throw': {
        if (!s.args)
          throw new SqlError(
            10704,
            'To rethrow an error, a THROW statement must be used inside a CATCH block. Insert the THROW statement inside a CATCH block, or add error parameters to the THROW statement.',
            { severity: 15, abortsBatch: true },
          );
        const [num, msg, state] = s.args.map(ev);
        throw new SqlError(Number(num), toText(msg ?? ''), { state: Number(state), abortsBatch: true });
      }
      case 'select':
        return this.#select(s.items);
      case 'use': {
        const db = this.#env.server.requireDatabase(s.database);
        if (db.state === 'RESTORING' && !db.restore?.standby) throw sqlErrors.databaseRestoring(db.name);
        if (db.state !== 'ONLINE' && db.state !== 'RESTORING') throw sqlErrors.databaseNotOnline(db.name);
        this.#env.session.database = db.name;
        this.items.push({
          kind: 'message',
          message: {
            number: 5701,
            severity: 0,
            state: 1,
            message: `Changed database context to '${db.name}'.`,
          },
        });
        return;
      }
      case 'print':
        this.items.push({
          kind: 'message',
          message: { number: 0, severity: 0, state: 1, message: toText(ev(s.expr) ?? '') },
        });
        return;
      case 'return':
        throw new StopBatch();
      case 'backup':
        this.items.push(...(await runNativeBackup(this.#env, s, ev)));
        return;
      case 'restore':
        this.items.push(...(await runNativeRestore(this.#env, s, ev)));
        return;
      case 'alter-database':
        this.items.push(...runAlterDatabase(this.#env, s, ev));
        return;
    }
  }

  #variable(name: string): Variable {
    const v = this.#eval.variables.get(name.toLowerCase());
    if (!v) throw sqlErrors.variableUndeclared(name);
    return v;
  }

  async #exec(
    procedure: string,
    args: Array<{ name: string | null; value: Expr; output: boolean }>,
    returnVar: string | null,
  ): Promise<void> {
    const evaluated: ProcArg[] = [];
    for (const a of args) {
      if (a.value.kind === 'default') continue;
      if (a.output && a.value.kind !== 'variable')
        throw new SqlError(
          179,
          'Cannot use the OUTPUT option when passing a constant to a stored procedure.',
          { abortsBatch: true },
        );
      evaluated.push({ name: a.name, value: evaluate(this.#eval, a.value), output: a.output });
    }
    const result = await callProcedure(this.#env, procedure, evaluated);
    this.items.push(...result.items);
    if (returnVar) this.#variable(returnVar).value = result.returnValue;
    for (const [i, a] of args.entries()) {
      if (!a.output || a.value.kind !== 'variable') continue;
      const out = result.outputs?.[a.name ?? ''] ?? result.outputs?.[`#${i}`];
      if (out !== undefined) {
        const v = this.#variable(a.value.name);
        v.value = castTo(out, v.type);
      }
    }
  }

  #raiserror(values: SqlValue[]): void {
    const [msg, sev, state, ...rest] = values;
    const severity = Number(sev ?? 16);
    const text =
      typeof msg === 'number'
        ? `Error ${msg}, severity ${severity}, state ${state} was raised, but no message with that error number was found in sys.messages.`
        : formatMessage(toText(msg ?? ''), rest);
    const message = {
      number: typeof msg === 'number' ? msg : 50000,
      severity,
      state: Number(state ?? 1),
      message: text,
      lineNumber: 1,
    };
    if (severity >= 11) throw new SqlError(message.number, text, { severity, state: message.state });
    this.items.push({ kind: 'message', message });
  }

  #select(items: Array<{ expr: Expr; alias: string | null; assignTo: string | null }>): void {
    const assigning = items.filter((i) => i.assignTo !== null).length;
    if (assigning > 0 && assigning < items.length) {
      throw new SqlError(
        141,
        'A SELECT statement that assigns a value to a variable must not be combined with data-retrieval operations.',
        { severity: 15, abortsBatch: true },
      );
    }
    if (assigning > 0) {
      for (const i of items) {
        const v = this.#variable(i.assignTo!);
        v.value = castTo(evaluate(this.#eval, i.expr), v.type);
      }
      return;
    }
    const values = items.map((i) => evaluate(this.#eval, i.expr));
    const columns: Column[] = items.map((i, n) => {
      const declared =
        i.expr.kind === 'variable'
          ? this.#eval.variables.get(i.expr.name.toLowerCase())?.type
          : i.expr.kind === 'cast'
            ? i.expr.type
            : undefined;
      return {
        name: i.alias ?? '',
        type: declared ? columnTypeOf(declared) : columnTypeOfValue(values[n]!),
        nullable: true,
      };
    });
    this.items.push({ kind: 'resultSet', resultSet: { columns, rows: [values] } });
  }
}
