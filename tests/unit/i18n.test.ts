/** Both languages have every text, and every key the views and server use exists. */
import { SENTIMENT_LABELS } from '../../server/domain/listening/postSignals';
import { QUERY_ERROR_REASONS } from '../../server/domain/listening/queryLanguage';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { connectors } from '../../connectors/registry';
import { xCredentialsSchema } from '../../connectors/x/settings';
import { STATUSES } from '../../server/domain/conversations/status';
import { PRIORITIES } from '../../server/domain/conversations/tagConversation';
import { GRANULARITIES, PRESETS } from '../../server/domain/reports/range';
import { WEEKDAYS } from '../../server/domain/sla/calendar';
import { ROLES } from '../../server/domain/users/createUser';
import { MESSAGES } from '../../server/i18n/messages';
import { ALERT_KINDS } from '../../server/domain/alerts/alertRules';
import { REPORT_FREQUENCIES } from '../../server/domain/reports/reportMail';
import { THRESHOLD_FIELDS } from '../../server/presenters/alertRule.presenter';
import { ACTION_GROUPS } from '../../server/domain/audit/actionGroups';
import { REPORT_NAMES } from '../../server/routes/api/reports.schema';
import { Conflict, Forbidden, HttpError, messageIn, NotFound } from '../../server/errors';
import { validCalendar } from '../../server/domain/sla/settings';
import { PRECHAT_CHOICES } from '../../server/domain/chatSites/chatSiteInput';
import { TEXT_NAMES } from '../../server/domain/chatSites/siteTexts';
import { channelRoutingInput } from '../../server/domain/routing/routingSettings';
import { formatBytes, formatDate, formatDateTime, formatNumber, formatPercent, localeFromHeader, translator } from '../../server/i18n/translate';

const ROOT = path.resolve(__dirname, '../..');
const de: Record<string, string> = MESSAGES.de;
const en: Record<string, string> = MESSAGES.en;

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(ext))
    .map((e) => path.join(e.parentPath, e.name));
}

/** `t('key')` or `t('key', {...})` with a literal key; `t('prefix.' + x)` (also as `t(('prefix.' + x) as Key)`) yields the prefix separately. */
function keysUsed(files: string[]) {
  const literal = new Map<string, string>();
  const prefixes = new Map<string, string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bt\(\s*\(?'([^']+)'\s*([,)+])/g)) {
      (m[2] === '+' ? prefixes : literal).set(m[1]!, path.relative(ROOT, file));
    }
  }
  return { literal, prefixes };
}

/** Views and server code: where texts are used (messages.ts itself excluded). */
const productFiles = () => [...filesUnder('views', '.ejs'), ...filesUnder('server', '.ts').filter((f) => !f.endsWith(path.join('i18n', 'messages.ts')))];

/**
 * Keys built at run time, as in `t('status.' + c.status)`: every prefix the code uses, with every value it can be
 * completed with (taken from the code's own lists where there is one). A new dynamic prefix must be added here.
 */
const DYNAMIC_KEYS: Record<string, readonly string[]> = {
  'status.': STATUSES,
  'role.': ROLES,
  'wf.priority.': PRIORITIES,
  'delivery.': ['queued', 'sending', 'sent', 'failed', 'uncertain', 'pending_approval', 'rejected'],
  'outbound.range.': [
    'loopback',
    'private',
    'shared',
    'link-local',
    'unique-local',
    'site-local',
    'unspecified',
    'multicast',
    'reserved',
    'documentation',
    'benchmarking',
    'discard',
  ], // server/net/outboundTarget.ts RangeName
  'delivery.receipt.': ['delivered', 'read'], // sent and failed show as the delivery state instead
  'sla.state.': ['ok', 'warning', 'breached', 'met'],
  'sla.kind.': ['first', 'next'],
  'sla.weekday.': WEEKDAYS,
  'reports.tab.': REPORT_NAMES,
  'reports.preset.': PRESETS,
  'reports.granularity.': GRANULARITIES,
  'reports.outcome.': ['withinTarget', 'breached', 'open'],
  'reports.weekday.': ['1', '2', '3', '4', '5', '6', '7'],
  'channels.status.': ['ok', 'pending', 'paused', 'failing', 'rate_limited', 'credentials_refused'], // presenters/channelHealth.presenter.ts
  'channels.': [...Object.keys(xCredentialsSchema.shape), 'pageId'], // the masked X credentials on the channels page
  'users.linkState.': ['open', 'used', 'revoked', 'expired'], // domain/users/passwordLinks.ts LinkState
  'users.token.': ['active', 'revoked', 'expired'], // routes/web/users.routes.ts
  'channels.connect.': ['api', ...connectors.all.filter((c) => c.setup).map((c) => c.kind)], // the connect forms, routes/web/channels.routes.ts
  'channels.secret.': ['ingestToken', 'webhookSecret', 'verifyToken', 'callbackUrl'], // shown once (API channel, WhatsApp, Meta pages)
  'audit.group.': ACTION_GROUPS,
  'meta.comment.': ['hidden', 'deleted'], // db/schema.ts Moderation
  'meta.moderate.': ['hide', 'unhide', 'delete'], // connectors/types.ts ModerationAction
  'listening.error.': QUERY_ERROR_REASONS, // server/domain/listening/queryLanguage.ts
  'sentiment.': SENTIMENT_LABELS,
  'alerts.kind.': ALERT_KINDS, // server/domain/alerts/alertRules.ts
  'alertSettings.who.': ALERT_KINDS,
  'knowledge.state.': ['draft', 'published'], // db/schema.ts ArticleState
  'knowledge.lang.': ['de', 'en'], // an article's language
  'alertSettings.explain.': ALERT_KINDS,
  'alertSettings.field.': THRESHOLD_FIELDS, // presenters/alertRule.presenter.ts: each kind's thresholds
  'alertSettings.path.': ['console', 'email', 'push'],
  'alertSettings.scope.': ['query', 'channel', 'topic', 'team'],
  'alertSettings.frequency.': REPORT_FREQUENCIES, // server/domain/reports/reportMail.ts
  'reportMail.subject.': REPORT_FREQUENCIES,
  'tasks.due.': ['overdue', 'due', 'open'], // presenters/task.presenter.ts DueState of an open task
  'widget.text.': TEXT_NAMES, // domain/chatSites/siteTexts.ts: a chat site's texts left empty
  'chatSites.prechat.': PRECHAT_CHOICES, // views/partials/chatSites/form.ejs
  'routing.mode.': channelRoutingInput.shape.routing.shape.mode.options, // a chat site's queue (views/partials/chatSites/form.ejs)
};
const dynamicKeys = () => Object.entries(DYNAMIC_KEYS).flatMap(([prefix, values]) => values.map((v) => prefix + v));

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('messages', () => {
  it('when German has a key, then English has it too, and the other way round', () => {
    expect(Object.keys(en).filter((k) => !(k in de))).toEqual([]);
    expect(Object.keys(de).filter((k) => !(k in en))).toEqual([]);
  });

  it('when a text is looked up, then it is never empty in either language', () => {
    for (const table of [de, en]) expect(Object.entries(table).filter(([, v]) => !v.trim())).toEqual([]);
  });

  it('when a text has {placeholders}, then both languages use the same ones', () => {
    const mismatched = Object.keys(de).filter((k) => JSON.stringify(placeholders(de[k]!)) !== JSON.stringify(placeholders(en[k] ?? '')));
    expect(mismatched).toEqual([]);
  });

  it('when views and server code call t() with a literal key, then that key exists', () => {
    const files = [...filesUnder('views', '.ejs'), ...filesUnder('server', '.ts')];
    const { literal } = keysUsed(files);
    expect(literal.size).toBeGreaterThan(30); // the scan itself works
    const missing = [...literal].filter(([k]) => !(k in de) || !(k in en)).map(([k, file]) => `${k} (${file})`);
    expect(missing).toEqual([]);
  });

  it('when code builds a key from a prefix, then the prefix is listed in DYNAMIC_KEYS, and every value it takes has a text', () => {
    const { prefixes } = keysUsed(productFiles());
    expect([...prefixes.keys()].sort()).toEqual(Object.keys(DYNAMIC_KEYS).sort());
    const missing = dynamicKeys().filter((k) => !(k in de) || !(k in en));
    expect(missing).toEqual([]);
  });

  it('when a text is in the messages, then views or server code use it (by its literal key or through DYNAMIC_KEYS)', () => {
    const quoted = new Set<string>();
    for (const file of productFiles()) {
      for (const m of readFileSync(file, 'utf8').matchAll(/['"`]([\w.-]+)['"`]/g)) quoted.add(m[1]!);
    }
    const dynamic = new Set(dynamicKeys());
    const unused = Object.keys(de).filter((k) => !quoted.has(k) && !dynamic.has(k));
    expect(unused).toEqual([]);
  });
});

describe('translator', () => {
  it('when a text has a placeholder, then the value is filled in', () => {
    expect(translator('en')('audit.s.assigned', { actor: 'Lena', case: 1315, to: 'Sam' })).toBe('Lena assigned #1315 to Sam');
    expect(translator('de')('delivery.sent')).toBe('Zugestellt');
  });

  it('when a visitor sends Accept-Language, then English is chosen only for English, German otherwise', () => {
    expect(localeFromHeader('en-US,en;q=0.9')).toBe('en');
    expect(localeFromHeader('de-DE,de;q=0.9,en;q=0.8')).toBe('de');
    expect(localeFromHeader('fr-FR')).toBe('de');
    expect(localeFromHeader(undefined)).toBe('de');
  });
});

/**
 * Texts a person reads come from t(): a view's words between tags or in placeholder/title/aria-label/alt, and a
 * static script's words (it reads them from data-* attributes the view rendered with t()). Only names and codes
 * that are the same in both languages may stand as literals.
 */
describe('no literal UI text', () => {
  const SAME_IN_BOTH = new Set([
    'Replyline',
    '· Replyline',
    'SLA',
    'DE',
    'EN',
    'Deutsch',
    'English',
    'UUID',
    'conversation.assigned',
    'order_update:de',
    'https://api.x.com/2/',
    'https://',
    'https://api.telegram.org',
    'https://graph.facebook.com/v21.0',
    'Enter',
    'Ctrl',
    'Shift',
    'Esc',
    'de, en',
    'BY, 80000-87999',
  ]);
  // keyboard keys, example codes and addresses read the same in German and English
  const KEYS_AND_EXAMPLES = new Set(['Enter', 'Ctrl', 'Shift', 'Esc', 'de, en', 'BY, 80000-87999']);
  const isText = (s: string) =>
    /\p{L}{2,}/u.test(s) && !SAME_IN_BOTH.has(s) && !KEYS_AND_EXAMPLES.has(s) && !/^\{\{[\w.]+\}\}$/.test(s) && !/^https?:\/\//.test(s);

  it('when a view shows words, then they come from t() (both languages), not from the template', () => {
    const literal: string[] = [];
    for (const file of filesUnder('views', '.ejs')) {
      const markup = readFileSync(file, 'utf8')
        .replace(/<%[\s\S]*?%>/g, '\u0000')
        .replace(/<(script|style)[\s\S]*?<\/\1>/g, '');
      const where = path.relative(ROOT, file);
      for (const m of markup.matchAll(/>([^<>]*)</g)) {
        const text = m[1]!.replace(/\u0000/g, ' ').trim();
        if (isText(text)) literal.push(`${where}: ${text}`);
      }
      for (const m of markup.matchAll(/\b(?:placeholder|title|aria-label|alt)="([^"]*)"/g)) {
        const text = m[1]!.replace(/\u0000/g, '').trim();
        if (isText(text)) literal.push(`${where}: ${text}`);
      }
    }
    expect(literal).toEqual([]);
  });

  it('when a static script writes text into the page, then it takes it from the page, never from a literal', () => {
    const literal: string[] = [];
    for (const file of filesUnder('static', '.js')) {
      const code = readFileSync(file, 'utf8');
      const pattern = /(?:textContent|innerText|title|placeholder|ariaLabel)\s*=\s*(['"])((?:(?!\1).)*)\1|new Notification\(\s*(['"])((?:(?!\3).)*)\3/g;
      for (const m of code.matchAll(pattern)) {
        const text = (m[2] ?? m[4] ?? '').trim();
        if (isText(text)) literal.push(`${path.relative(ROOT, file)}: ${text}`);
      }
    }
    expect(literal).toEqual([]);
  });
});

describe("server errors in the user's language", () => {
  const de = translator('de');
  const en = translator('en');

  it('when an error names no text of its own, then a German user still reads German, by its status', () => {
    expect(messageIn(new Forbidden(), de)).toBe('Das darf Ihre Rolle nicht.');
    expect(messageIn(new NotFound('Conversation'), de)).toBe('Nicht gefunden');
    expect(messageIn(new HttpError(413, 'The request body is too large (limit 1 MB)'), de)).toBe('Die Anfrage ist zu groß (höchstens 1 MB).');
    expect(messageIn(new Conflict('This reply is sent, not waiting for a check'), de)).not.toMatch(/waiting/);
  });

  it('when a command words its refusal, then the console shows that text in German and English', () => {
    const err = new Conflict('Lena replied meanwhile').showing('reply.collision', { name: 'Lena' });
    expect(messageIn(err, de)).toBe('Lena hat inzwischen geantwortet – bitte lesen Sie zuerst diese Antwort.');
    expect(messageIn(err, en)).toBe('Lena replied meanwhile — read their reply first.');
    expect(err.message).toBe('Lena replied meanwhile'); // the API and the logs keep the English message
  });

  it('when calendar hours overlap, then a German user reads the weekday and both intervals in German', () => {
    const weekly = {
      mon: [
        ['09:00', '12:00'],
        ['11:00', '13:00'],
      ],
    };
    const refused = (() => {
      try {
        validCalendar({ name: 'Büro', timeZone: 'Europe/Berlin', weekly, holidays: null, closures: [] });
      } catch (err) {
        return err as HttpError;
      }
    })();
    expect(refused?.status).toBe(400);
    expect(messageIn(refused!, de)).toBe('Mo: Die Zeiten 09:00-12:00 und 11:00-13:00 überschneiden sich.');
  });
});

describe("numbers and dates in the user's locale", () => {
  it('when a percentage, a number or a date is shown, then German uses its own separators and order', () => {
    expect(formatPercent('de', 55.9).replace(/\u00a0/g, ' ')).toBe('55,9 %');
    expect(formatPercent('en', 55.9)).toBe('55.9%');
    expect(formatNumber('de', 1234.56)).toBe('1.234,6');
    expect(formatDate('de', new Date('2026-12-03T10:00:00Z'))).toBe('03.12.2026');
  });

  it('when figures of both languages are formatted in turn, then each keeps its own', () => {
    const space = (text: string) => text.replace(/\u00a0/g, ' ');
    for (let round = 0; round < 2; round++) {
      expect(formatNumber('en', 1234.56)).toBe('1,234.6');
      expect(formatNumber('de', 1234.56)).toBe('1.234,6');
      expect(formatPercent('en', 12.345)).toBe('12.3%');
      expect(space(formatPercent('de', 12.345))).toBe('12,3 %');
      expect([512, 340_000, 1_234_567].map((n) => space(formatBytes('de', n)))).toEqual(['512 Byte', '340 kB', '1,2 MB']);
      expect([512, 340_000, 1_234_567].map((n) => space(formatBytes('en', n)))).toEqual(['512 byte', '340 kB', '1.2 MB']);
    }
  });

  it('when date-times are shown again and again (kept once formatted), then each language and zone keeps its own text', () => {
    // 4 000 instants across the change to summer time, in two languages and two zones (16 000 kept texts, fewer than
    // the 20 000 kept): the second round reads them back; then 20 000 more make the store start again from none
    const start = Date.parse('2026-03-28T00:00:00Z');
    const instants = Array.from({ length: 4_000 }, (_, i) => new Date(start + i * 37 * 60_000));
    const zones = ['Europe/Berlin', 'America/New_York'] as const;
    for (let round = 0; round < 3; round++) {
      if (round === 2) for (let i = 0; i < 20_000; i++) formatDateTime('en', new Date(start - (i + 1) * 60_000), 'UTC');
      for (const timeZone of zones) {
        for (const locale of ['de', 'en'] as const) {
          const fresh = new Intl.DateTimeFormat(locale === 'de' ? 'de-DE' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone });
          const wrong = instants.filter((at) => formatDateTime(locale, at, timeZone) !== fresh.format(at));
          expect(wrong).toEqual([]);
        }
      }
    }
    expect(formatDateTime('de', new Date('2026-03-29T00:30:00Z'))).toBe('29.03.2026, 01:30');
    expect(formatDateTime('de', new Date('2026-03-29T01:30:00Z'))).toBe('29.03.2026, 03:30');
  });

  it('when something that is not an instant is formatted, then Intl answers as it always did and nothing is kept for it', () => {
    const now = formatDateTime('de', undefined as unknown as Date); // Intl formats undefined as "now"
    expect(now).toMatch(/^\d\d\.\d\d\.\d{4}, \d\d:\d\d$/);
    expect(() => formatDateTime('de', new Date('nonsense'))).toThrow(RangeError);
  });
});
