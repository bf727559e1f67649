/** The documents of a feed page as JSON Lines: each document on its own line, every line ending in `\n`. */
export interface PageLines {
  lines: Buffer;
  count: number;
  /** Frees the buffers behind `lines` once they have been consumed (set by the transport, which owns them). */
  release?: () => void;
}

/**
 * Turns the `Documents` array of a Cosmos DB feed response (`{"_rid":..,"Documents":[{..},{..}],"_count":2}`)
 * into JSON Lines without parsing: each line holds exactly the bytes the server sent for one document. An export
 * writes these, so a document is never decoded and encoded again (which is both the cost of an export and a way
 * to lose fidelity, e.g. number formatting).
 *
 * When the documents are separated by bare commas (compact JSON, as Cosmos DB and the emulators send), the commas
 * and the closing bracket are overwritten with line breaks in `body` itself and a view of it is returned: no copy.
 * `body` must therefore belong to the caller. A document holding a raw line break between tokens (legal JSON
 * whitespace) is re-serialised compactly, so one document is always one line.
 *
 * Returns undefined when the body is not an object with a `Documents` array; callers then fall back to the
 * parsed documents.
 */
export function splitDocuments(body: Buffer): PageLines | undefined {
  const n = body.length;
  let i = skipSpace(body, 0);
  if (body[i] !== OPEN_OBJECT) return undefined;
  i++;
  for (;;) {
    i = skipSpace(body, i);
    if (body[i] === CLOSE_OBJECT) return undefined;
    if (body[i] !== QUOTE) return undefined;
    const keyStart = i + 1;
    i = skipString(body, i);
    if (i < 0) return undefined;
    const isDocuments =
      i - 1 - keyStart === DOCUMENTS.length && body.subarray(keyStart, i - 1).equals(DOCUMENTS);
    i = skipSpace(body, i);
    if (body[i] !== COLON) return undefined;
    i = skipSpace(body, i + 1);
    if (isDocuments) return body[i] === OPEN_ARRAY ? readElements(body, i + 1) : undefined;
    i = skipValue(body, i).end;
    if (i < 0 || i > n) return undefined;
    i = skipSpace(body, i);
    if (body[i] === COMMA) i++;
    else return undefined;
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const LF = 0x0a;
const CR = 0x0d;
const DOCUMENTS = Buffer.from('Documents');
const NEWLINE = Buffer.from('\n');

function readElements(body: Buffer, from: number): PageLines | undefined {
  const spans: { start: number; end: number; lineBreak: boolean }[] = [];
  let i = skipSpace(body, from);
  if (body[i] !== CLOSE_ARRAY) {
    for (;;) {
      const start = i;
      const { end, lineBreak } = skipValue(body, i);
      if (end < 0 || end > body.length) return undefined;
      spans.push({ start, end, lineBreak });
      i = skipSpace(body, end);
      if (body[i] === COMMA) i = skipSpace(body, i + 1);
      else if (body[i] === CLOSE_ARRAY) break;
      else return undefined;
    }
  }
  if (spans.length === 0) return { lines: Buffer.alloc(0), count: 0 };
  // Compact: every gap is one comma and the array closes right after the last document. Rewrite in place.
  const compact = spans.every(
    (s, k) =>
      !s.lineBreak &&
      (k === spans.length - 1 ? body[s.end] === CLOSE_ARRAY : spans[k + 1]!.start === s.end + 1),
  );
  if (compact) {
    for (const s of spans) body[s.end] = LF;
    return { lines: body.subarray(spans[0]!.start, spans.at(-1)!.end + 1), count: spans.length };
  }
  const parts: Buffer[] = [];
  for (const s of spans) {
    const element = body.subarray(s.start, s.end);
    parts.push(
      s.lineBreak ? Buffer.from(JSON.stringify(JSON.parse(element.toString('utf8')))) : element,
      NEWLINE,
    );
  }
  return { lines: Buffer.concat(parts), count: spans.length };
}

function skipSpace(body: Buffer, i: number): number {
  for (;;) {
    const c = body[i];
    if (c === 0x20 || c === LF || c === CR || c === 0x09) i++;
    else return i;
  }
}

/** `i` at an opening quote; returns the index after the closing quote, or -1 when the string does not end. */
function skipString(body: Buffer, i: number): number {
  const n = body.length;
  for (i++; i < n; i++) {
    const c = body[i];
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH) i++;
  }
  return -1;
}

/** Skips one JSON value starting at `i`; reports whether a raw line break occurred between its tokens. */
function skipValue(body: Buffer, i: number): { end: number; lineBreak: boolean } {
  const n = body.length;
  const first = body[i];
  if (first === QUOTE) return { end: skipString(body, i), lineBreak: false };
  if (first !== OPEN_OBJECT && first !== OPEN_ARRAY) {
    // number, true, false, null
    let j = i;
    while (j < n) {
      const c = body[j];
      if (
        c === COMMA ||
        c === CLOSE_OBJECT ||
        c === CLOSE_ARRAY ||
        c === 0x20 ||
        c === LF ||
        c === CR ||
        c === 0x09
      )
        break;
      j++;
    }
    return { end: j === i ? -1 : j, lineBreak: false };
  }
  let depth = 0;
  let lineBreak = false;
  for (let j = i; j < n; j++) {
    const c = body[j]!;
    if (c === QUOTE) {
      for (j++; j < n; j++) {
        const d = body[j];
        if (d === QUOTE) break;
        if (d === BACKSLASH) j++;
      }
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth++;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (--depth === 0) return { end: j + 1, lineBreak };
    } else if (c === LF || c === CR) {
      lineBreak = true;
    }
  }
  return { end: -1, lineBreak };
}
