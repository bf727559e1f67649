import { DIRECTORY_TOKENS, FILE_NAME_TOKENS } from './backup-paths.ts';

const DS = '{DirectorySeparator}';

/** Problems with a directoryStructure / fileName pattern, in Ola's words where he has them. */
export function checkPathPatterns(input: {
  directoryStructure: string;
  fileName: string;
  numberOfFiles: number;
  filegroupBackups: boolean;
}): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const unknown = (pattern: string, allowed: readonly string[]) =>
    [...pattern.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]!).filter((t) => !allowed.includes(t));
  const badDir = unknown(input.directoryStructure, DIRECTORY_TOKENS);
  if (badDir.length > 0)
    problems.push({
      path: 'directoryStructure',
      message: `unknown token(s) ${badDir.map((t) => `{${t}}`).join(', ')}; allowed: ${DIRECTORY_TOKENS.map((t) => `{${t}}`).join(' ')}`,
    });
  const badFile = unknown(input.fileName, FILE_NAME_TOKENS);
  if (badFile.length > 0)
    problems.push({
      path: 'fileName',
      message: `unknown token(s) ${badFile.map((t) => `{${t}}`).join(', ')}; allowed: ${FILE_NAME_TOKENS.map((t) => `{${t}}`).join(' ')}`,
    });
  const stripped = (p: string) => p.replace(/\{[^{}]*\}/g, '');
  if (/[{}]/.test(stripped(input.directoryStructure)))
    problems.push({ path: 'directoryStructure', message: 'has an unbalanced { or }' });
  if (/[{}]/.test(stripped(input.fileName)))
    problems.push({ path: 'fileName', message: 'has an unbalanced { or }' });
  if (!input.fileName.endsWith('.{FileExtension}'))
    problems.push({ path: 'fileName', message: 'must end with .{FileExtension}' });
  if (/[\\/]/.test(input.fileName) || input.fileName.includes(DS))
    problems.push({
      path: 'fileName',
      message: 'must not contain a directory separator (put folders in directoryStructure)',
    });
  if (input.numberOfFiles > 1 && !input.fileName.includes('{FileNumber}'))
    problems.push({ path: 'fileName', message: 'must contain {FileNumber} when a backup has several files' });
  const both = `${input.directoryStructure}|${input.fileName}`;
  const required = ['DatabaseName', 'BackupType', 'Year', 'Month', 'Day', 'Hour', 'Minute', 'Second'];
  if (input.filegroupBackups) required.push('FileGroupName');
  const missing = required.filter((t) => !both.includes(`{${t}}`));
  if (missing.length > 0) {
    problems.push({
      path: 'fileName',
      message: `directoryStructure and fileName together must contain ${missing.map((t) => `{${t}}`).join(', ')} so that no two backups share a file${input.filegroupBackups ? ' (filegroup backups of one database are taken in the same second)' : ''}`,
    });
  }
  return problems;
}
