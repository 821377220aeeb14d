/**
 * One X post (with its author from includes.users) → our NormalizedInbound. Pure: no I/O, so the odd
 * payloads (missing fields, unknown authors, long posts) are unit-testable. Posts that cannot be read
 * come back as a reason, to be skipped and logged.
 */
import { z } from 'zod';
import type { NormalizedInbound } from '../../server/domain/conversations/ingestInbound';
import { postUrl } from './settings';

const tweetSchema = z.object({
  id: z.string().regex(/^\d{1,20}$/),
  text: z.string(),
  author_id: z.string().regex(/^\d{1,20}$/),
  created_at: z.iso.datetime({ offset: true }).optional(),
  conversation_id: z.string().optional(),
  referenced_tweets: z.array(z.object({ type: z.string(), id: z.string() })).optional(),
  note_tweet: z.object({ text: z.string() }).optional(),
}).loose();

const userSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  username: z.string().optional(),
  profile_image_url: z.string().optional(),
}).loose();
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
