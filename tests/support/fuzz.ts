/**
 * Shared pieces of the property-based (fast-check) tests of bad input: hostile strings and JSON, a
 * digest of every table so "nothing was stored" can be checked, and the fast-check settings (fixed
 * seed, bounded runs) that keep the properties deterministic and quick on a small machine.
 */
import fc from 'fast-check';
import type { Pool } from 'pg';

/** A fixed seed per file keeps every run identical; a failure prints the counterexample and its path. */
export const fuzzParams = (numRuns: number, seed = 7_2026): fc.Parameters<unknown> => ({ numRuns, seed, endOnFailure: true });

/** The classic SQL and LIKE fragments a filter must treat as plain text. */
export const SQL_FRAGMENTS = [
  "' OR 1=1 --",
  "' OR '1'='1",
  '%',
  '_',
  '\\',
  '%_%',
  '\\%',
  "\\'",
  '$1',
  '$$',
  "'); DROP TABLE messages; --",
  '"; DROP TABLE conversations; --',
  '1; SELECT pg_sleep(5)',
  "' UNION SELECT password_hash FROM users --",
  '*/ --',
  '/*',
  "E'\\x00'",
  ':q',
  '?',
  '&',
  '|',
  '!',
  '<->',
  "'':*",
  'a & | b',
  '!!',
  '(',
  ')',
] as const;

/** Characters that break naive code: 4-byte emoji, RTL override, zero-width joiners, NUL, lone surrogates, combining marks. */
export const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u202Eevil\u202C',
  '\u200F\u200E',
  '😀',
  '👩‍👩‍👧‍👦',
  '🏳️‍🌈',
  'e\u0301\u0301\u0301',
  '\uD800',
  '\uDFFF',
  'x\uD83D',
  '\uFEFF',
  '\r\n',
  '\t',
  '<script>alert(1)</script>',
  '{{contact.name}}',
  '${7*7}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  '0x10',
  '9'.repeat(40),
  '../../etc/passwd',
  '%00',
  '%2e%2e%2f',
  'Straße',
  'İı',
  'ﬃ',
  'x'.repeat(100_000),
  '😀'.repeat(25_000),
  ...SQL_FRAGMENTS,
] as const;

/** Any string: fixed nasty ones, arbitrary code points (incl. astral planes), or a mix of both. */
export const hostileString = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
    { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...NASTY_STRINGS), fc.string({ unit: 'binary', maxLength: 10 })).map(([a, b]) => a + b) },
  );

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', '$where', '$gt', '']; // serialized as own keys by rawJson
/** Any JSON value, with hostile strings and keys (prototype-pollution keys included). */
export const hostileJsonValue = (): fc.Arbitrary<unknown> =>
  fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      hostileString(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constantFrom(1e308, -0, Number.MAX_SAFE_INTEGER + 2),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fc.oneof(fc.constantFrom(...PROTO_KEYS), hostileString()), tie('value'), { maxKeys: 4 }),
    ),
  })).value;

/**
 * A body for the JSON API: usually a JSON object, sometimes anything else. `__proto__` keys travel as
 * real own keys because the raw text is built by JSON.stringify of a null-prototype object.
 */
export const hostileBody = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 6, arbitrary: hostileJsonValue().map(rawJson) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        '{',
        '{"a":',
        '[1,2',
        'null',
        '"x"',
        '{"__proto__":{"isAdmin":true}}',
        '{"constructor":{"prototype":{"x":1}}}',
        '\u0000',
        '{"text":"\\u0000"}',
        '{"text":"\\ud800"}',
      ),
    },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  );

/** JSON text of a value; objects are copied to null-prototype objects so `__proto__` is a real key. */
export function rawJson(value: unknown): string {
  const copy = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(copy);
    if (v && typeof v === 'object') {
      const out = Object.create(null) as Record<string, unknown>;
      for (const [k, x] of Object.entries(v)) out[k] = copy(x);
      return out;
    }
    return v;
  };
  return JSON.stringify(copy(value)) ?? 'null';
}

/** Overrides an object's fields with hostile values (and adds unknown ones): well-formed JSON of the right shape, wrong content. */
export const mutatedObject = (valid: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> => {
  const keys = Object.keys(valid);
  return fc
    .record({
      drop: fc.subarray(keys, { maxLength: Math.min(2, keys.length) }),
      change: fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.constantFrom(...PROTO_KEYS)), hostileJsonValue(), { minKeys: 1, maxKeys: 3 }),
    })
    .map(({ drop, change }) => {
      const out = Object.create(null) as Record<string, unknown>;
      for (const k of keys) if (!drop.includes(k)) out[k] = valid[k];
      for (const [k, v] of Object.entries(change)) out[k] = v;
      return out;
    });
};

/** Tables whose rows a rejected request must leave exactly as they were (sessions are the console's, not data). */
const IGNORED_TABLES = new Set(['user_sessions', 'kysely_migration', 'kysely_migration_lock', 'schema_migrations']);

/** A digest (row count and md5 of all rows) of every table in the public schema. */
export async function tableDigest(pool: Pool): Promise<Record<string, string>> {
  const { rows: tables } = await pool.query<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
  );
  const names = tables.map((t) => t.name).filter((n) => !IGNORED_TABLES.has(n));
  // last_used_at is bookkeeping of who called, not a change a refused request made (an API token is used by any call it authenticates).
  const row = "(to_jsonb(t) - 'last_used_at')::text";
  const query = names
    .map((n) => `SELECT '${n}' AS name, count(*)::text || ':' || coalesce(md5(string_agg(${row}, '|' ORDER BY ${row})), '') AS digest FROM "${n}" t`)
    .join(' UNION ALL ');
  const { rows } = await pool.query<{ name: string; digest: string }>(query);
  return Object.fromEntries(rows.map((r) => [r.name, r.digest]));
}

/** The tables whose digest changed between two snapshots. */
export function changedTables(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.keys({ ...before, ...after }).filter((k) => before[k] !== after[k]);
}

/** Any text PostgreSQL can store (no NUL; 'binary' yields whole code points, so no lone surrogates), not blank. */
export const storableText = (maxLength: number): fc.Arbitrary<string> =>
  fc
    .oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: Math.min(maxLength, 300) }),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: Math.min(maxLength, 100) }),
      fc.constantFrom(...NASTY_STRINGS.filter((s) => s.length <= maxLength)),
    )
    .filter(
      (s) =>
        !s.includes('\u0000') &&
        !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s) &&
        s.trim().length > 0 &&
        [...s].length <= maxLength,
    );

/**
 * A query string of known and unknown keys with hostile values, repeated keys (arrays) and bracket
 * keys, percent-encoded as a client would, or as raw undecodable bytes.
 */
export const hostileQuery = (keys: readonly string[], valid: Record<string, fc.Arbitrary<string>> = {}): fc.Arbitrary<string> => {
  const value = fc.oneof(
    hostileString().map((s) => s.slice(0, 2000)),
    ...Object.values(valid),
  );
  const key = fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...keys) },
    { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'x', `${keys[0]}[a]`, `${keys[0]}[]`) },
  );
  const enc = (s: string) => {
    try {
      return encodeURIComponent(s);
    } catch {
      return '%ED%A0%80';
    }
  };
  return fc
    .array(fc.tuple(key, value, fc.boolean()), { maxLength: 5 })
    .map((pairs) => pairs.map(([k, v, raw]) => `${enc(k)}=${raw && /^[\x21-\x7e]*$/.test(v) && !/[#&]/.test(v) ? v : enc(v)}`).join('&'));
};
