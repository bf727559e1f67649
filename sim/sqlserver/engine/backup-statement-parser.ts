import type { BackupStatement, DeviceSpec, Expr, RestoreStatement, WithOption } from './tsql-ast.ts';
import { parseExpression } from './tsql-expressions.ts';
import type { TokenStream } from './token-stream.ts';

/**
 * Native BACKUP and RESTORE statements:
 *
 *   BACKUP DATABASE db [FILEGROUP = 'x' | FILE = 'x' | READ_WRITE_FILEGROUPS [, FILEGROUP = ...]]
 *     TO DISK = 'a' [, DISK = 'b'] [MIRROR TO DISK = 'c' ...] [WITH option, ...]
 *   BACKUP LOG db TO ... [WITH ...]
 *   RESTORE DATABASE db [FILEGROUP = ... | READ_WRITE_FILEGROUPS] [FROM DISK = ..., ...] [WITH ...]
 *   RESTORE LOG db FROM ... [WITH ...]
 *   RESTORE HEADERONLY | FILELISTONLY | VERIFYONLY | LABELONLY FROM ... [WITH ...]
 *
 * Database names may be identifiers or @variables; paths and values literals or @variables.
 */
export function parseBackup(s: TokenStream): BackupStatement {
  s.expectKeyword('BACKUP');
  const target = s.acceptKeyword('DATABASE', 'LOG');
  if (!target) s.fail('expected DATABASE or LOG');
  const database = parseDatabaseName(s);
  const selection = parseFileSelection(s);
  s.expectKeyword('TO');
  const devices = parseDevices(s);
  const mirrors: DeviceSpec[][] = [];
  while (s.acceptKeyword('MIRROR')) {
    s.expectKeyword('TO');
    mirrors.push(parseDevices(s));
  }
  const options = s.acceptKeyword('WITH') ? parseWithOptions(s) : [];
  return {
    kind: 'backup',
    target: target === 'LOG' ? 'log' : 'database',
    database,
    ...selection,
    devices,
    mirrors,
    options,
  };
}

export function parseRestore(s: TokenStream): RestoreStatement {
  s.expectKeyword('RESTORE');
  const what = s.acceptKeyword('DATABASE', 'LOG', 'HEADERONLY', 'FILELISTONLY', 'VERIFYONLY', 'LABELONLY');
  if (!what) s.fail('expected DATABASE, LOG, HEADERONLY, FILELISTONLY, VERIFYONLY or LABELONLY');
  const lower = what.toLowerCase() as RestoreStatement['what'];
  const forDatabase = lower === 'database' || lower === 'log';
  const database = forDatabase ? parseDatabaseName(s) : null;
  const selection = forDatabase
    ? parseFileSelection(s)
    : { filegroups: [], files: [], readWriteFilegroups: false };
  let devices: DeviceSpec[] = [];
  if (s.acceptKeyword('FROM')) devices = parseDevices(s);
  else if (!forDatabase || lower === 'log') s.fail('expected FROM');
  const options = s.acceptKeyword('WITH') ? parseWithOptions(s) : [];
  return { kind: 'restore', what: lower, database, ...selection, devices, options };
}

function parseDatabaseName(s: TokenStream): Expr {
  const t = s.peek();
  if (t.kind === 'variable') {
    s.next();
    return { kind: 'variable', name: t.value };
  }
  return { kind: 'literal', value: s.expectIdentifier() };
}

function parseFileSelection(s: TokenStream): {
  filegroups: Expr[];
  files: Expr[];
  readWriteFilegroups: boolean;
} {
  const out = { filegroups: [] as Expr[], files: [] as Expr[], readWriteFilegroups: false };
  let first = true;
  while (first || s.isOp(',')) {
    if (!first) {
      if (!(
        s.isKeyword('FILEGROUP', 1) ||
        s.isKeyword('FILE', 1) ||
        s.isKeyword('READ_WRITE_FILEGROUPS', 1) ||
        s.isKeyword('PAGE', 1)
      ))
        break;
      s.next();
    }
    first = false;
    if (s.acceptKeyword('READ_WRITE_FILEGROUPS')) out.readWriteFilegroups = true;
    else if (s.acceptKeyword('FILEGROUP')) {
      s.expectOp('=');
      out.filegroups.push(parseExpression(s));
    } else if (s.acceptKeyword('FILE')) {
      s.expectOp('=');
      out.files.push(parseExpression(s));
    } else if (s.isKeyword('PAGE')) s.fail('page restore is not supported by the simulator');
    else break;
  }
  return out;
}

function parseDevices(s: TokenStream): DeviceSpec[] {
  const out: DeviceSpec[] = [];
  do {
    const type = s.acceptKeyword('DISK', 'URL', 'TAPE');
    if (!type) s.fail('expected DISK =, URL = or TAPE =');
    s.expectOp('=');
    out.push({ type: type as DeviceSpec['type'], path: parseExpression(s) });
  } while (s.acceptOp(','));
  return out;
}

/**
 * A comma-separated WITH list: `NAME`, `NAME = value`, `MOVE 'logical' TO 'path'`,
 * `STATS [= n]`. Also parses LiteSpeed's @with strings (which use the same grammar).
 */
export function parseWithOptions(s: TokenStream): WithOption[] {
  const out: WithOption[] = [];
  do {
    const t = s.peek();
    if (t.kind !== 'ident' || t.quoted) s.fail('expected a WITH option');
    const name = s.next().value.toUpperCase();
    if (name === 'MOVE') {
      const from = parseExpression(s);
      s.expectKeyword('TO');
      out.push({ name, value: from, moveTo: parseExpression(s) });
    } else if (s.acceptOp('=')) {
      out.push({ name, value: parseExpression(s) });
    } else if (s.isOp('(')) {
      s.fail(`the option ${name} (...) is not supported by the simulator`);
    } else {
      out.push({ name, value: null });
    }
  } while (s.acceptOp(','));
  return out;
}
