import { describe, expect, it } from 'vitest';
import { chooseBackups, type ChooseBackupsInput, type ForceType } from '../choose-backups.ts';
import { dwModel, type DatabaseModel } from './database-model.ts';

const WEEKLY = { full: '0 1 * * 0', differential: '0 1 * * 1-6', timezone: 'UTC' };
const ALL_FGS = new Set(['PRIMARY', 'FG_2019', 'FG_2020', 'FG_2021', 'FG_CURRENT']);

function choose(db: DatabaseModel, now: string, over: Partial<ChooseBackupsInput> = {}) {
  return chooseBackups({
    now: new Date(now),
    strategy: 'partial',
    schedule: WEEKLY,
    copyOnly: false,
    changeBackupType: true,
    database: db.facts,
    goodBackupSets: db.good,
    coveredFilegroups: ALL_FGS,
    ...over,
  });
}
const kinds = (c: ReturnType<typeof choose>) =>
  c.backups.map((b) => `${b.type}${b.filegroup ? `:${b.filegroup}` : ''}`);

/** The first week's backups, as a run would take them. */
function firstRun(db: DatabaseModel): void {
  for (const fg of ['FG_2019', 'FG_2020', 'FG_2021'])
    db.backup('F', '2026-03-01T01:00:00Z', { filegroup: fg });
  db.backup('P', '2026-03-01T01:00:00Z');
}

describe('choosing the backups of a partial-strategy database', () => {
  it('first run: every read-only filegroup, then the partial base, each with its reason', () => {
    const c = choose(dwModel(), '2026-03-01T01:00:00Z');
    expect(kinds(c)).toEqual(['F:FG_2019', 'F:FG_2020', 'F:FG_2021', 'P']);
    expect(c.backups[0]!.reason).toBe('read-only filegroup FG_2019 has no filegroup backup');
    expect(c.backups[3]!.reason).toBe('DW has no partial backup in msdb yet');
  });

  it('a day later: a differential partial on the base; nothing when it already ran', () => {
    const db = dwModel();
    firstRun(db);
    const monday = choose(db, '2026-03-02T01:00:00Z');
    expect(kinds(monday)).toEqual(['Q']);
    expect(monday.backups[0]!.reason).toMatch(
      /^the differential schedule \(0 1 \* \* 1-6\) fired at 2026-03-02T01:00:00Z, after backup set 4 \(partial, 2026-03-01T01:00:00Z\); based on backup set 4/,
    );
    db.backup('Q', '2026-03-02T01:00:00Z');
    const later = choose(db, '2026-03-02T13:00:00Z');
    expect(later.backups).toEqual([]);
  });

  it('a week later: a new partial base (the full schedule fired after the base)', () => {
    const db = dwModel();
    firstRun(db);
    for (const day of ['02', '03', '04', '05', '06', '07']) db.backup('Q', `2026-03-${day}T01:00:00Z`);
    const c = choose(db, '2026-03-08T01:00:00Z');
    expect(kinds(c)).toEqual(['P']);
    expect(c.backups[0]!.reason).toMatch(
      /^the full schedule \(0 1 \* \* 0\) fired at 2026-03-08T01:00:00Z, after the current base, backup set 4/,
    );
  });

  it('a filegroup made read-write, changed and read-only again: a new filegroup backup, then a new base (the old base no longer matches)', () => {
    const db = dwModel();
    firstRun(db);
    db.setReadOnly('FG_2020', false).write().setReadOnly('FG_2020', true);
    const c = choose(db, '2026-03-03T01:00:00Z');
    expect(kinds(c)).toEqual(['F:FG_2020', 'P']);
    expect(c.backups[0]!.reason).toMatch(
      /^filegroup FG_2020 changed since its last backup, backup set 2 \(filegroup, 2026-03-01T01:00:00Z\): its read_only_lsn moved from \d+ to \d+/,
    );
    expect(c.backups[1]!.reason).toMatch(
      /^the differential schedule \(0 1 \* \* 1-6\) fired at 2026-03-03T01:00:00Z, but read-only filegroup FG_2020 was made read-write and read-only again after backup set 4 .*; taking a partial backup instead$/,
    );
  });

  it('a filegroup that is read-write now but was read-only at the base: a new base', () => {
    const db = dwModel();
    firstRun(db);
    db.setReadOnly('FG_2021', false);
    const c = choose(db, '2026-03-03T01:00:00Z');
    expect(kinds(c)).toEqual(['P']);
    expect(c.backups[0]!.reason).toMatch(/filegroup FG_2021 is read-write now but is not in backup set 4/);
  });

  it('a database switched from read-only to read-write since its last partial gets a new partial', () => {
    const db = dwModel();
    db.facts.isReadOnly = true;
    firstRun(db);
    db.facts.isReadOnly = false;
    expect(choose(db, '2026-03-02T01:00:00Z').backups[0]!.reason).toMatch(
      /DW was read-only when backup set 4 .* was taken and is read-write now/,
    );
  });

  it('a base whose verify failed (not recorded as good) is retaken on the next run; so is a filegroup backup', () => {
    const db = dwModel();
    for (const fg of ['FG_2019', 'FG_2020']) db.backup('F', '2026-03-01T01:00:00Z', { filegroup: fg });
    db.backup('F', '2026-03-01T01:00:00Z', { filegroup: 'FG_2021', good: false });
    db.backup('P', '2026-03-01T01:00:00Z', { good: false });
    const c = choose(db, '2026-03-01T02:00:00Z');
    expect(kinds(c)).toEqual(['F:FG_2021', 'P']);
    expect(c.backups[0]!.reason).toMatch(/is not recorded as good in holdfast's catalog/);
    expect(c.backups[1]!.reason).toMatch(/^the current base, backup set 4 .* is not recorded as good/);
  });

  it('a base SQL Server does not know as its differential base (history purged, or another tool): a new base', () => {
    const db = dwModel();
    firstRun(db);
    db.facts.differentialBase = { lsn: '1', guid: '11111111-1111-1111-1111-111111111111' };
    expect(choose(db, '2026-03-02T01:00:00Z').backups.at(-1)!.reason).toMatch(
      /is not the newest full or partial in msdb/,
    );
  });

  it('a full base where the job takes partials: a new base, saying why', () => {
    const db = dwModel();
    db.backup('D', '2026-03-01T00:00:00Z');
    expect(choose(db, '2026-03-02T01:00:00Z').backups.at(-1)!.reason).toMatch(
      /is a full backup but this job takes partial backups/,
    );
  });

  it('read-only filegroups outside fileGroups are not backed up, and the plan says a restore cannot bring them back', () => {
    const c = choose(dwModel(), '2026-03-01T01:00:00Z', { coveredFilegroups: new Set(['FG_2019']) });
    expect(kinds(c)).toEqual(['F:FG_2019', 'P']);
    expect(c.notes.join('\n')).toMatch(/read-only filegroup FG_2020 is not covered by fileGroups/);
  });

  it('without a schedule every run takes what the chain needs: a base first, then differentials', () => {
    const db = dwModel();
    expect(kinds(choose(db, '2026-03-01T01:00:00Z', { schedule: undefined }))).toEqual([
      'F:FG_2019',
      'F:FG_2020',
      'F:FG_2021',
      'P',
    ]);
    firstRun(db);
    expect(kinds(choose(db, '2026-03-01T05:00:00Z', { schedule: undefined }))).toEqual(['Q']);
  });
});

describe('--type and ChangeBackupType', () => {
  const forced = (db: DatabaseModel, type: ForceType, over: Partial<ChooseBackupsInput> = {}) =>
    choose(db, '2026-03-04T10:00:00Z', { forceType: type, ...over });

  it('full: a new base, with the filegroup backups it still needs', () => {
    const db = dwModel();
    firstRun(db);
    expect(kinds(forced(db, 'full'))).toEqual(['P']);
    expect(forced(db, 'full').backups[0]!.reason).toBe('--type full asks for a partial backup');
  });

  it('differential without a valid base becomes a base and says why; refused when changeBackupType is off', () => {
    const c = forced(dwModel(), 'differential');
    expect(kinds(c)).toEqual(['F:FG_2019', 'F:FG_2020', 'F:FG_2021', 'P']);
    expect(c.backups.at(-1)!.reason).toBe(
      '--type differential asks for a differential, but DW has no partial backup in msdb yet; taking a partial backup instead (changeBackupType)',
    );
    const off = forced(dwModel(), 'differential', { changeBackupType: false });
    expect(off.backups.map((b) => b.type)).not.toContain('P');
    expect(off.refusals).toEqual([
      '--type differential: DW has no partial backup in msdb yet (changeBackupType is off)',
    ]);
  });

  it('log is refused in SIMPLE recovery, with the reason', () => {
    const db = dwModel();
    firstRun(db);
    const c = forced(db, 'log');
    expect(c.backups).toEqual([]);
    expect(c.refusals).toEqual([
      '--type log: log backups need the FULL or BULK_LOGGED recovery model; DW uses SIMPLE',
    ]);
  });

  it('filegroup: a fresh backup of every covered read-only filegroup', () => {
    const db = dwModel();
    firstRun(db);
    const c = forced(db, 'filegroup');
    expect(kinds(c)).toEqual(['F:FG_2019', 'F:FG_2020', 'F:FG_2021']);
    expect(forced(db, 'filegroup', { coveredFilegroups: new Set() }).refusals[0]).toMatch(
      /has no read-only filegroup this job covers/,
    );
  });
});

describe('log backups', () => {
  const FULL_SCHEDULE = { ...WEEKLY, log: '*/15 * * * *' };

  it('only in FULL or BULK_LOGGED recovery, and only once a base exists (a new base comes first)', () => {
    const db = dwModel('FULL');
    const first = choose(db, '2026-03-01T01:00:00Z', { schedule: FULL_SCHEDULE });
    expect(kinds(first)).toEqual(['F:FG_2019', 'F:FG_2020', 'F:FG_2021', 'P', 'L']);
    expect(first.backups.at(-1)!.reason).toMatch(/the new base starts the log chain/);
    firstRun(db);
    db.backup('L', '2026-03-01T01:00:00Z');
    expect(kinds(choose(db, '2026-03-01T01:10:00Z', { schedule: FULL_SCHEDULE }))).toEqual([]);
    const due = choose(db, '2026-03-01T01:15:00Z', { schedule: FULL_SCHEDULE });
    expect(kinds(due)).toEqual(['L']);
    expect(due.backups[0]!.reason).toBe('the log schedule (*/15 * * * *) fired at 2026-03-01T01:15:00Z');
  });

  it('--type log with no base yet becomes a base (changeBackupType); a SIMPLE→FULL switch needs a new base', () => {
    const c = choose(dwModel('FULL'), '2026-03-01T01:00:00Z', { forceType: 'log' });
    expect(c.backups.at(-1)!.type).toBe('P');
    expect(c.backups.at(-1)!.reason).toMatch(
      /DW has no full or partial backup yet, so it has no log chain; taking a partial backup instead/,
    );
    const db = dwModel('SIMPLE');
    firstRun(db);
    db.facts.recoveryModel = 'FULL';
    const switched = choose(db, '2026-03-01T03:00:00Z', { schedule: FULL_SCHEDULE });
    expect(kinds(switched)).toEqual(['P', 'L']);
    expect(switched.backups[0]!.reason).toMatch(
      /^the log schedule \(\*\/15 \* \* \* \*\) fired, but DW was in SIMPLE recovery when its last base, backup set 4 .*; taking a partial backup first \(changeBackupType\)$/,
    );
    const refused = choose(db, '2026-03-01T03:00:00Z', { schedule: FULL_SCHEDULE, changeBackupType: false });
    expect(refused.backups).toEqual([]);
    expect(refused.notes.join('\n')).toMatch(/no log backup: DW was in SIMPLE recovery when its last base/);
  });

  it('FULL recovery without a log schedule is called out', () => {
    const db = dwModel('FULL');
    firstRun(db);
    expect(choose(db, '2026-03-02T01:00:00Z').notes.join('\n')).toMatch(
      /FULL recovery model but the job has no log schedule/,
    );
  });
});

describe('full strategy and copy-only', () => {
  it('full strategy: D base then I differentials, no filegroup backups', () => {
    const db = dwModel();
    expect(kinds(choose(db, '2026-03-01T01:00:00Z', { strategy: 'full' }))).toEqual(['D']);
    db.backup('D', '2026-03-01T01:00:00Z');
    expect(kinds(choose(db, '2026-03-02T01:00:00Z', { strategy: 'full' }))).toEqual(['I']);
  });

  it('copy-only: copy-only bases when the full schedule fires, never differentials', () => {
    const db = dwModel();
    const c = choose(db, '2026-03-01T01:00:00Z', { strategy: 'full', copyOnly: true });
    expect(c.backups).toEqual([
      {
        kind: 'base',
        type: 'D',
        filegroup: null,
        copyOnly: true,
        reason: 'no copy-only full backup of DW yet',
      },
    ]);
    db.backup('D', '2026-03-01T01:00:00Z', { copyOnly: true });
    expect(choose(db, '2026-03-02T01:00:00Z', { strategy: 'full', copyOnly: true }).backups).toEqual([]);
    expect(kinds(choose(db, '2026-03-08T01:00:00Z', { strategy: 'full', copyOnly: true }))).toEqual(['D']);
    expect(
      choose(db, '2026-03-08T01:00:00Z', { strategy: 'full', copyOnly: true, forceType: 'differential' })
        .refusals[0],
    ).toMatch(/copy-only/);
  });
});

describe('a job that only backs up logs (bases come from another job)', () => {
  const LOGS = { log: '*/15 * * * *', timezone: 'UTC' };

  it('takes only logs, whatever the strategy of the other job, and no filegroup backups', () => {
    const db = dwModel('FULL');
    firstRun(db);
    const c = choose(db, '2026-03-01T01:15:00Z', { schedule: LOGS, strategy: 'full' });
    expect(kinds(c)).toEqual(['L']);
  });

  it('takes a base first when the database has no log chain yet (changeBackupType), else says why not', () => {
    const c = choose(dwModel('FULL'), '2026-03-01T01:15:00Z', { schedule: LOGS, strategy: 'full' });
    expect(kinds(c)).toEqual(['D', 'L']);
    expect(c.backups[0]!.reason).toBe(
      'the log schedule (*/15 * * * *) fired, but DW has no full or partial backup yet, so it has no log chain; taking a full backup first (changeBackupType)',
    );
    const off = choose(dwModel('FULL'), '2026-03-01T01:15:00Z', {
      schedule: LOGS,
      strategy: 'full',
      changeBackupType: false,
    });
    expect(off.backups).toEqual([]);
    expect(off.notes).toEqual([
      'no log backup: DW has no full or partial backup yet, so it has no log chain',
    ]);
  });
});
