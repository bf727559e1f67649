import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sql from 'mssql';
import { describe, expect, it } from 'vitest';
import { serverInfoQuery } from '../../plugins/litespeed/queries.ts';
import { BIN } from '../helpers/cli.ts';

describe('holdfast sim sqlserver', () => {
  it('runs the simulator in the foreground; the unmodified mssql client reaches it over TLS; SIGTERM stops it', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'hf-simcmd-'));
    const child = spawn(process.execPath, [BIN, 'sim', 'sqlserver', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stderr.on('data', (d) => (out += d));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no port announced:\n${out}`)), 20_000);
      child.stdout.on('data', (d) => {
        out += d;
        const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
        if (m && out.includes('backup files under')) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
    });
    expect(out).toContain('databases: master, tempdb, model, msdb, DW');
    const pool = await new sql.ConnectionPool({ server: '127.0.0.1', port, user: 'sa', password: 'Holdfast!Sim1', options: { encrypt: true, trustServerCertificate: true } }).connect();
    try {
      const r = await pool.request().query(serverInfoQuery.sql);
      expect(r.recordset[0]).toMatchObject({ litespeed_installed: true, litespeed_procedures: 8 });
    } finally {
      await pool.close();
    }
    const code = await new Promise<number | null>((resolve) => {
      child.once('close', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
  });
});
