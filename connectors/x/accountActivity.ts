/**
 * X's Account Activity webhooks (https://docs.x.com/x-api/enterprise-gnip-2.0/fundamentals/account-activity):
 * the CRC check, the signature over each POST and the events → our NormalizedInbound, through the same
 * mapping the polling path uses (normalizeTweet, normalizeDmEvent): each v1.1 event is read into the v2 shape
 * first. Pure: no I/O. Routed by for_user_id (the subscribed account's user id).
 *
 *   GET  ?crc_token=…  → { "response_token": "sha256=" + base64(HMAC-SHA256(consumer secret, crc_token)) }
 *   POST x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256(consumer secret, raw body)>
 *        { for_user_id, tweet_create_events?: [tweet], direct_message_events?: [{ type: "message_create", id,
 *          created_timestamp (ms), message_create: { sender_id, target: { recipient_id }, message_data: { text } } }],
 *          users?: { <id>: { id, name, screen_name, profile_image_url_https } }, favorite_events?, follow_events?, … }
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { NormalizedInbound, SkippedItem, WebhookIdentity } from '../types';
import { normalizeDmEvent, normalizeTweet, type XUser } from './normalize';

export const X_SIGNATURE_HEADER = 'x-twitter-webhooks-signature';

/** `sha256=` + base64 HMAC-SHA256 with the app's consumer secret: the CRC response token and the POST signature alike. */
export function signForX(consumerSecret: string, data: Buffer | string): string {
  return `sha256=${createHmac('sha256', consumerSecret).update(data).digest('base64')}`;
}

/** Constant-time comparison; a missing or malformed header never matches. */
export function xSignatureMatches(consumerSecret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (!header || !/^sha256=[A-Za-z0-9+/]{43}=$/.test(header)) return false;
  const expected = Buffer.from(signForX(consumerSecret, rawBody));
  const sent = Buffer.from(header);
  return sent.length === expected.length && timingSafeEqual(sent, expected);
}

const crcSchema = z.object({ crc_token: z.string().min(1).max(500) }).loose();

/**
 * The CRC answer. X's check names no account, so it is answered with the one consumer secret the channels in
 * webhook mode share (one X app per installation); several different secrets cannot all be proved: refused.
 */
export function answerCrc(query: unknown, identities: WebhookIdentity[]): { json: Record<string, string> } | null {
  const q = crcSchema.safeParse(query);
  const secrets = new Set(identities.map((i) => i.signingSecret));
  if (!q.success || secrets.size !== 1) return null;
  return { json: { response_token: signForX([...secrets][0]!, q.data.crc_token) } };
}

const ID = /^\d{1,20}$/;
const activitySchema = z.object({ for_user_id: z.string().regex(ID) }).loose();
const v1UserSchema = z
  .object({ id_str: z.string().optional(), id: z.union([z.string(), z.number()]).optional(), name: z.string().optional(), screen_name: z.string().optional() })
  .loose();
const v1TweetSchema = z
  .object({
    id_str: z.string(),
    text: z.string().optional(),
    full_text: z.string().optional(),
    created_at: z.string().optional(),
    in_reply_to_status_id_str: z.string().nullish(),
    user: v1UserSchema,
    extended_tweet: z.object({ full_text: z.string() }).loose().optional(),
    lang: z.string().nullish(),
  })
  .loose();
const v1DmSchema = z
  .object({
    type: z.string(),
    id: z.string(),
    created_timestamp: z
      .string()
      .regex(/^\d{1,15}$/)
      .optional(),
    message_create: z
      .object({
        sender_id: z.string(),
        target: z.object({ recipient_id: z.string() }).loose().optional(),
        message_data: z.object({ text: z.string() }).loose(),
      })
      .loose()
      .optional(),
  })
  .loose();

/** The account a delivery is for; null when the body is no Account Activity delivery. */
export function activityAddressesOf(body: unknown): string[] | null {
  const parsed = activitySchema.safeParse(body);
  return parsed.success ? [parsed.data.for_user_id] : null;
}

/** Every event in the delivery (what X bills), of any type: the arrays named *_events. */
export function activityEventsFor(body: unknown, userId: string): number {
  const parsed = activitySchema.safeParse(body);
  if (!parsed.success || parsed.data.for_user_id !== userId) return 0;
  return Object.entries(parsed.data).reduce((n, [key, value]) => n + (key.endsWith('_events') && Array.isArray(value) ? value.length : 0), 0);
}

/** v1.1 user objects (a tweet's user, the users{} of DM events) in the v2 shape the mapping reads. */
function v2User(raw: unknown): XUser | null {
  const u = v1UserSchema.safeParse(raw);
  const id = u.success ? (u.data.id_str ?? (typeof u.data.id === 'string' ? u.data.id : undefined)) : undefined;
  if (!u.success || !id) return null;
  const avatar = (raw as { profile_image_url_https?: unknown }).profile_image_url_https;
  return { id, name: u.data.name, username: u.data.screen_name, ...(typeof avatar === 'string' ? { profile_image_url: avatar } : {}) };
}

const isoOf = (date: Date) => (Number.isNaN(date.getTime()) ? undefined : date.toISOString());

export type ActivityRead = { items: NormalizedInbound[]; skipped: SkippedItem[] };

/**
 * Mentions and replies (tweet_create_events) and direct messages (direct_message_events) for the account;
 * its own posts and messages are left out, like the poller leaves them out. Other event types are not posts.
 */
export function readActivity(channelId: string, userId: string, body: unknown): ActivityRead | null {
  const parsed = activitySchema.safeParse(body);
  if (!parsed.success) return null;
  const out: ActivityRead = { items: [], skipped: [] };
  if (parsed.data.for_user_id !== userId) return out;
  const raw = body as { tweet_create_events?: unknown; direct_message_events?: unknown; users?: unknown };

  for (const event of Array.isArray(raw.tweet_create_events) ? raw.tweet_create_events : []) {
    const t = v1TweetSchema.safeParse(event);
    if (!t.success) {
      const id = (event as { id_str?: unknown } | null)?.id_str;
      out.skipped.push({ externalId: typeof id === 'string' ? id : null, reason: `tweet_create_event: ${t.error.issues[0]?.message ?? 'unreadable'}` });
      continue;
    }
    const author = v2User(t.data.user);
    const tweet = {
      id: t.data.id_str,
      text: t.data.extended_tweet?.full_text ?? t.data.full_text ?? t.data.text ?? '',
      author_id: author?.id ?? '',
      ...(t.data.created_at ? { created_at: isoOf(new Date(t.data.created_at)) } : {}),
      ...(t.data.in_reply_to_status_id_str ? { referenced_tweets: [{ type: 'replied_to', id: t.data.in_reply_to_status_id_str }] } : {}),
      ...(t.data.lang ? { lang: t.data.lang } : {}),
    };
    if (tweet.author_id === userId) continue;
    const n = normalizeTweet(channelId, tweet, new Map(author ? [[author.id, author]] : []));
    if (n.ok) out.items.push(n.item);
    else out.skipped.push({ externalId: n.externalId, reason: n.reason });
  }

  const users = new Map<string, XUser>();
  if (raw.users && typeof raw.users === 'object') {
    for (const u of Object.values(raw.users)) {
      const user = v2User(u);
      if (user) users.set(user.id, user);
    }
  }
  for (const event of Array.isArray(raw.direct_message_events) ? raw.direct_message_events : []) {
    const d = v1DmSchema.safeParse(event);
    if (!d.success) {
      out.skipped.push({ externalId: null, reason: `direct_message_event: ${d.error.issues[0]?.message ?? 'unreadable'}` });
      continue;
    }
    if (d.data.type !== 'message_create' || !d.data.message_create) continue;
    const dm = {
      id: d.data.id,
      event_type: 'MessageCreate',
      text: d.data.message_create.message_data.text,
      sender_id: d.data.message_create.sender_id,
      ...(d.data.created_timestamp ? { created_at: isoOf(new Date(Number(d.data.created_timestamp))) } : {}),
    };
    const n = normalizeDmEvent(channelId, userId, dm, users);
    if (n.ok === 'ignored') continue;
    if (n.ok) out.items.push(n.item);
    else out.skipped.push({ externalId: n.externalId, reason: n.reason });
  }
  return out;
}
