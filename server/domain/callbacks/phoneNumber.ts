/**
 * A phone number to call back, as the visitor types it ("+49 170 123-4567", "0049 (170) 1234567") and as we
 * store it: E.164, a + and 8 to 15 digits, the first not 0. A number without its country code is refused (we
 * cannot tell which country a site's visitor calls from), and so is anything but digits and the usual
 * separators (spaces, -, /, ., parentheses).
 */
import { z } from 'zod';

export const MAX_PHONE_INPUT = 32;

/** The E.164 form of a typed number, or null if it is not one. */
export function e164Of(typed: string): string | null {
  const trimmed = typed.trim();
  if (trimmed.length > MAX_PHONE_INPUT || !/^(\+|00)[\d\s\-/.()]+$/.test(trimmed)) return null;
  const digits = trimmed.replace(/^(\+|00)/, '').replace(/[\s\-/.()]/g, '');
  return /^[1-9]\d{7,14}$/.test(digits) ? `+${digits}` : null;
}

export const phoneSchema = z
  .string()
  .max(MAX_PHONE_INPUT, `at most ${MAX_PHONE_INPUT} characters`)
  .transform((typed, ctx) => {
    const phone = e164Of(typed);
    if (phone === null) ctx.addIssue({ code: 'custom', message: 'an international number: + or 00, country code, 8 to 15 digits' });
    return phone ?? '';
  });
