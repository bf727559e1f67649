import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sql from 'mssql';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHistory, planRestore, renderRestoreScript } from '../../plugins/litespeed/restore/index.ts';
import { ROOT, runCli } from '../helpers/cli.ts';
import { findDockerEngine, reportSkipped } from './docker-engine.ts';

/**
 * The LiteSpeed plugin with `engine: native` against a real SQL Server 2022 (Linux) in a container: full,
 * differential and log backups through `holdfast run`, then the restore chain planned from msdb history (read
 * with the query in docs/history-file.md) and run as native T-SQL under a new name. Needs a Docker engine.
 */
const IMAGE = 'mcr.microsoft.com/mssql/server:2022-latest';
const PASSWORD = 'Holdfast-Test-1!';
const docker = await findDockerEngine();
const SUITE = 'LiteSpeedBackup (engine: native) on SQL Server 2022 in a container';
reportSkipped(SUITE, docker);

describe.skipIf(!docker.available)(SUITE, () => {
  let container: StartedTestContainer;
  let pool: sql.ConnectionPool;
  let dir = '';
  const env = { HF_SA_PASSWORD: PASSWORD };
  const holdfast = (...args: string[]) =>
    runCli([...args, '--catalog', path.join(dir, 'catalog.db')], { cwd: dir, env });
  const count = async (db: string) =>
    (await pool.request().query(`SELECT COUNT(*) AS n FROM [${db}].dbo.orders`)).recordset[0].n as number;
  const insert = (n: number) =>
    pool.request().batch(`INSERT INTO DW.dbo.orders (note) SELECT TOP (${n}) N'x' FROM sys.all_objects;`);

  beforeAll(async () => {
    container = await new GenericContainer(IMAGE)
      .withEnvironment({ ACCEPT_EULA: 'Y', MSSQL_SA_PASSWORD: PASSWORD, MSSQL_PID: 'Developer' })
      .withExposedPorts(1433)
      .withWaitStrategy(Wait.forLogMessage(/SQL Server is now ready for client connections/))
      .withStartupTimeout(240_000)
      .start();
    const host = container.getHost();
    const port = container.getMappedPort(1433);
    pool = await new sql.ConnectionPool({
      server: host,
      port,
      user: 'sa',
      password: PASSWORD,
      options: { encrypt: true, trustServerCertificate: true },
    }).connect();
    await pool.request().batch(`CREATE DATABASE DW; ALTER DATABASE DW SET RECOVERY FULL;`);
    await pool
      .request()
      .batch(`CREATE TABLE DW.dbo.orders (id int IDENTITY PRIMARY KEY, note nvarchar(100) NOT NULL);`);
    await insert(100);
    await container.exec(['mkdir', '-p', '/var/opt/mssql/backup', '/var/opt/mssql/restored']);
    dir = mkdtempSync(path.join(tmpdir(), 'hf-mssql-'));
    writeFileSync(
      path.join(dir, 'jobs.yaml'),
      [
        'apiVersion: holdfast/v1',
        'kind: LiteSpeedBackup',
        'metadata: { name: dw-native }',
        'spec:',
        `  server: { host: "${host}", port: ${port}, auth: { type: sql, user: sa, password: { secretRef: env:HF_SA_PASSWORD } }, trustServerCertificate: true }`,
        '  databases: [DW]',
        '  engine: native',
        '  directory: /var/opt/mssql/backup',
        '  checksum: true',
        '  verify: true',
        '  schedule: { full: "0 1 * * 0", differential: "0 1 * * 1-6", log: "*/15 * * * *" }',
        '',
      ].join('\n'),
    );
  }, 300_000);

  afterAll(async () => {
    await pool?.close();
    await container?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('takes full, differential and log backups through holdfast run, each checked in msdb', async () => {
    for (const [type, rows] of [
      ['full', 50],
      ['differential', 25],
      ['log', 0],
    ] as const) {
      const r = await holdfast('run', 'jobs.yaml', '--type', type);
      expect(r.code, `${type}: ${r.stdout}\n${r.stderr}`).toBe(0);
      if (rows > 0) await insert(rows);
    }
    const sets = await pool
      .request()
      .query(`SELECT type FROM msdb.dbo.backupset WHERE database_name = N'DW' ORDER BY backup_set_id`);
    expect(sets.recordset.map((r: { type: string }) => r.type)).toEqual(['D', 'I', 'L']);
    const catalog = await holdfast('catalog', 'list', '--json');
    expect(JSON.parse(catalog.stdout).map((a: { type: string }) => a.type)).toEqual(['D', 'I', 'L']);
  }, 300_000);

  it('restores the chain (full, differential, log) under a new name from msdb history', async () => {
    const query = /```sql\n([\s\S]*?)```/.exec(
      readFileSync(path.join(ROOT, 'docs', 'history-file.md'), 'utf8'),
    )![1]!;
    const json = (await pool.request().batch(`USE DW;\n${query}`)).recordset[0].history as string;
    const history = parseHistory(JSON.parse(json), 'msdb');
    const result = planRestore(history, {
      database: 'DW',
      as: 'DW_restored',
      moveDataTo: '/var/opt/mssql/restored',
    });
    expect(result.ok, JSON.stringify(result)).toBe(true);
    if (!result.ok) return;
    const sets = await pool
      .request()
      .query(
        `SELECT backup_set_id AS id FROM msdb.dbo.backupset WHERE database_name = N'DW' ORDER BY backup_set_id`,
      );
    // Base, its differential, then the log: the chain in order.
    expect(result.plan.steps.filter((s) => s.backup_set_id !== null).map((s) => s.backup_set_id)).toEqual(
      sets.recordset.map((r: { id: number }) => r.id),
    );
    await pool.request().batch(renderRestoreScript(result.plan, { engine: 'native' }));
    expect(await count('DW_restored')).toBe(175);
    expect(await count('DW_restored')).toBe(await count('DW'));
  }, 300_000);
});
