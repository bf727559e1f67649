import { randomUUID } from 'node:crypto';
import type { SqlValue } from '../engine-api.ts';
import { sqlErrors } from './error-catalog.ts';
import type { ServerModel } from './server-model.ts';
import { SqlError } from './sql-error.ts';
import { castTo, compare, toNumber, toText } from './sql-values.ts';
import type { DataType, Expr } from './tsql-ast.ts';

export interface Variable {
  type: DataType;
  value: SqlValue;
}

export interface EvalContext {
  server: ServerModel;
  database: () => string;
  login: string;
  sessionId: number;
  variables: Map<string, Variable>;
  lastError: () => number;
}

/** Evaluates an expression of the interpreter's subset; NULL propagates as in T-SQL. */
export function evaluate(ctx: EvalContext, e: Expr): SqlValue {
  switch (e.kind) {
    case 'literal':
      return e.value;
    case 'default':
      return null;
    case 'variable': {
      const v = ctx.variables.get(e.name.toLowerCase());
      if (!v) throw sqlErrors.variableUndeclared(e.name);
      return v.value;
    }
    case 'sysvar':
      return systemVariable(ctx, e.name);
    case 'cast':
      return castTo(evaluate(ctx, e.expr), e.type);
    case 'is-null': {
      const isNull = evaluate(ctx, e.expr) === null;
      return e.negated ? !isNull : isNull;
    }
    case 'unary': {
      const v = evaluate(ctx, e.expr);
      if (e.op === 'NOT') return v === null ? null : !truthy(v);
      if (v === null) return null;
      return typeof v === 'bigint' ? -v : -toNumber(v);
    }
    case 'binary':
      return binary(ctx, e.op, e.left, e.right);
    case 'call':
      return call(ctx, e.name, e.args);
  }
}

export function truthy(v: SqlValue): boolean {
  return v === true;
}

function binary(ctx: EvalContext, op: string, l: Expr, r: Expr): SqlValue {
  if (op === 'AND' || op === 'OR') {
    const a = evaluate(ctx, l);
    const b = evaluate(ctx, r);
    if (op === 'AND') return a === false || b === false ? false : a === null || b === null ? null : true;
    return a === true || b === true ? true : a === null || b === null ? null : false;
  }
  const a = evaluate(ctx, l);
  const b = evaluate(ctx, r);
  if (['=', '<>', '<', '>', '<=', '>='].includes(op)) return compare(op, a, b);
  if (a === null || b === null) return null;
  if (
    op === '+' &&
    (typeof a === 'string' || typeof b === 'string') &&
    !(typeof a === 'number' || typeof b === 'number')
  )
    return toText(a) + toText(b);
  const x = toNumber(a);
  const y = toNumber(b);
  switch (op) {
    case '+':
      return x + y;
    case '-':
      return x - y;
    case '*':
      return x * y;
    case '/':
      if (y === 0) throw new SqlError(8134, 'Divide by zero error encountered.');
      return Number.isInteger(x) && Number.isInteger(y) ? Math.trunc(x / y) : x / y;
    case '%':
      if (y === 0) throw new SqlError(8134, 'Divide by zero error encountered.');
      return x % y;
    default:
      throw new SqlError(102, `Incorrect syntax near '${op}'.`, { severity: 15, abortsBatch: true });
  }
}

function systemVariable(ctx: EvalContext, name: string): SqlValue {
  const o = ctx.server.options;
  switch (name) {
    case '@@SERVERNAME':
      return o.serverName;
    case '@@SERVICENAME':
      return 'MSSQLSERVER';
    case '@@VERSION':
      return `Microsoft SQL Server 2022 (${o.productLevel}) - ${o.version.major}.${o.version.minor}.${o.version.build}.${o.version.revision} (X64)\n\t(holdfast simulator)\n\t${o.edition} on Windows Server 2022 Datacenter 10.0 <X64>`;
    case '@@SPID':
      return ctx.sessionId;
    case '@@ERROR':
      return ctx.lastError();
    case '@@ROWCOUNT':
      return 0;
    case '@@TRANCOUNT':
      return 0;
    case '@@LANGUAGE':
      return 'us_english';
    default:
      throw new SqlError(137, `Must declare the scalar variable "${name}".`, {
        severity: 15,
        abortsBatch: true,
      });
  }
}

function call(ctx: EvalContext, name: string, args: Expr[]): SqlValue {
  const v = (i: number) => evaluate(ctx, args[i]!);
  const fn = name.replace(/^(MASTER\.)?(SYS|DBO)\./, '');
  switch (fn) {
    case 'DB_NAME':
      if (args.length === 0) return ctx.database();
      return ctx.server.databases().find((d) => d.id === toNumber(v(0)))?.name ?? null;
    case 'DB_ID': {
      const n = args.length === 0 ? ctx.database() : v(0);
      return n === null ? null : (ctx.server.database(toText(n))?.id ?? null);
    }
    case 'SERVERPROPERTY':
      return serverProperty(ctx.server, toText(v(0)));
    case 'GETDATE':
    case 'GETUTCDATE':
    case 'SYSDATETIME':
    case 'SYSUTCDATETIME':
    case 'CURRENT_TIMESTAMP':
      return ctx.server.now();
    case 'ISNULL': {
      const a = v(0);
      return a === null ? v(1) : a;
    }
    case 'COALESCE': {
      for (let i = 0; i < args.length; i++) {
        const a = v(i);
        if (a !== null) return a;
      }
      return null;
    }
    case 'LEN': {
      const a = v(0);
      return a === null ? null : toText(a).trimEnd().length;
    }
    case 'UPPER': {
      const a = v(0);
      return a === null ? null : toText(a).toUpperCase();
    }
    case 'LOWER': {
      const a = v(0);
      return a === null ? null : toText(a).toLowerCase();
    }
    case 'LTRIM': {
      const a = v(0);
      return a === null ? null : toText(a).trimStart();
    }
    case 'RTRIM': {
      const a = v(0);
      return a === null ? null : toText(a).trimEnd();
    }
    case 'CONCAT':
      return args
        .map((_, i) => {
          const a = v(i);
          return a === null ? '' : toText(a);
        })
        .join('');
    case 'SUSER_SNAME':
    case 'SUSER_NAME':
    case 'ORIGINAL_LOGIN':
    case 'SYSTEM_USER':
      return ctx.login;
    case 'IS_SRVROLEMEMBER':
      return 1;
    case 'HAS_PERMS_BY_NAME':
      return 1;
    case 'NEWID':
      return randomUUID().toUpperCase();
    case 'OBJECT_ID':
      return null;
    default:
      throw new SqlError(195, `'${name}' is not a recognized built-in function name.`, {
        severity: 15,
        abortsBatch: true,
      });
  }
}

export function serverProperty(server: ServerModel, property: string): SqlValue {
  const o = server.options;
  switch (property.toLowerCase()) {
    case 'servername':
      return o.serverName;
    case 'machinename':
      return o.machineName;
    case 'instancename':
      return null;
    case 'productversion':
      return `${o.version.major}.${o.version.minor}.${o.version.build}.${o.version.revision}`;
    case 'productmajorversion':
      return String(o.version.major);
    case 'productminorversion':
      return String(o.version.minor);
    case 'productlevel':
      return o.productLevel;
    case 'edition':
      return o.edition;
    case 'engineedition':
      return o.engineEdition;
    case 'ishadrenabled':
      return 0;
    case 'isclustered':
      return 0;
    case 'collation':
      return 'SQL_Latin1_General_CP1_CI_AS';
    default:
      return null;
  }
}
