import type { BackupSet } from './history-schema.ts';

/** The devices to read one backup set from: every family of ONE mirror, in family order. */
export interface MediaChoice {
  mirror: number;
  /** physical_device_name of families 1..N of that mirror. */
  files: string[];
  deviceType: number | null;
  /** Set when a lower-numbered mirror was incomplete and this one was chosen instead. */
  note: string | null;
}

export type MediaSelection = { ok: true; media: MediaChoice } | { ok: false; message: string };

/**
 * Picks the lowest-numbered mirror that holds every family (1..N, N = highest family_sequence_number of
 * the set). Rows of different mirrors are never mixed (that gives "formatted to support 1 media families,
 * but 2 expected"); a set with no complete mirror cannot be restored (Msg 3132).
 */
export function selectMedia(set: BackupSet): MediaSelection {
  let familyCount = 0;
  const mirrors = new Map<number, Map<number, BackupSet['media'][number]>>();
  for (const m of set.media) {
    familyCount = Math.max(familyCount, m.family_sequence_number);
    let fams = mirrors.get(m.mirror);
    if (!fams) mirrors.set(m.mirror, (fams = new Map()));
    fams.set(m.family_sequence_number, m);
  }
  const incomplete: string[] = [];
  for (const mirror of [...mirrors.keys()].sort((a, b) => a - b)) {
    const fams = mirrors.get(mirror)!;
    const missing: number[] = [];
    for (let n = 1; n <= familyCount; n++) if (!fams.has(n)) missing.push(n);
    if (missing.length === 0) {
      const rows = [...fams.values()].sort((a, b) => a.family_sequence_number - b.family_sequence_number);
      return {
        ok: true,
        media: {
          mirror,
          files: rows.map((r) => r.physical_device_name),
          deviceType: rows[0]?.device_type ?? null,
          note: incomplete.length > 0 ? `mirror ${mirror} used because ${incomplete.join('; ')}` : null,
        },
      };
    }
    incomplete.push(
      `mirror ${mirror} misses famil${missing.length === 1 ? 'y' : 'ies'} ${missing.join(', ')} of ${familyCount}`,
    );
  }
  return {
    ok: false,
    message: `no mirror holds all ${familyCount} media families (${incomplete.join('; ')})`,
  };
}
