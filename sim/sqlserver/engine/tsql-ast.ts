import type { SqlValue } from '../engine-api.ts';

/** The statements and expressions of the T-SQL subset the simulator runs. */

export interface DataType {
  name: string;
  length?: number | 'max';
  precision?: number;
  scale?: number;
}

export type Expr =
  | { kind: 'literal'; value: SqlValue }
  | { kind: 'variable'; name: string }
  | { kind: 'sysvar'; name: string }
  | { kind: 'call'; name: string; args: Expr[] }
  | { kind: 'cast'; expr: Expr; type: DataType }
  | { kind: 'binary'; op: string; left: Expr; right: Expr }
  | { kind: 'unary'; op: '-' | 'NOT'; expr: Expr }
  | { kind: 'is-null'; expr: Expr; negated: boolean }
  | { kind: 'default' };

export interface ExecArg {
  /** `@name` for named arguments, null for positional ones. */
  name: string | null;
  value: Expr;
  output: boolean;
}

/** One WITH option of BACKUP/RESTORE (also LiteSpeed's @with values): `NAME`, `NAME = value`, `MOVE a TO b`. */
export interface WithOption {
  name: string;
  value: Expr | null;
  moveTo?: Expr;
}

export interface DeviceSpec {
  type: 'DISK' | 'URL' | 'TAPE';
  path: Expr;
}

export interface BackupStatement {
  kind: 'backup';
  target: 'database' | 'log';
  database: Expr;
  filegroups: Expr[];
  files: Expr[];
  readWriteFilegroups: boolean;
  devices: DeviceSpec[];
  mirrors: DeviceSpec[][];
  options: WithOption[];
}

export interface RestoreStatement {
  kind: 'restore';
  what: 'database' | 'log' | 'headeronly' | 'filelistonly' | 'verifyonly' | 'labelonly';
  database: Expr | null;
  filegroups: Expr[];
  files: Expr[];
  readWriteFilegroups: boolean;
  devices: DeviceSpec[];
  options: WithOption[];
}

export interface AlterDatabaseStatement {
  kind: 'alter-database';
  database: Expr;
  action:
    | { kind: 'recovery'; model: string }
    | { kind: 'database-access'; readOnly: boolean }
    | { kind: 'filegroup-access'; filegroup: string; readOnly: boolean };
}

export type StatementBody =
  | { kind: 'declare'; vars: Array<{ name: string; type: DataType; init: Expr | null }> }
  | { kind: 'set-variable'; name: string; op: '=' | '+=' | '-='; expr: Expr }
  | { kind: 'set-option' }
  | { kind: 'exec'; returnVar: string | null; procedure: string; args: ExecArg[] }
  | { kind: 'if'; condition: Expr; then: Statement; otherwise: Statement | null }
  | { kind: 'block'; body: Statement[] }
  | { kind: 'raiserror'; args: Expr[] }
  | { kind: 'throw'; args: Expr[] | null }
  | { kind: 'select'; items: Array<{ expr: Expr; alias: string | null; assignTo: string | null }> }
  | { kind: 'use'; database: string }
  | { kind: 'print'; expr: Expr }
  | { kind: 'return' }
  | BackupStatement
  | RestoreStatement
  | AlterDatabaseStatement;

export type Statement = StatementBody & { text: string; line: number };
