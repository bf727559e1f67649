import type { Column, ColumnType, ResultSet, SqlValue } from '../engine-api.ts';

/** Shorthands for result-set columns with SQL Server's types. */
export const T = {
  int: { type: 'int' } as ColumnType,
  bigint: { type: 'bigint' } as ColumnType,
  smallint: { type: 'smallint' } as ColumnType,
  tinyint: { type: 'tinyint' } as ColumnType,
  bit: { type: 'bit' } as ColumnType,
  datetime: { type: 'datetime' } as ColumnType,
  datetime2: { type: 'datetime2', scale: 7 } as ColumnType,
  guid: { type: 'uniqueidentifier' } as ColumnType,
  lsn: { type: 'numeric', precision: 25, scale: 0 } as ColumnType,
  numeric20: { type: 'numeric', precision: 20, scale: 0 } as ColumnType,
  nvarchar: (length: number | 'max'): ColumnType => ({ type: 'nvarchar', length }),
  varchar: (length: number | 'max'): ColumnType => ({ type: 'varchar', length }),
  sysname: { type: 'nvarchar', length: 128 } as ColumnType,
  char1: { type: 'varchar', length: 1 } as ColumnType,
  varbinary: (length: number | 'max'): ColumnType => ({ type: 'varbinary', length }),
};

export function col(name: string, type: ColumnType, nullable = true): Column {
  return { name, type, nullable };
}

/** A result set from column definitions and rows given as records keyed by column name. */
export function resultSet(columns: Column[], rows: Array<Record<string, SqlValue>>): ResultSet {
  return { columns, rows: rows.map((r) => columns.map((c) => (c.name in r ? r[c.name]! : null))) };
}
