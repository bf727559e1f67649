import type { z } from 'zod';

/** Internal view of a zod 4 schema definition, enough to walk it for error messages. */
interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  options?: z.ZodType[];
  discriminator?: string;
  values?: unknown[];
  entries?: Record<string, unknown>;
  valueType?: z.ZodType;
}

function def(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let i = 0; i < 20; i++) {
    const d = def(s);
    if (['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(d.type) && d.innerType) s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else break;
  }
  return s;
}

function literalValues(schema: z.ZodType): unknown[] {
  const d = def(unwrap(schema));
  if (d.type === 'literal') return d.values ?? [];
  if (d.type === 'enum') return Object.values(d.entries ?? {});
  return [];
}

function pickOption(options: z.ZodType[], discriminator: string | undefined, value: unknown): z.ZodType | undefined {
  if (discriminator && value && typeof value === 'object') {
    const tag = (value as Record<string, unknown>)[discriminator];
    return options.find((o) => {
      const shape = def(unwrap(o)).shape;
      return shape?.[discriminator] !== undefined && literalValues(shape[discriminator]!).includes(tag);
    });
  }
  return undefined;
}

/** The schema (unwrapped) that validates the value at `path`, or undefined when it cannot be followed. */
export function schemaAt(schema: z.ZodType, path: readonly (string | number)[], root: unknown): z.ZodType | undefined {
  let s: z.ZodType | undefined = unwrap(schema);
  let value: unknown = root;
  for (const seg of path) {
    if (!s) return undefined;
    let d = def(s);
    if (d.type === 'union' && d.options) {
      s = pickOption(d.options, d.discriminator, value) ?? d.options.find((o) => def(unwrap(o)).shape?.[String(seg)] !== undefined);
      if (!s) return undefined;
      s = unwrap(s);
      d = def(s);
    }
    if (d.type === 'object' && d.shape) s = d.shape[String(seg)];
    else if (d.type === 'array' && d.element) s = d.element;
    else if (d.type === 'record' && d.valueType) s = d.valueType;
    else return undefined;
    s = s ? unwrap(s) : undefined;
    value = value !== null && typeof value === 'object' ? (value as Record<string | number, unknown>)[seg] : undefined;
  }
  if (s && def(s).type === 'union') {
    const d = def(s);
    s = pickOption(d.options ?? [], d.discriminator, value) ?? s;
    s = unwrap(s);
  }
  return s;
}

/** The value at `path` in plain data, and whether it is there at all. */
export function foundAt(root: unknown, path: readonly (string | number)[]): { present: boolean; value?: unknown } {
  let v: unknown = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object' || !(seg in (v as object))) return { present: false };
    v = (v as Record<string | number, unknown>)[seg];
  }
  return { present: true, value: v };
}

/** What is allowed at the place of an issue, in words, when it can be said. */
export function allowedText(schema: z.ZodType, path: readonly (string | number)[], root: unknown, issue: z.core.$ZodIssue): string | undefined {
  switch (issue.code) {
    case 'unrecognized_keys': {
      const s = schemaAt(schema, path, root);
      const shape = s ? def(s).shape : undefined;
      return shape ? Object.keys(shape).join(', ') : undefined;
    }
    case 'invalid_type': {
      const s = schemaAt(schema, path, root);
      const lits = s ? literalValues(s) : [];
      if (lits.length > 0) return lits.map((v) => JSON.stringify(v)).join(' | ');
      return describeSchema(s) ?? issue.expected;
    }
    case 'invalid_value':
      return issue.values.map((v) => JSON.stringify(v)).join(' | ');
    case 'too_small':
      return `${issue.origin === 'string' ? 'a length of ' : issue.origin === 'array' ? 'at least ' : ''}${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}${issue.origin === 'array' ? ' item(s)' : ''}`;
    case 'too_big':
      return `${issue.origin === 'string' ? 'a length of ' : ''}${issue.inclusive ? '<=' : '<'} ${String(issue.maximum)}${issue.origin === 'array' ? ' item(s)' : ''}`;
    case 'invalid_union': {
      // A bad discriminator value is reported at the discriminator's own path; list the values it may take.
      const parent = path.length > 0 ? schemaAt(schema, path.slice(0, -1), root) : undefined;
      const pd = parent ? def(parent) : undefined;
      const s = pd?.type === 'union' && pd.discriminator === path[path.length - 1] ? parent : schemaAt(schema, path, root);
      const d = s ? def(s) : undefined;
      if (d?.type === 'union' && d.discriminator && d.options) {
        const tags = d.options.flatMap((o) => literalValues(def(unwrap(o)).shape?.[d.discriminator!] ?? o));
        return tags.map((t) => JSON.stringify(t)).join(' | ');
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

function describeSchema(s: z.ZodType | undefined): string | undefined {
  if (!s) return undefined;
  const d = def(s);
  if (d.type === 'object' && d.shape) return `an object with keys: ${Object.keys(d.shape).join(', ')}`;
  if (d.type === 'array') return 'a list';
  return undefined;
}
