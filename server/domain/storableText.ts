/**
 * PostgreSQL cannot store every JavaScript string: `text` refuses NUL (U+0000) and `jsonb` refuses it and
 * lone UTF-16 surrogates. Input holding one of them is refused at the boundary with a 400 naming the
 * field, instead of failing deep in a query as a 500.
 */
import { BadRequest } from '../errors';

// A NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding the NUL that PostgreSQL cannot store is this regex's job
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The path (`author.name`, `add.0`) of the first string or key in a parsed value that PostgreSQL cannot store. */
export function unstorablePath(value: unknown, path: string[] = [], depth = 0): string | null {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path.join('.') || 'value' : null;
  if (!value || typeof value !== 'object' || depth > 64) return null;
  for (const [key, inner] of Object.entries(value)) {
    if (UNSTORABLE.test(key)) return [...path, key].join('.');
    const found = unstorablePath(inner, [...path, key], depth + 1);
    if (found) return found;
  }
  return null;
}

/** Throws a 400 when the input (a body or a query) holds text PostgreSQL cannot store. */
export function assertStorable(value: unknown, what: string): void {
  const field = unstorablePath(value);
  if (field === null) return;
  const problem = 'contains a NUL character or a broken surrogate pair';
  throw new BadRequest(`Invalid ${what}: ${field}: ${problem}`, { fields: { [field]: problem } });
}
