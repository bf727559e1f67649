import type { Artifact, ArtifactInput } from '../../src/catalog/contract.ts';
import type { BackupCall } from './backup-call.ts';
import type { HistoryFilegroup, HistorySet } from './server-facts.ts';

export const ARTIFACT_KIND = 'litespeed-backup';

/** What a litespeed-backup artifact's metadata holds (LSNs as decimal strings, never numbers). */
export interface BackupArtifactMetadata {
  [key: string]: unknown;
  database: string;
  /** The server as targets name it (`sql01`, `sql01:14330`). */
  server: string;
  engine: BackupCall['engine'];
  backupSetId: number;
  backupSetUuid: string;
  position: number;
  firstLsn: string;
  lastLsn: string;
  checkpointLsn: string | null;
  databaseBackupLsn: string | null;
  differentialBaseLsn: string | null;
  differentialBaseGuid: string | null;
  recoveryModel: string;
  isCopyOnly: boolean;
  filegroup: string | null;
  filegroups: HistoryFilegroup[];
  backupStart: string;
  backupFinish: string;
  encrypted: boolean;
  cryptLevel: number | null;
  checksum: boolean;
  verified: boolean;
}

export function metadataOf(a: Pick<Artifact, 'metadata'>): BackupArtifactMetadata {
  return a.metadata as BackupArtifactMetadata;
}

/**
 * The catalog record of a confirmed backup. `dependsOn` lists what a restore from it needs: a
 * differential's base; a log's previous log (or the base it rolls forward from); a partial base's
 * read-only filegroup backups whose read_only_lsn matches the base.
 */
export function buildArtifact(input: {
  job: string;
  target: string;
  server: string;
  call: BackupCall;
  set: HistorySet;
  verified: boolean;
  createdAt: Date;
  /** This target's litespeed-backup artifacts already in the catalog. */
  known: readonly Artifact[];
}): Omit<ArtifactInput, 'runId' | 'stepId'> {
  const { call, set } = input;
  const metadata: BackupArtifactMetadata = {
    database: call.database,
    server: input.server,
    engine: call.engine,
    backupSetId: set.backupSetId,
    backupSetUuid: set.uuid,
    position: set.position,
    firstLsn: set.firstLsn,
    lastLsn: set.lastLsn,
    checkpointLsn: set.checkpointLsn,
    databaseBackupLsn: set.databaseBackupLsn,
    differentialBaseLsn: set.differentialBaseLsn,
    differentialBaseGuid: set.differentialBaseGuid,
    recoveryModel: set.recoveryModel,
    isCopyOnly: set.isCopyOnly,
    filegroup: call.filegroup,
    filegroups: set.filegroups,
    backupStart: set.start,
    backupFinish: set.finish,
    encrypted: call.cryptLevel !== null,
    cryptLevel: call.cryptLevel,
    checksum: call.checksum,
    verified: input.verified,
  };
  return {
    job: input.job,
    plugin: 'litespeed',
    target: input.target,
    kind: ARTIFACT_KIND,
    type: set.type,
    storage: 'server',
    locations: [...call.files],
    bytes: Number(set.compressedBackupSize) || Number(set.backupSize) || 0,
    createdAt: input.createdAt,
    dependsOn: dependenciesOf(set, input.known),
    metadata,
  };
}

/** Catalog ids of the artifacts a restore from this backup set needs. */
export function dependenciesOf(set: HistorySet, known: readonly Artifact[]): string[] {
  const backups = known.filter((a) => a.kind === ARTIFACT_KIND).map((a) => ({ a, m: metadataOf(a) }));
  const byUuid = (uuid: string | null) => backups.find((b) => b.m.backupSetUuid === uuid)?.a.id;
  if (set.type === 'I' || set.type === 'Q' || set.type === 'G') {
    const base = byUuid(set.differentialBaseGuid);
    return base ? [base] : [];
  }
  if (set.type === 'L') {
    // A log whose range holds a data or differential backup's last LSN is where replay starts after that backup:
    // it needs that backup, not the logs before it. So older logs can age out once a newer base or differential
    // exists, instead of the whole log chain back to the first log being kept forever.
    const first = BigInt(set.firstLsn);
    const last = BigInt(set.lastLsn);
    const startsFrom = backups
      .filter((b) => ['D', 'P', 'I', 'Q'].includes(b.a.type) && !b.m.isCopyOnly && BigInt(b.m.lastLsn) >= first && BigInt(b.m.lastLsn) < last)
      .at(-1);
    if (startsFrom) return [startsFrom.a.id];
    const previous = backups
      .filter((b) => b.a.type === 'L' && !b.m.isCopyOnly && b.m.lastLsn === set.firstLsn)
      .at(-1);
    if (previous) return [previous.a.id];
    const lastLsn = BigInt(set.lastLsn);
    const base = backups
      .filter(
        (b) => (b.a.type === 'D' || b.a.type === 'P') && !b.m.isCopyOnly && BigInt(b.m.lastLsn) <= lastLsn,
      )
      .at(-1);
    return base ? [base.a.id] : [];
  }
  if (set.type === 'P') {
    const out: string[] = [];
    for (const fg of set.filegroups.filter((g) => !g.present && g.isReadOnly)) {
      const match = backups
        .filter(
          (b) =>
            b.a.type === 'F' &&
            b.m.filegroups.some(
              (g) =>
                g.name.toLowerCase() === fg.name.toLowerCase() &&
                g.present &&
                g.isReadOnly &&
                g.readOnlyLsn === fg.readOnlyLsn,
            ),
        )
        .at(-1);
      if (match) out.push(match.a.id);
    }
    return out;
  }
  return [];
}
