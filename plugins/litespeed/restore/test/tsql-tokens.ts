/** A small T-SQL tokenizer for tests: proves that rendered text parses into exactly the values put in. */
export type Token =
  | { kind: 'comment'; text: string }
  | { kind: 'nstring'; value: string }
  | { kind: 'string'; value: string }
  | { kind: 'ident'; value: string }
  | { kind: 'word'; value: string }
  | { kind: 'punct'; value: string };

export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const quoted = (open: number, close: string): [string, number] => {
    let value = '';
    let j = open;
    for (;;) {
      if (j >= sql.length) throw new Error(`unterminated ${close} literal at ${open}`);
      const ch = sql[j]!;
      if (ch === close) {
        if (sql[j + 1] === close) {
          value += close;
          j += 2;
          continue;
        }
        return [value, j + 1];
      }
      value += ch;
      j++;
    }
  };
  while (i < sql.length) {
    const ch = sql[i]!;
    if (/\s/.test(ch)) i++;
    else if (sql.startsWith('--', i)) {
      const end = sql.indexOf('\n', i);
      out.push({ kind: 'comment', text: sql.slice(i + 2, end === -1 ? sql.length : end) });
      i = end === -1 ? sql.length : end + 1;
    } else if ((ch === 'N' || ch === 'n') && sql[i + 1] === "'") {
      const [value, next] = quoted(i + 2, "'");
      out.push({ kind: 'nstring', value });
      i = next;
    } else if (ch === "'") {
      const [value, next] = quoted(i + 1, "'");
      out.push({ kind: 'string', value });
      i = next;
    } else if (ch === '[') {
      const [value, next] = quoted(i + 1, ']');
      out.push({ kind: 'ident', value });
      i = next;
    } else if (/[A-Za-z_@#]/.test(ch)) {
      const m = /^[A-Za-z_@#][A-Za-z0-9_@#$]*/.exec(sql.slice(i))!;
      out.push({ kind: 'word', value: m[0] });
      i += m[0].length;
    } else if (/[0-9]/.test(ch)) {
      const m = /^[0-9]+/.exec(sql.slice(i))!;
      out.push({ kind: 'word', value: m[0] });
      i += m[0].length;
    } else {
      out.push({ kind: 'punct', value: ch });
      i++;
    }
  }
  return out;
}
