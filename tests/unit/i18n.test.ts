/** Both languages have every text, and every key the views and server use exists. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { STATUSES } from '../../server/domain/conversations/status';
import { MESSAGES } from '../../server/i18n/messages';
import { localeFromHeader, translator } from '../../server/i18n/translate';

const ROOT = path.resolve(__dirname, '../..');
const de: Record<string, string> = MESSAGES.de;
const en: Record<string, string> = MESSAGES.en;

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(ext))
    .map((e) => path.join(e.parentPath, e.name));
}

/** `t('key')` or `t('key', {...})` with a literal key; `t('prefix.' + x)` yields the prefix separately. */
function keysUsed(files: string[]) {
  const literal = new Map<string, string>();
  const prefixes = new Map<string, string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bt\(\s*'([^']+)'\s*([,)+])/g)) {
      (m[2] === '+' ? prefixes : literal).set(m[1]!, path.relative(ROOT, file));
    }
  }
  return { literal, prefixes };
}

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

  it('when views build a key from a prefix, then every value the prefix is used with has a text', () => {
    const { prefixes } = keysUsed(filesUnder('views', '.ejs'));
    const values: Record<string, readonly string[]> = {
      'status.': STATUSES, 'delivery.': ['queued', 'sending', 'sent', 'failed'], 'role.': ['agent', 'manager', 'auditor', 'admin'],
    };
    expect([...prefixes.keys()]).toEqual(expect.arrayContaining(Object.keys(values))); // the scan finds them
    const missing = Object.entries(values).flatMap(([prefix, vs]) => vs.map((v) => prefix + v)).filter((k) => !(k in de) || !(k in en));
    expect(missing).toEqual([]);
    // Prefixes whose values are not listed here must at least name texts that exist.
    const orphans = [...prefixes].filter(([prefix]) => !Object.keys(de).some((k) => k.startsWith(prefix))).map(([p, file]) => `${p} (${file})`);
    expect(orphans).toEqual([]);
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
