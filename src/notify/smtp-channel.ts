import type { Transporter } from 'nodemailer';
import type { Secret } from '../core/secret.ts';
import { DeliveryError, networkErrorCode, timedOut, type NotifyChannel } from './channel.ts';
import type { RenderedMessage } from './render-message.ts';

export interface SmtpChannelOptions {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  password?: Secret;
  from: string;
  to: readonly string[];
  timeoutMs: number;
}

/** Connection-level failures that may pass on another attempt. */
const TRANSIENT = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EAI_AGAIN',
]);

/**
 * E-mail through an SMTP server (nodemailer). One connection per message (no pool: notifications are rare).
 * An SMTP 4xx reply or a network failure is retryable; 5xx and refused credentials are not.
 */
export class SmtpChannel implements NotifyChannel {
  readonly name: string;
  readonly type = 'smtp' as const;
  readonly #options: SmtpChannelOptions;
  #transport: Promise<Transporter> | undefined;

  constructor(name: string, options: SmtpChannelOptions) {
    this.name = name;
    this.#options = options;
  }

  #open(): Promise<Transporter> {
    const options = this.#options;
    // nodemailer loads with the first message, not with every command.
    this.#transport ??= import('nodemailer').then(({ createTransport }) =>
      createTransport({
        host: options.host,
        port: options.port,
        secure: options.secure,
        auth:
          options.user && options.password
            ? { user: options.user, pass: options.password.reveal() }
            : undefined,
        connectionTimeout: options.timeoutMs,
        greetingTimeout: options.timeoutMs,
        socketTimeout: options.timeoutMs,
        logger: false,
        debug: false,
      }),
    );
    return this.#transport;
  }

  async send(message: RenderedMessage, signal: AbortSignal): Promise<void> {
    const transport = await this.#open();
    const sending = transport.sendMail({
      from: this.#options.from,
      to: [...this.#options.to],
      subject: message.subject,
      text: message.body,
      headers: { 'X-Mailer': 'holdfast' },
    });
    const aborted = new Promise<never>((_, reject) => {
      const fail = () =>
        reject(
          new DeliveryError(timedOut(signal) ? 'no answer before the timeout' : 'cancelled', {
            retryable: timedOut(signal),
          }),
        );
      if (signal.aborted) fail();
      else signal.addEventListener('abort', fail, { once: true });
    });
    try {
      await Promise.race([sending, aborted]);
    } catch (err) {
      if (err instanceof DeliveryError) {
        sending.catch(() => undefined); // the abandoned attempt must not become an unhandled rejection
        throw err;
      }
      throw smtpError(err);
    }
  }

  async close(): Promise<void> {
    (await this.#transport)?.close();
    this.#transport = undefined;
  }
}

function smtpError(err: unknown): DeliveryError {
  const e = err as { responseCode?: unknown; response?: unknown; code?: unknown; command?: unknown };
  const reply = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  if (reply !== undefined) {
    const text = typeof e.response === 'string' ? e.response.replace(/\s+/g, ' ').slice(0, 200) : '';
    return new DeliveryError(`SMTP ${reply}${text ? `: ${text}` : ''}`, {
      retryable: reply >= 400 && reply < 500,
      status: reply,
    });
  }
  const code = networkErrorCode(err);
  if (code === 'EAUTH' || code === 'ENOAUTH')
    return new DeliveryError(`SMTP authentication refused (${code})`, { retryable: false });
  return new DeliveryError(
    `SMTP ${TRANSIENT.has(code) ? 'connection' : ''} error (${code})`.replace('  ', ' '),
    { retryable: TRANSIENT.has(code) },
  );
}
