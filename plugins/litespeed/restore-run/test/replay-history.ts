import type { BackupSet } from '../../restore/history-schema.ts';
import type { GeneratedHistory } from '../../restore/testing/generate-history.ts';
import type { SimServer, XpParams } from './sim-server.ts';

/**
 * Replays a generated history's event timeline on the simulator: the database is created with the
 * generator's filegroups, the clock follows the events, data is written between them, filegroups are
 * flipped read-write and read-only again when the timeline says so, and every backup event becomes the
 * same kind of LiteSpeed backup (type, copy-only, filegroup, stripes and mirror) sent through mssql.
 * The simulator then holds a history of the same shape with its own LSNs. Recovery-fork restores are
 * not replayed (generate without `chaos.fork`).
 */
export async function replayHistory(s: SimServer, generated: GeneratedHistory): Promise<void> {
  const { history, events } = generated;
  const db = history.database_name;
  const fgs = history.filegroups ?? [];
  s.sim.sim.createDatabase({
    name: db,
    recoveryModel: history.recovery_model,
    filegroups: fgs.map((fg) => ({
      name: fg.name,
      readOnly: initiallyReadOnly(generated, fg.name, fg.is_read_only),
      files: [
        {
          logicalName: `${db}_${fg.name}`,
          physicalName: `E:\\data\\${db}_${fg.name}.${fg.name === 'PRIMARY' ? 'mdf' : 'ndf'}`,
          size: '256MB',
        },
      ],
    })),
    log: { logicalName: `${db}_log`, physicalName: `L:\\log\\${db}_log.ldf`, size: '256MB' },
  });
  const sets = new Map(history.backupsets.map((b) => [b.backup_set_id, b]));
  const readWrite = () =>
    s.sim.sim
      .database(db)
      .filegroups.filter((f) => !f.isReadOnly)
      .map((f) => f.name);
  let turn = 0;
  for (const e of events) {
    const wait = Date.parse(e.at) - s.sim.sim.now().getTime();
    if (wait > 0) s.sim.sim.advanceClock(wait);
    const rw = readWrite();
    s.sim.sim.write(db, rw[turn++ % rw.length]!, '2MB');
    if (e.kind === 'filegroup-read-write') {
      s.sim.sim.setFilegroupReadOnly(db, e.filegroup, false);
      s.sim.sim.write(db, e.filegroup, '1MB');
    } else if (e.kind === 'filegroup-read-only') {
      s.sim.sim.setFilegroupReadOnly(db, e.filegroup, true);
    } else if (e.kind === 'backup') {
      const set = sets.get(e.backup_set_id);
      if (set) await backUp(s, db, set);
    } else {
      throw new Error('replayHistory: recovery-fork restores are not replayed; generate without chaos.fork');
    }
  }
}

/** Read-only at the start: its first change makes it read-write, or it never changes and ends read-only. */
function initiallyReadOnly(g: GeneratedHistory, fg: string, endsReadOnly: boolean): boolean {
  const first = g.events.find(
    (e) => (e.kind === 'filegroup-read-write' || e.kind === 'filegroup-read-only') && e.filegroup === fg,
  );
  return first ? first.kind === 'filegroup-read-write' : endsReadOnly;
}

async function backUp(s: SimServer, db: string, set: BackupSet): Promise<void> {
  const mirrors = [...new Set(set.media.map((m) => m.mirror))].sort();
  const families = (mirror: number) =>
    set.media
      .filter((m) => m.mirror === mirror)
      .sort((a, b) => a.family_sequence_number - b.family_sequence_number)
      .map(
        (m) =>
          `${mirror === 0 ? 'Y:\\SQL_BACKUPS' : 'Z:\\SQL_MIRROR'}\\${db}\\${set.backup_set_id}_${set.type}_${m.family_sequence_number}.bak`,
      );
  const params: XpParams = { database: db, filename: families(mirrors[0] ?? 0) };
  if (mirrors.length > 1) params.mirror = families(mirrors[1]!);
  const withs: string[] = [];
  if (set.is_copy_only) withs.push('COPY_ONLY');
  if (set.type === 'I' || set.type === 'Q') withs.push('DIFFERENTIAL');
  if (set.type === 'P' || set.type === 'Q') params.read_write_filegroups = 1;
  if (set.type === 'F')
    params.filegroup = [
      ...new Set(set.files.filter((f) => f.is_present && f.filegroup_name).map((f) => f.filegroup_name!)),
    ];
  if (withs.length > 0) params.with = withs;
  await s.xp(set.type === 'L' ? 'xp_backup_log' : 'xp_backup_database', params);
}
