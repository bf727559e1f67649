import { describe, expect, it } from 'vitest';
import { liteSpeedBackupSpecSchema } from '../job-spec-schema.ts';
import { runPreflight } from '../preflight.ts';
import type { ServerFacts } from '../server-facts.ts';
import { dwModel } from './database-model.ts';

const spec = (over: Record<string, unknown> = {}) =>
  liteSpeedBackupSpecSchema.parse({
    server: { host: 'sql01', auth: { type: 'entra' } },
    databases: ['DW'],
    directory: 'Y:\\SQL_BACKUPS',
    readWriteFileGroups: true,
    ...over,
  });
const server = (
  over: Partial<ServerFacts['info']> = {},
  dirs: ServerFacts['directories'] = [{ path: 'Y:\\SQL_BACKUPS', isDirectory: true, parentExists: true }],
): ServerFacts => ({
  label: 'sql01',
  info: {
    serverName: 'SQL01',
    machineName: 'SQL01',
    instanceName: null,
    productVersion: '16.0.4135.4',
    majorVersion: '16',
    minorVersion: '0',
    edition: 'Enterprise',
    liteSpeedInstalled: true,
    liteSpeedProcedures: 8,
    ...over,
  },
  databaseNames: ['master', 'DW'],
  directories: dirs,
});

describe('preflight rules', () => {
  it('passes a healthy server and database', () => {
    const r = runPreflight({
      spec: spec(),
      server: server(),
      databases: [dwModel().facts],
      missing: [],
      refused: [],
      wantsLogs: false,
    });
    expect(r).toEqual({ serverProblems: [], databases: [{ database: 'DW', problems: [] }], notes: [] });
  });

  it('reports every problem of a database at once', () => {
    const db = dwModel('FULL').facts;
    db.state = 'ONLINE';
    db.permissions = { isSysadmin: false, canBackupDatabase: false, canBackupLog: false };
    db.filegroups[1]!.fileStates = ['ONLINE', 'OFFLINE'];
    const r = runPreflight({
      spec: spec({ fileGroups: ['DW.FG_2099', 'FG_1999'] }),
      server: server(),
      databases: [db],
      missing: ['Gone'],
      refused: [{ name: 'tempdb', why: 'tempdb cannot be backed up' }],
      wantsLogs: true,
    });
    expect(r.databases).toEqual([
      { database: 'Gone', problems: ['database Gone does not exist on SQL01'] },
      { database: 'tempdb', problems: ['database tempdb: tempdb cannot be backed up'] },
      {
        database: 'DW',
        problems: [
          'the login may not back up database DW: it needs BACKUP DATABASE (db_backupoperator) there',
          'the login may not back up the log of DW: it needs BACKUP LOG (db_backupoperator) there',
          'filegroup DW.FG_2099 named in fileGroups does not exist in database DW (it has PRIMARY, FG_2019, FG_2020, FG_2021, FG_CURRENT)',
          'filegroup FG_1999 named in fileGroups exists in no selected database (DW has PRIMARY, FG_2019, FG_2020, FG_2021, FG_CURRENT)',
          'filegroup FG_2019 of DW has files that are OFFLINE',
        ],
      },
    ]);
  });

  it('server problems: LiteSpeed missing or incomplete (not for the native engine), a directory out of reach', () => {
    const offline = server({ liteSpeedInstalled: false }, [
      { path: 'Y:\\SQL_BACKUPS', isDirectory: false, parentExists: false },
    ]);
    const r = runPreflight({
      spec: spec(),
      server: offline,
      databases: [],
      missing: [],
      refused: [],
      wantsLogs: false,
    });
    expect(r.serverProblems).toEqual([
      'LiteSpeed is not installed on SQL01: master.dbo.xp_backup_database does not exist (install LiteSpeed, or use engine: native)',
      'directory Y:\\SQL_BACKUPS is not reachable from SQL01: neither it nor its parent folder exists there (drive offline, share missing, or no permission)',
    ]);
    expect(
      runPreflight({
        spec: spec({ engine: 'native' }),
        server: server({ liteSpeedInstalled: false }),
        databases: [],
        missing: [],
        refused: [],
        wantsLogs: false,
      }).serverProblems,
    ).toEqual([]);
    expect(
      runPreflight({
        spec: spec(),
        server: server({ liteSpeedProcedures: 5 }),
        databases: [],
        missing: [],
        refused: [],
        wantsLogs: false,
      }).serverProblems[0],
    ).toMatch(/only 5 of the 8 LiteSpeed procedures/);
  });

  it('a database that is not online, or in standby', () => {
    const db = dwModel().facts;
    db.state = 'RESTORING';
    expect(
      runPreflight({
        spec: spec(),
        server: server(),
        databases: [db],
        missing: [],
        refused: [],
        wantsLogs: false,
      }).databases[0]!.problems,
    ).toEqual(['database DW is RESTORING, not ONLINE']);
  });
});
