/**
 * Errors raised while decoding what a client sent.
 *
 * - {@link TdsProtocolError}: the bytes do not follow TDS (bad packet header, truncated payload,
 *   impossible lengths). The connection cannot be trusted any more and is closed, with the reason logged.
 * - {@link TdsUnsupportedError}: well-formed TDS that this simulator does not implement (a data type,
 *   a request kind). The request is answered with an ERROR token and the connection stays usable.
 */
export class TdsProtocolError extends Error {
  override readonly name = 'TdsProtocolError';
}

export class TdsUnsupportedError extends Error {
  override readonly name = 'TdsUnsupportedError';
}

/** A value the engine returned that cannot be encoded as its declared column type (an engine bug). */
export class TdsEncodeError extends Error {
  override readonly name = 'TdsEncodeError';
}
