/** What a visitor's widget sends, bounded: ids, texts, addresses and the page, each checked before anything is stored. */
import { z } from 'zod';
import type { Locale } from '../../db/schema';
import { BadRequest } from '../../errors';
import type { Actor } from '../audit/actor';

/** The widget's random per-browser id. */
export const visitorIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8 to 64 letters, digits, - or _');
/** The page the visitor is on (an address or a path), as the widget reports it. */
export const pageSchema = z.string().trim().max(2000);
/** One chat message (the webchat connector's limit too). */
export const MAX_CHAT_TEXT = 2000;
export const chatTextSchema = z.string().trim().min(1, 'must not be empty').max(MAX_CHAT_TEXT, `must be at most ${MAX_CHAT_TEXT} characters`);
export const visitorEmailSchema = z.email().max(254).toLowerCase();
export const visitorNameSchema = z.string().trim().min(1).max(100);
export const langSchema = z.enum(['de', 'en']);

/** The language of the widget's answers: 'de' unless it asks for 'en'. */
export function langOf(value: unknown): Locale {
  return value === 'en' ? 'en' : 'de';
}

/** The privacy consent is given only by `consent: true` (checked before the rest, with its own sentence). */
export function requireConsent(body: unknown): void {
  if ((body as { consent?: unknown } | null)?.consent !== true) {
    throw new BadRequest('consent: the visitor must agree to the privacy notice', { fields: { consent: 'required' } }).showing('widget.error.consent');
  }
}

/** The visitor as the actor of what their widget does (audit: "website visitor"). */
export const visitorActor = (ip: string | null): Actor => ({ type: 'system', id: null, label: 'website visitor', ip });

/**
 * The identity an offline-form submission gets on the site's channel: a fresh one per submission
 * (`email:<uuid>/<address>`), so a submission never threads onto, renames or reveals another's case — knowing an
 * address proves nothing. The address after the uuid is where the webchat connector mails the replies.
 */
export const OFFLINE_IDENTITY_PREFIX = 'email:';
export const offlineIdentity = (submissionId: string, email: string) => `${OFFLINE_IDENTITY_PREFIX}${submissionId}/${email}`;
/**
 * The address the offline form gave, read from the message replied to (its raw keeps `{offlineForm: {email}}`):
 * the conversation's own submission, whatever other identities a merged contact holds. Null for a chat message.
 */
export function offlineFormAddress(raw: unknown): string | null {
  const form = (raw as { offlineForm?: { email?: unknown } } | null)?.offlineForm;
  return typeof form?.email === 'string' ? form.email : null;
}
/** The address of an offline-form identity (older ones are `email:<address>`); null for a chat visitor. */
export function offlineAddressOf(externalId: string | null | undefined): string | null {
  if (!externalId?.startsWith(OFFLINE_IDENTITY_PREFIX)) return null;
  return externalId.slice(OFFLINE_IDENTITY_PREFIX.length).replace(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\//, '');
}
