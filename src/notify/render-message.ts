import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type Handlebars from 'handlebars';
import { handlebars } from '../core/handlebars.ts';
import { ErrorCode, HoldfastError } from '../core/errors.ts';
import type { ChannelSpec } from './schema.ts';
import type { NotificationData } from './notification.ts';

/** A message ready for a channel: a JSON payload (Teams, Slack, webhook) or a mail's subject and text. */
export interface RenderedMessage {
  contentType: 'application/json' | 'text/plain';
  subject: string;
  body: string;
}

export const DEFAULT_TEMPLATES_DIR = fileURLToPath(new URL('../../templates/notify/', import.meta.url));

/**
 * A Handlebars instance of its own (helpers registered here never leak into the T-SQL renderer, and theirs never
 * into this one). Templates are compiled `strict` (a missing field throws) with HTML escaping off: JSON templates
 * put every value through `json`, which escapes by construction.
 */
export function createNotifyHandlebars(): typeof Handlebars {
  const hb = handlebars().create();
  /**
   * Strict mode checks plain `{{field}}` lookups but not helper arguments, so every helper here refuses an
   * undefined argument itself: data fields are always present (null when they do not apply), so undefined means
   * a misspelt field.
   */
  const helper = (name: string, fn: (...args: unknown[]) => unknown) =>
    hb.registerHelper(name, (...args: unknown[]) => {
      const options = args[args.length - 1] as { loc?: { start?: { line?: number; column?: number } } };
      const values = args.slice(0, -1);
      if (values.some((v) => v === undefined)) {
        const at = options.loc?.start
          ? ` at line ${options.loc.start.line}, column ${options.loc.start.column}`
          : '';
        throw new Error(`helper "${name}"${at} was given a field that does not exist (misspelt?)`);
      }
      return fn(...values);
    });
  const str = (v: unknown) => (v === null ? '' : String(v));
  helper('json', (value) => JSON.stringify(value));
  helper('eq', (a, b) => a === b);
  helper('concat', (...parts) => parts.map(str).join(''));
  helper('default', (value, fallback) => (value === null || value === '' ? fallback : value));
  helper('join', (list, sep) =>
    Array.isArray(list) ? list.map(String).join(typeof sep === 'string' ? sep : ', ') : '',
  );
  helper('truncate', (text, max) => {
    const s = str(text);
    const n = typeof max === 'number' ? max : 1000;
    return s.length > n ? `${s.slice(0, Math.max(0, n - 1))}…` : s;
  });
  helper('upper', (text) => str(text).toUpperCase());
  // Slack mrkdwn: &, < and > are control characters (https://api.slack.com/reference/surfaces/formatting#escaping).
  const slack = (text: unknown) =>
    str(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  helper('slack', slack);
  /** A section field: the label in bold, a line break, the value (escaped). */
  helper('slackField', (label, value) => `*${slack(label)}*\n${slack(value)}`);
  return hb;
}

const TEMPLATE_FILES: Record<ChannelSpec['type'], string> = {
  'teams-workflow': 'teams-workflow.json.hbs',
  slack: 'slack.json.hbs',
  webhook: 'webhook.json.hbs',
  smtp: 'smtp.txt.hbs',
};

/** Compiles and caches notification templates: the defaults in templates/notify, or a channel's own. */
export class MessageRenderer {
  readonly #hb = createNotifyHandlebars();
  readonly #cache = new Map<string, HandlebarsTemplateDelegate<NotificationData>>();
  readonly #dir: string;

  constructor(templatesDir: string = DEFAULT_TEMPLATES_DIR) {
    this.#dir = templatesDir;
  }

  /** The template file a channel uses: its `template:` (resolved against its manifest's directory) or the default. */
  templateFile(type: ChannelSpec['type'], override?: string, baseDir = '.'): string {
    return override ? path.resolve(baseDir, override) : path.join(this.#dir, TEMPLATE_FILES[type]);
  }

  #compile(file: string): HandlebarsTemplateDelegate<NotificationData> {
    let t = this.#cache.get(file);
    if (!t) {
      let source: string;
      try {
        source = readFileSync(file, 'utf8');
      } catch (err) {
        throw new HoldfastError(
          ErrorCode.ConfigInvalid,
          `notification template ${file} cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
        );
      }
      t = this.#hb.compile<NotificationData>(source, { strict: true, noEscape: true });
      this.#cache.set(file, t);
    }
    return t;
  }

  /**
   * Renders a notification for a channel type. JSON channels must render valid JSON (it is parsed and sent
   * compact); SMTP templates start with a `Subject:` line, then a blank line, then the text.
   */
  render(type: ChannelSpec['type'], data: NotificationData, file = this.templateFile(type)): RenderedMessage {
    let text: string;
    try {
      text = this.#compile(file)(data);
    } catch (err) {
      throw new HoldfastError(
        ErrorCode.InputInvalid,
        `notification template ${path.basename(file)}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    if (type === 'smtp') {
      const m = /^Subject:[ \t]*(.*)\r?\n\r?\n?([\s\S]*)$/.exec(text.replace(/^\s+/, ''));
      if (!m)
        throw new HoldfastError(
          ErrorCode.InputInvalid,
          `notification template ${path.basename(file)}: an e-mail template must start with a "Subject:" line`,
        );
      return {
        contentType: 'text/plain',
        subject: m[1]!.replace(/[\r\n]+/g, ' ').trim(),
        body: m[2]!.replace(/\n{3,}/g, '\n\n').trimEnd() + '\n',
      };
    }
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch (err) {
      throw new HoldfastError(
        ErrorCode.InputInvalid,
        `notification template ${path.basename(file)} did not render valid JSON: ${(err as Error).message}`,
      );
    }
    return { contentType: 'application/json', subject: data.title, body: JSON.stringify(payload) };
  }
}
