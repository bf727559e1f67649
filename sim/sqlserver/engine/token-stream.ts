import { TsqlSyntaxError, type Token } from './tsql-lexer.ts';

/** Thrown for statements outside the simulator's T-SQL subset; `offset` is where the statement starts. */
export class UnsupportedStatement extends Error {
  readonly offset: number;
  constructor(offset: number, reason: string) {
    super(reason);
    this.offset = offset;
  }
}

/** A cursor over tokens with the small matching helpers the parsers share. */
export class TokenStream {
  readonly tokens: Token[];
  readonly sql: string;
  pos = 0;

  constructor(tokens: Token[], sql: string) {
    this.tokens = tokens;
    this.sql = sql;
  }

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)]!;
  }

  next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  atEnd(): boolean {
    return this.peek().kind === 'eof';
  }

  /** The current token is the unquoted keyword `word` (case-insensitive). */
  isKeyword(word: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.kind === 'ident' && !t.quoted && t.value.toUpperCase() === word;
  }

  isOp(op: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.kind === 'op' && t.value === op;
  }

  acceptKeyword(...words: string[]): string | null {
    for (const w of words) {
      if (this.isKeyword(w)) {
        this.next();
        return w;
      }
    }
    return null;
  }

  acceptOp(op: string): boolean {
    if (!this.isOp(op)) return false;
    this.next();
    return true;
  }

  expectKeyword(word: string): void {
    if (!this.acceptKeyword(word)) this.fail(`expected ${word}`);
  }

  expectOp(op: string): void {
    if (!this.acceptOp(op)) this.fail(`expected '${op}'`);
  }

  /** An identifier (plain or quoted); multi-part names (`master.dbo.xp_x`) joined with dots. */
  expectName(): string {
    const parts = [this.expectIdentifier()];
    while (this.isOp('.')) {
      this.next();
      if (this.isOp('.')) {
        parts.push('');
        continue;
      }
      parts.push(this.expectIdentifier());
    }
    return parts.join('.');
  }

  expectIdentifier(): string {
    const t = this.next();
    if (t.kind !== 'ident') this.failAt(t, 'expected a name');
    return t.value;
  }

  fail(why: string): never {
    this.failAt(this.peek(), why);
  }

  failAt(t: Token, why: string): never {
    const near = t.kind === 'eof' ? 'the end of the batch' : `'${this.sql.slice(t.start, t.end)}'`;
    throw new TsqlSyntaxError(`Incorrect syntax near ${near} (${why}).`, t.start);
  }

  /** 1-based line of a token. */
  lineOf(t: Token): number {
    let line = 1;
    for (let i = 0; i < t.start; i++) if (this.sql.charCodeAt(i) === 10) line++;
    return line;
  }
}
