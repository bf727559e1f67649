import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';

/** One document that could not be stored, with why. */
export interface DeadLetter {
  line: number;
  id?: unknown;
  status?: number;
  error: string;
  /** The document as it was sent (system properties stripped), or the raw line when it was not JSON. */
  document: unknown;
}

/** A JSON Lines file of documents that could not be stored; created on the first one only. */
export class DeadLetterFile {
  readonly path: string;
  #stream?: WriteStream;
  #count = 0;

  constructor(filePath: string) {
    this.path = filePath;
  }

  get count(): number {
    return this.#count;
  }

  async add(entry: DeadLetter): Promise<void> {
    if (!this.#stream) {
      await mkdir(path.dirname(this.path), { recursive: true });
      this.#stream = createWriteStream(this.path, { flags: 'a' });
    }
    this.#count++;
    if (!this.#stream.write(`${JSON.stringify(entry)}\n`)) await once(this.#stream, 'drain');
  }

  async close(): Promise<void> {
    if (!this.#stream) return;
    const stream = this.#stream;
    this.#stream = undefined;
    await new Promise<void>((resolve, reject) =>
      stream.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
  }
}
