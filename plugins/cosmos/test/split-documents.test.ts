import { describe, expect, it } from 'vitest';
import { splitDocuments } from '../transport/split-documents.ts';

/** The lines of a page as strings (checking that every line ends in a line break). */
const split = (text: string): string[] | undefined => {
  const page = splitDocuments(Buffer.from(text));
  if (!page) return undefined;
  const body = page.lines.toString('utf8');
  expect(body === '' || body.endsWith('\n')).toBe(true);
  const lines = body === '' ? [] : body.slice(0, -1).split('\n');
  expect(lines).toHaveLength(page.count);
  return lines;
};

describe('splitDocuments', () => {
  it('returns each document of the Documents array as the exact bytes the server sent', () => {
    const docs = [
      {
        id: 'a',
        n: 1.0e21,
        s: 'brace } bracket ] quote " backslash \\ ',
        nested: [{ x: [1, [2, { y: '}' }]] }],
      },
      { id: 'ünïcødé-注文-🚀', _rid: 'x', tab: '\t', ls: '\u2028' },
      { id: 'esc', v: '\\"', w: '\\\\' },
    ];
    const body = JSON.stringify({ _rid: 'abc', Documents: docs, _count: 3 });
    expect(split(body)!.map((t) => JSON.parse(t))).toEqual(docs);
    expect(split(body)![0]).toBe(JSON.stringify(docs[0]));
  });

  it('keeps number formatting as sent (no decode and re-encode)', () => {
    expect(
      split('{"Documents":[{"id":"n","big":12345678901234567890,"f":1.50,"e":1E3}],"_count":1}'),
    ).toEqual(['{"id":"n","big":12345678901234567890,"f":1.50,"e":1E3}']);
  });

  it('finds the array wherever the key is, with whitespace around tokens, and skips other values', () => {
    const body =
      '{ "_rid" : "r", "other": {"Documents": [1]}, "list": [ "a", {"b": [ ]} ], "flag": true, "Documents" : [ {"id":"1"} , {"id":"2"} ] , "_count": 2 }';
    expect(split(body)).toEqual(['{"id":"1"}', '{"id":"2"}']);
  });

  it('re-serialises a document that holds a raw line break between tokens, so one document stays one line', () => {
    expect(split('{"Documents":[{"id":"1",\n  "a": [1,\r\n2]}, {"id":"2"}]}')).toEqual([
      '{"id":"1","a":[1,2]}',
      '{"id":"2"}',
    ]);
  });

  it('writes the lines into the body itself when documents are separated by bare commas (no copy)', () => {
    const body = Buffer.from('{"Documents":[{"id":"1","a":[1,2]},{"id":"2"}],"_count":2}');
    const page = splitDocuments(body)!;
    expect(page.lines.toString()).toBe('{"id":"1","a":[1,2]}\n{"id":"2"}\n');
    expect(page.lines.buffer).toBe(body.buffer);
    expect(splitDocuments(Buffer.from('{"Documents":[{"id":"1"} ,{"id":"2"}]}'))!.lines.toString()).toBe(
      '{"id":"1"}\n{"id":"2"}\n',
    );
  });

  it('handles an empty array and scalar elements', () => {
    expect(split('{"Documents":[],"_count":0}')).toEqual([]);
    expect(split('{"Documents":[3, "x", null, true],"_count":4}')).toEqual(['3', '"x"', 'null', 'true']);
  });

  it('returns undefined for bodies that are not a feed page', () => {
    for (const body of [
      '',
      '[]',
      '{}',
      '{"Documents":{}}',
      '{"Documents":[{"id":"1"}',
      '{"a":"unterminated}',
      'null',
      '{"a" 1}',
    ]) {
      expect(split(body), body).toBeUndefined();
    }
  });
});
