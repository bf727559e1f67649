import { MASK, type Secret } from '../../src/core/secret.ts';
import { describeCall, isDifferential, isPartial, type BackupCall } from './backup-call.ts';
import { renderScript, renderStatement, type RenderedStatement } from './render-statements.ts';

/**
 * The template views of a backup, its verify and a file removal, and the texts rendered from them. A view
 * lists every field a template reads (the templates are strict); absent values are null.
 */

export function backupView(call: BackupCall, reason: string, key: Secret | string | null) {
  return {
    title: describeCall(call),
    reason,
    isLog: call.type === 'L',
    database: call.database,
    files: call.files,
    directories: call.directories,
    filegroup: call.filegroup,
    readWriteFilegroups: isPartial(call.type),
    differential: isDifferential(call.type),
    copyOnly: call.copyOnly,
    checksum: call.checksum,
    compressionLevel: call.engine === 'litespeed' ? call.compressionLevel : null,
    compress: call.engine === 'native' && call.compressionLevel === 1,
    noCompress: call.engine === 'native' && call.compressionLevel === 0,
    adaptiveCompression: call.adaptiveCompression,
    cryptLevel: call.cryptLevel,
    encryptionKey: call.cryptLevel === null ? null : key,
    threads: call.threads,
    throttle: call.throttle,
    maxTransferSize: call.maxTransferSize,
    bufferCount: call.bufferCount,
    description: call.description,
    init: call.init,
    objectLevelRecoveryMap: call.objectLevelRecoveryMap,
  };
}

export function verifyView(call: BackupCall, position: number, key: Secret | string | null) {
  return {
    title: describeCall(call),
    files: call.files,
    position,
    checksum: call.checksum,
    encrypted: call.cryptLevel !== null,
    encryptionKey: call.cryptLevel === null ? null : key,
  };
}

/** The command shown in the plan: the backup, and its verify when asked (position 1: a new file). */
export function backupScript(call: BackupCall, reason: string): string {
  const parts = [renderScript(call.engine, 'backup', backupView(call, reason, MASK))];
  if (call.verify) parts.push(renderScript(call.engine, 'verify', verifyView(call, 1, MASK)));
  return parts.join('\n').trimEnd();
}

export function backupStatement(call: BackupCall, reason: string, key: Secret | null): RenderedStatement {
  return renderStatement(call.engine, 'backup', backupView(call, reason, key));
}

export function verifyStatement(call: BackupCall, position: number, key: Secret | null): RenderedStatement {
  return renderStatement(call.engine, 'verify', verifyView(call, position, key));
}

/** `-MAINTDEL -DELFILE "<path>"`, the single-file form of xp_slssqlmaint. */
export function maintenanceDeleteCommand(path: string): string {
  if (path.includes('"'))
    throw new RangeError(`cannot pass ${path} to xp_slssqlmaint: it contains a double quote`);
  return `-MAINTDEL -DELFILE "${path}"`;
}

export function removeView(engine: BackupCall['engine'], path: string) {
  return engine === 'litespeed' ? { path, command: maintenanceDeleteCommand(path) } : { path };
}
