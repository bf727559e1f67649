import { join } from 'node:path';

/**
 * Maps the paths clients give (Windows drive paths, UNC paths, relative names) to files on the
 * simulator's host:
 *
 * - `Y:\SQL_BACKUPS\DW\full.bak` → `<dataDir>/drives/y/sql_backups/dw/full.bak`
 * - `\\fileserver\share\x.bak`   → `<dataDir>/unc/fileserver/share/x.bak`
 * - `full.bak` (no folder)       → the default backup folder `C:\SQLBackup\full.bak`, mapped as above
 * - `/tmp/x.bak` (POSIX absolute) → used as is
 *
 * Windows paths are case-insensitive, so mapped paths are lower-cased on the host; `..` cannot
 * climb above the drive or share root. A drive can be marked offline (unwritable, unreadable).
 */
export class DevicePaths {
  readonly dataDir: string;
  readonly defaultBackupDirectory: string;
  readonly #offline = new Set<string>();

  constructor(dataDir: string, defaultBackupDirectory = 'C:\\SQLBackup') {
    this.dataDir = dataDir;
    this.defaultBackupDirectory = defaultBackupDirectory;
  }

  /** The host path for a client path. */
  toHost(path: string): string {
    const trimmed = path.trim();
    if (trimmed.length === 0) throw new Error('empty path');
    const drive = /^([A-Za-z]):(?:[\\/]|$)(.*)$/.exec(trimmed);
    if (drive) return join(this.dataDir, 'drives', drive[1]!.toLowerCase(), ...segments(drive[2]!));
    const unc = /^\\\\([^\\/]+)[\\/]([^\\/]+)(?:[\\/](.*))?$/.exec(trimmed);
    if (unc)
      return join(
        this.dataDir,
        'unc',
        unc[1]!.toLowerCase(),
        unc[2]!.toLowerCase(),
        ...segments(unc[3] ?? ''),
      );
    if (trimmed.startsWith('/')) return trimmed;
    return this.toHost(`${this.defaultBackupDirectory}\\${trimmed}`);
  }

  /** The drive letter of a Windows path (upper case), or null. */
  driveOf(path: string): string | null {
    const m = /^([A-Za-z]):/.exec(path.trim());
    return m ? m[1]!.toUpperCase() : null;
  }

  setDriveOffline(letter: string, offline: boolean): void {
    const l = letter.replace(/:.*$/, '').toUpperCase();
    if (!/^[A-Z]$/.test(l)) throw new Error(`not a drive letter: ${letter}`);
    if (offline) this.#offline.add(l);
    else this.#offline.delete(l);
  }

  isOffline(path: string): boolean {
    const d = this.driveOf(path);
    return d !== null && this.#offline.has(d);
  }
}

function segments(rest: string): string[] {
  const out: string[] = [];
  for (const part of rest.split(/[\\/]+/)) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part.toLowerCase());
  }
  return out;
}
