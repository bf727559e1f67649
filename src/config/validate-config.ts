import { access } from 'node:fs/promises';
import path from 'node:path';
import { findSecretRefs, parseSecretRef, SECRET_REF_FORMS } from './secret-resolver.ts';
import { formatPath, type ConfigProblem } from './problems.ts';
import type { LoadedManifest } from './load-manifests.ts';
import type { PluginRegistry } from '../plugin/registry.ts';

/**
 * Checks that need every manifest: duplicate names (per kind; job names are unique among all jobs, since
 * `--job NAME` selects by name), references to missing manifests, and secret references (their form; and for
 * env: and file:, that the secret exists — its value is never printed).
 */
export async function validateConfig(
  manifests: readonly LoadedManifest[],
  registry: PluginRegistry,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ConfigProblem[]> {
  const problems: ConfigProblem[] = [];
  const at = (m: LoadedManifest, where: (string | number)[] = []) => {
    const pos = m.locate(where);
    return { file: pos.file, line: pos.line, column: pos.column, manifest: `${m.kind}/${m.metadata.name}` };
  };

  const seen = new Map<string, LoadedManifest>();
  for (const m of manifests) {
    const scope = registry.isJobKind(m.kind) ? 'job' : m.kind;
    const key = `${scope}\u0000${m.metadata.name}`;
    const first = seen.get(key);
    if (first) {
      problems.push({
        ...at(m, ['metadata', 'name']),
        path: 'metadata.name',
        message: `duplicate name "${m.metadata.name}" (${scope === 'job' ? 'job names are unique among all jobs' : `already used by another ${m.kind}`}; first defined at ${path.relative(process.cwd(), first.source.file) || first.source.file}:${first.source.line})`,
        found: JSON.stringify(m.metadata.name),
        allowed: 'a name not used by another manifest of the same kind',
      });
    } else {
      seen.set(key, m);
    }
  }

  const names = (kind: string) => [...new Set(manifests.filter((m) => m.kind === kind).map((m) => m.metadata.name))];
  const kinds = registry.kinds();
  for (const m of manifests) {
    const definition = kinds.get(m.kind);
    for (const ref of definition?.references?.(m.spec) ?? []) {
      const available = names(ref.kind);
      if (!available.includes(ref.name)) {
        problems.push({
          ...at(m, ['spec', ...ref.path]),
          path: formatPath(['spec', ...ref.path]),
          message: `refers to ${ref.kind} "${ref.name}", which no job file defines`,
          found: JSON.stringify(ref.name),
          allowed: available.length > 0 ? available.join(', ') : `a ${ref.kind} manifest's name (none are defined)`,
        });
      }
    }
    for (const { path: refPath, ref } of findSecretRefs(m.spec)) {
      const where = { ...at(m, ['spec', ...refPath, 'secretRef']), path: formatPath(['spec', ...refPath, 'secretRef']) };
      const parsed = parseSecretRef(ref.secretRef);
      if ('problem' in parsed) {
        problems.push({ ...where, message: `invalid secret reference: ${parsed.problem}`, found: JSON.stringify(ref.secretRef), allowed: SECRET_REF_FORMS });
      } else if (parsed.scheme === 'env' && (env[parsed.name] === undefined || env[parsed.name] === '')) {
        problems.push({ ...where, message: `secret ${ref.secretRef}: environment variable ${parsed.name} is not set` });
      } else if (parsed.scheme === 'file') {
        const file = path.resolve(m.baseDir, parsed.path);
        try {
          await access(file);
        } catch {
          problems.push({ ...where, message: `secret ${ref.secretRef}: file ${file} does not exist or cannot be read` });
        }
      }
    }
  }
  return problems;
}
