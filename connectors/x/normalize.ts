/**
 * One X post (with its author from includes.users) → our NormalizedInbound. Pure: no I/O, so the odd
 * payloads (missing fields, unknown authors, long posts) are unit-testable. Posts that cannot be read
 * come back as a reason, to be skipped and logged.
 */
import { z } from 'zod';
import type { NormalizedInbound } from '../types';
import { postUrl } from './settings';

const tweetSchema = z
  .object({
    id: z.string().regex(/^\d{1,20}$/),
    text: z.string(),
    author_id: z.string().regex(/^\d{1,20}$/),
    created_at: z.iso.datetime({ offset: true }).optional(),
    conversation_id: z.string().optional(),
    referenced_tweets: z.array(z.object({ type: z.string(), id: z.string() })).optional(),
    note_tweet: z.object({ text: z.string() }).optional(),
  })
  .loose();

const userSchema = z
  .object({
    id: z.string(),
    name: z.string().optional(),
    username: z.string().optional(),
    profile_image_url: z.string().optional(),
  })
  .loose();
export type XUser = z.output<typeof userSchema>;

export type Normalized = { ok: true; item: NormalizedInbound } | { ok: false; externalId: string | null; reason: string };

export function usersById(users: unknown): Map<string, XUser> {
  const map = new Map<string, XUser>();
  if (!Array.isArray(users)) return map;
  for (const u of users) {
    const parsed = userSchema.safeParse(u);
    if (parsed.success) map.set(parsed.data.id, parsed.data);
  }
  return map;
}

export function normalizeTweet(channelId: string, raw: unknown, users: Map<string, XUser>, topicId: string | null = null): Normalized {
  const parsed = tweetSchema.safeParse(raw);
  if (!parsed.success) {
    const id = (raw as { id?: unknown } | null)?.id;
    const reason = parsed.error.issues.map((i) => `${i.path.join('.') || 'post'}: ${i.message}`).join('; ');
    return { ok: false, externalId: typeof id === 'string' ? id : null, reason };
  }
  const tweet = parsed.data;
  const author = users.get(tweet.author_id);
  const handle = author?.username ?? null;
  const item: NormalizedInbound = {
    channelId,
    externalId: tweet.id,
    author: {
      externalId: tweet.author_id,
      name: author?.name || (handle ? `@${handle}` : `X user ${tweet.author_id}`),
      handle,
      avatarUrl: author?.profile_image_url ?? null,
    },
    // Long posts carry their full text in note_tweet; text holds only the first 280 characters.
    text: tweet.note_tweet?.text ?? tweet.text,
    postedAt: tweet.created_at ? new Date(tweet.created_at) : new Date(),
    inReplyToExternalId: tweet.referenced_tweets?.find((r) => r.type === 'replied_to')?.id ?? null,
    url: postUrl(handle, tweet.id),
    raw: { tweet: raw, author: author ?? null },
    topicId,
  };
  return { ok: true, item };
}

/** Snowflake ids grow with time; compare them as numbers, not strings. */
export function newerId(a: string | null, b: string | null): string | null {
  if (!a) return b;
  if (!b) return a;
  return BigInt(a) >= BigInt(b) ? a : b;
}

const dmEventSchema = z
  .object({
    id: z.string().regex(/^\d{1,20}$/),
    event_type: z.string(),
    text: z.string().optional(),
    sender_id: z
      .string()
      .regex(/^\d{1,20}$/)
      .optional(),
    dm_conversation_id: z.string().optional(),
    created_at: z.iso.datetime({ offset: true }).optional(),
  })
  .loose();

/** Our externalId of a DM event: prefixed, so it never collides with a post id of the same channel. */
export const DM_PREFIX = 'dm:';
export const dmExternalId = (eventId: string) => `${DM_PREFIX}${eventId}`;
export const isDmExternalId = (externalId: string | null | undefined) => Boolean(externalId?.startsWith(DM_PREFIX));

export type NormalizedDm = Normalized | { ok: 'ignored' };

/**
 * One DM event → an inbound post in the sender's DM conversation (threadKey 'dm'). Events that are not
 * messages (participants joining or leaving) and our own sent messages are ignored, not skipped.
 */
export function normalizeDmEvent(channelId: string, ownUserId: string, raw: unknown, users: Map<string, XUser>): NormalizedDm {
  const parsed = dmEventSchema.safeParse(raw);
  if (!parsed.success) {
    const id = (raw as { id?: unknown } | null)?.id;
    const reason = parsed.error.issues.map((i) => `${i.path.join('.') || 'dm event'}: ${i.message}`).join('; ');
    return { ok: false, externalId: typeof id === 'string' ? dmExternalId(id) : null, reason };
  }
  const event = parsed.data;
  if (event.event_type !== 'MessageCreate' || event.sender_id === ownUserId) return { ok: 'ignored' };
  if (!event.sender_id || event.text === undefined) {
    return { ok: false, externalId: dmExternalId(event.id), reason: 'a MessageCreate event without sender_id or text' };
  }
  const sender = users.get(event.sender_id);
  const handle = sender?.username ?? null;
  return {
    ok: true,
    item: {
      channelId,
      externalId: dmExternalId(event.id),
      author: {
        externalId: event.sender_id,
        name: sender?.name || (handle ? `@${handle}` : `X user ${event.sender_id}`),
        handle,
        avatarUrl: sender?.profile_image_url ?? null,
      },
      text: event.text,
      postedAt: event.created_at ? new Date(event.created_at) : new Date(),
      inReplyToExternalId: null,
      url: null,
      raw: { dmEvent: raw, sender: sender ?? null, x_kind: 'dm' },
      topicId: null,
      threadKey: 'dm',
    },
  };
}
