import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_TYPES_COLUMNS, ALL_TYPES_ROW } from './testing/echo-engine.ts';
import { startHarness, sql, type Harness } from './testing/harness.ts';

let h: Harness;
let pool: sql.ConnectionPool;
beforeAll(async () => {
  h = await startHarness();
  pool = await h.pool();
});
afterAll(async () => {
  await h.stop();
});

interface Received {
  name: string;
  type: string;
  text: string | null;
  js: string;
}

/** Sends `inputs` through sp_executesql to the echo engine; returns the echoed row and what the engine received. */
async function echo(
  inputs: Array<[string, sql.ISqlType | (() => sql.ISqlType), unknown]>,
): Promise<{ row: Record<string, unknown>; received: Map<string, Received> }> {
  const request = pool.request();
  for (const [name, type, value] of inputs) request.input(name, type, value);
  const result = await request.query('ECHO');
  const recordsets = result.recordsets as unknown as Array<Array<Record<string, unknown>>>;
  const received = new Map((recordsets[1] as unknown as Received[]).map((r) => [r.name, r]));
  return { row: recordsets[0]![0]!, received };
}

describe('parameter types: mssql -> TDS -> engine (decoded per engine-api.ts) -> TDS -> mssql', () => {
  it('integers, bit and float', async () => {
    const { row, received } = await echo([
      ['i', sql.Int, -2147483648],
      ['b', sql.BigInt, '9007199254740993'],
      ['small', sql.BigInt, 42],
      ['s', sql.SmallInt, -32768],
      ['t', sql.TinyInt, 255],
      ['bit', sql.Bit, true],
      ['f', sql.Float, 1.5e300],
    ]);
    expect(row).toEqual({
      i: -2147483648,
      b: '9007199254740993',
      small: '42',
      s: -32768,
      t: 255,
      bit: true,
      f: 1.5e300,
    });
    expect(received.get('@i')).toMatchObject({ type: '{"type":"int"}', text: '-2147483648', js: 'number' });
    expect(received.get('@b')).toMatchObject({
      type: '{"type":"bigint"}',
      text: '9007199254740993',
      js: 'bigint',
    });
    expect(received.get('@small')).toMatchObject({ text: '42', js: 'number' });
    expect(received.get('@s')).toMatchObject({ type: '{"type":"smallint"}', js: 'number' });
    expect(received.get('@t')).toMatchObject({ type: '{"type":"tinyint"}', text: '255' });
    expect(received.get('@bit')).toMatchObject({ type: '{"type":"bit"}', text: 'true', js: 'boolean' });
    expect(received.get('@f')).toMatchObject({ type: '{"type":"float"}', text: '1.5e+300', js: 'number' });
  });

  it('strings: nvarchar(n), nvarchar(max) of 100 KB, varchar in code page 1252', async () => {
    const big = 'Grüße 世界 '.repeat(10_240).slice(0, 51_200); // 51,200 UTF-16 units = 100 KiB
    expect(Buffer.byteLength(big, 'utf16le')).toBe(102_400);
    const { row, received } = await echo([
      ['n', sql.NVarChar(50), 'héllo – ✓'],
      ['max', sql.NVarChar(sql.MAX), big],
      ['v', sql.VarChar(20), 'café €'],
      ['empty', sql.NVarChar(10), ''],
    ]);
    expect(row).toEqual({ n: 'héllo – ✓', max: big, v: 'café €', empty: '' });
    expect(received.get('@n')).toMatchObject({ type: '{"type":"nvarchar","length":50}', text: 'héllo – ✓' });
    expect(received.get('@max')!.type).toBe('{"type":"nvarchar","length":"max"}');
    expect(received.get('@max')!.text).toBe(big);
    expect(received.get('@v')).toMatchObject({ type: '{"type":"varchar","length":20}', text: 'café €' });
  });

  it('decimal and numeric arrive as exact decimal text', async () => {
    const lsn = Number('12345678901234567890123'); // tedious sends Math.round of this double, exactly
    const { row, received } = await echo([
      ['lsn', sql.Numeric(25, 0), lsn],
      ['d', sql.Decimal(18, 4), -1234.5678],
      ['z', sql.Decimal(5, 2), 0],
    ]);
    expect(received.get('@lsn')).toMatchObject({
      type: '{"type":"numeric","precision":25,"scale":0}',
      text: BigInt(Math.round(lsn)).toString(),
      js: 'string',
    });
    expect(received.get('@d')).toMatchObject({
      type: '{"type":"decimal","precision":18,"scale":4}',
      text: '-1234.5678',
    });
    expect(received.get('@z')!.text).toBe('0.00');
    expect(row.d).toBe(-1234.5678);
    expect(row.lsn).toBe(lsn);
  });

  it('dates, GUIDs and binary', async () => {
    const when = new Date('2024-02-29T23:59:59.123Z');
    const old = new Date('1999-12-31T12:34:56.790Z');
    const bytes = Buffer.from('00ff10abcdef', 'hex');
    const blob = Buffer.alloc(100_000, 0x5a);
    const { row, received } = await echo([
      ['dt2', sql.DateTime2(7), when],
      ['dt2s0', sql.DateTime2(0), when],
      ['dt', sql.DateTime, old],
      ['g', sql.UniqueIdentifier, '6f9619ff-8b86-d011-b42d-00c04fc964ff'],
      ['bin', sql.VarBinary(16), bytes],
      ['blob', sql.VarBinary(sql.MAX), blob],
    ]);
    expect(received.get('@dt2')).toMatchObject({
      type: '{"type":"datetime2","scale":7}',
      text: when.toISOString(),
      js: 'Date',
    });
    // tedious drops the fraction it cannot send at scale 0; the engine gets exactly what was on the wire
    expect(received.get('@dt2s0')).toMatchObject({
      type: '{"type":"datetime2","scale":0}',
      text: '2024-02-29T23:59:59.000Z',
    });
    expect(received.get('@dt')).toMatchObject({ type: '{"type":"datetime"}', text: old.toISOString() });
    expect(received.get('@g')).toMatchObject({
      type: '{"type":"uniqueidentifier"}',
      text: '6F9619FF-8B86-D011-B42D-00C04FC964FF',
    });
    expect(received.get('@bin')).toMatchObject({
      type: '{"type":"varbinary","length":16}',
      text: '00ff10abcdef',
      js: 'Buffer',
    });
    expect(received.get('@blob')!.text).toBe(blob.toString('hex'));
    expect(row).toEqual({
      dt2: when,
      dt2s0: new Date('2024-02-29T23:59:59Z'),
      dt: old,
      g: '6F9619FF-8B86-D011-B42D-00C04FC964FF',
      bin: bytes,
      blob,
    });
  });

  it('NULL of every type', async () => {
    const types: Array<[string, sql.ISqlType | (() => sql.ISqlType)]> = [
      ['i', sql.Int],
      ['b', sql.BigInt],
      ['bit', sql.Bit],
      ['n', sql.NVarChar(10)],
      ['nmax', sql.NVarChar(sql.MAX)],
      ['v', sql.VarChar(10)],
      ['dt2', sql.DateTime2(3)],
      ['dt', sql.DateTime],
      ['d', sql.Decimal(10, 2)],
      ['g', sql.UniqueIdentifier],
      ['bin', sql.VarBinary(10)],
      ['bmax', sql.VarBinary(sql.MAX)],
      ['f', sql.Float],
    ];
    const { row, received } = await echo(types.map(([n, t]) => [n, t, null]));
    expect(Object.values(row).every((v) => v === null)).toBe(true);
    expect(Object.keys(row)).toHaveLength(types.length);
    expect([...received.values()].every((r) => r.text === null && r.js === 'object')).toBe(true);
  });
});

describe('result columns of every ColumnType', () => {
  it('arrive in mssql with their values and SQL types', async () => {
    const result = await pool.request().query('SELECT ALL_TYPES');
    const [full, empty] = result.recordset;
    expect(full).toEqual({
      c_int: -2147483648,
      c_bigint: '9007199254740993',
      c_smallint: -32768,
      c_tinyint: 255,
      c_bit: true,
      c_nvarchar: 'Grüße, 世界',
      c_nvarchar_max: 'x'.repeat(5000),
      c_varchar: 'café €',
      c_varchar_max: 'v'.repeat(9000),
      c_datetime2: ALL_TYPES_ROW[9],
      c_datetime: ALL_TYPES_ROW[10],
      c_decimal: Number('-12345678901234.5678'), // tedious hands decimals over as JS numbers
      c_lsn: Number('12345678901234567890123'),
      c_guid: '6F9619FF-8B86-D011-B42D-00C04FC964FF',
      c_varbinary: Buffer.from('00ff10ab', 'hex'),
      c_varbinary_max: Buffer.alloc(70_000, 0xab),
      c_float: Math.PI,
    });
    expect(Object.values(empty!).every((v) => v === null)).toBe(true);
    const columns = result.recordset.columns;
    const typeNames = Object.fromEntries(
      ALL_TYPES_COLUMNS.map((c) => [
        c.name,
        (columns[c.name]!.type as unknown as { declaration: string }).declaration,
      ]),
    );
    expect(typeNames).toEqual({
      c_int: 'int',
      c_bigint: 'bigint',
      c_smallint: 'smallint',
      c_tinyint: 'tinyint',
      c_bit: 'bit',
      c_nvarchar: 'nvarchar',
      c_nvarchar_max: 'nvarchar',
      c_varchar: 'varchar',
      c_varchar_max: 'varchar',
      c_datetime2: 'datetime2',
      c_datetime: 'datetime',
      c_decimal: 'decimal',
      c_lsn: 'numeric',
      c_guid: 'uniqueidentifier',
      c_varbinary: 'varbinary',
      c_varbinary_max: 'varbinary',
      c_float: 'float',
    });
    expect(columns.c_nvarchar!.length).toBe(100); // bytes, as SQL Server declares nvarchar(50)
    expect(columns.c_nvarchar_max!.length).toBe(65535);
    expect(columns.c_lsn).toMatchObject({ precision: 25, scale: 0 });
    expect(columns.c_decimal).toMatchObject({ precision: 18, scale: 4 });
    expect(columns.c_datetime2).toMatchObject({ scale: 7 });
    expect(columns.c_int!.nullable).toBe(true);
  });

  it('a value that does not fit its column becomes an error the client sees, not a broken stream', async () => {
    const engine = h.engine;
    const original = engine.executeBatch.bind(engine);
    engine.executeBatch = async (session, sqlText, signal) =>
      sqlText === 'BAD VALUE'
        ? {
            items: [
              {
                kind: 'resultSet',
                resultSet: { columns: [{ name: 'n', type: { type: 'int' } }], rows: [['not a number']] },
              },
            ],
          }
        : original(session, sqlText, signal);
    try {
      const err = await pool
        .request()
        .batch('BAD VALUE')
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(sql.RequestError);
      expect((err as sql.RequestError).message).toMatch(
        /row 0, column "n": int value must be an integer .*got string "not a number"/,
      );
      expect((await pool.request().query('SELECT DB_NAME()')).recordset).toEqual([{ db: 'master' }]);
    } finally {
      engine.executeBatch = original;
    }
  });
});
