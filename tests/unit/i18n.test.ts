/** Both languages have every text, and every key the views and server use exists. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { xCredentialsSchema } from '../../connectors/x/settings';
import { STATUSES } from '../../server/domain/conversations/status';
import { PRIORITIES } from '../../server/domain/conversations/tagConversation';
import { GRANULARITIES, PRESETS } from '../../server/domain/reports/range';
import { WEEKDAYS } from '../../server/domain/sla/calendar';
import { ROLES } from '../../server/domain/users/createUser';
import { MESSAGES } from '../../server/i18n/messages';
import { REPORT_NAMES } from '../../server/routes/api/reports.schema';
import { localeFromHeader, translator } from '../../server/i18n/translate';

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
  'delivery.': ['queued', 'sending', 'sent', 'failed', 'uncertain'],
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
  'channels.': Object.keys(xCredentialsSchema.shape), // the masked X credentials on the channels page
  'meta.comment.': ['hidden', 'deleted'], // db/schema.ts Moderation
  'meta.moderate.': ['hide', 'unhide', 'delete'], // connectors/types.ts ModerationAction
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
    expect(translator('en')('audit.chainOk', { n: 3 })).toBe('Hash chain intact (3 events)');
    expect(translator('de')('delivery.sent')).toBe('Zugestellt');
  });

  it('when a visitor sends Accept-Language, then English is chosen only for English, German otherwise', () => {
    expect(localeFromHeader('en-US,en;q=0.9')).toBe('en');
    expect(localeFromHeader('de-DE,de;q=0.9,en;q=0.8')).toBe('de');
    expect(localeFromHeader('fr-FR')).toBe('de');
    expect(localeFromHeader(undefined)).toBe('de');
  });
});
