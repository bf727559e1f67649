import { inspect } from 'node:util';

export const MASK = '********';

/**
 * A resolved secret. Its value never appears in toString, toJSON, util.inspect, template output,
 * logs, errors or plans: all of those print ********. Call {@link Secret.reveal} only at the point of use
 * (the executor handing a password to a driver), never to build text that is logged or shown.
 */
export class Secret {
  readonly #value: string;
  /** The reference it came from (`env:NAME`, `file:/path`, `@Microsoft.KeyVault(...)`); safe to print. */
  readonly ref: string;

  constructor(value: string, ref: string) {
    this.#value = value;
    this.ref = ref;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return MASK;
  }

  toJSON(): string {
    return MASK;
  }

  [inspect.custom](): string {
    return `Secret(${this.ref}, ${MASK})`;
  }

  [Symbol.toPrimitive](): string {
    return MASK;
  }
}

export function isSecret(value: unknown): value is Secret {
  return value instanceof Secret;
}

/**
 * Replaces every occurrence of the given secret values in a text with ********.
 * Used as a last line of defence on error messages that come back from servers (which may echo input).
 */
export function redact(text: string, secrets: Iterable<Secret>): string {
  let out = text;
  for (const s of secrets) {
    const v = s.reveal();
    if (v.length >= 3) out = out.split(v).join(MASK);
  }
  return out;
}
