/**
 * Meta webhook deliveries for Facebook pages and Instagram accounts → our NormalizedInbound items and the
 * revisions of posts already stored (edited, removed). Pure: no I/O. Routed by entry[].id (the page or the
 * Instagram account id).
 *
 * Facebook (object "page"), https://developers.facebook.com/docs/graph-api/webhooks/reference/page/#feed:
 *   entry[].changes[] { field: "feed", value: { item: "comment", verb: "add|edited|remove", comment_id, post_id,
 *     parent_id, from: { id, name }, message, created_time } }
 * Instagram (object "instagram"), https://developers.facebook.com/docs/instagram-platform/webhooks:
 *   entry[].changes[] { field: "comments", value: { id, from: { id, username }, text, media: { id }, parent_id? } }
 *   entry[].changes[] { field: "mentions", value: { media_id, comment_id } }
 * Both: entry[].messaging[] { sender: { id }, recipient: { id }, timestamp (ms), message: { mid, text?, attachments?, is_echo? } }
 */
import { z } from 'zod';
import type { NormalizedInbound, RemoteRevision, SkippedItem } from '../types';

export type MetaKind = 'facebook' | 'instagram';
const OBJECT: Record<MetaKind, string> = { facebook: 'page', instagram: 'instagram' };

const entrySchema = z
  .object({
    id: z.string().min(1).max(40),
    time: z.number().optional(),
    changes: z.array(z.object({ field: z.string(), value: z.unknown() }).loose()).optional(),
    messaging: z.array(z.unknown()).optional(),
  })
  .loose();
const payloadSchema = z.object({ object: z.string(), entry: z.array(entrySchema).max(1000) }).loose();
type Payload = z.output<typeof payloadSchema>;
type Entry = z.output<typeof entrySchema>;

const fbCommentSchema = z
  .object({
    item: z.literal('comment'),
    verb: z.string(),
    comment_id: z.string().min(1).max(100),
    post_id: z.string().min(1).max(100),
    parent_id: z.string().max(100).optional(),
    from: z
      .object({ id: z.string().min(1), name: z.string().optional() })
      .loose()
      .optional(),
    message: z.string().optional(),
    created_time: z.union([z.number(), z.string()]).optional(),
  })
  .loose();

const igCommentSchema = z
  .object({
    id: z.string().min(1).max(100),
    from: z.object({ id: z.string().min(1), username: z.string().optional() }).loose(),
    text: z.string(),
    media: z.object({ id: z.string() }).loose().optional(),
    parent_id: z.string().max(100).optional(),
  })
  .loose();

const igMentionSchema = z.object({ media_id: z.string().min(1), comment_id: z.string().min(1).max(100) }).loose();

const messagingSchema = z
  .object({
    sender: z.object({ id: z.string().min(1) }).loose(),
    recipient: z.object({ id: z.string().min(1) }).loose(),
    timestamp: z.number(),
    message: z
      .object({
        mid: z.string().min(1).max(300),
        text: z.string().optional(),
        is_echo: z.boolean().optional(),
        attachments: z.array(z.object({ type: z.string() }).loose()).optional(),
      })
      .loose()
      .optional(),
  })
  .loose();

export type ReadDelivery = { items: NormalizedInbound[]; revisions: RemoteRevision[]; skipped: SkippedItem[] };

function parse(kind: MetaKind, body: unknown): Payload | null {
  const parsed = payloadSchema.safeParse(body);
  return parsed.success && parsed.data.object === OBJECT[kind] ? parsed.data : null;
}

/** The page or account ids a delivery is for; null when it is no delivery for this kind. */
export function metaAddressesOf(kind: MetaKind, body: unknown): string[] | null {
  const payload = parse(kind, body);
  return payload && [...new Set(payload.entry.map((e) => e.id))];
}

/** The changes and messages a delivery holds for one page or account. */
export function metaEventsFor(kind: MetaKind, body: unknown, pageId: string): number {
  const payload = parse(kind, body);
  return (payload?.entry ?? []).filter((e) => e.id === pageId).reduce((n, e) => n + (e.changes?.length ?? 0) + (e.messaging?.length ?? 0), 0);
}

/** Everything in a delivery for one page or account. Our own comments and message echoes are left out. */
export function readMetaDelivery(kind: MetaKind, channelId: string, pageId: string, body: unknown): ReadDelivery | null {
  const payload = parse(kind, body);
  if (!payload) return null;
  const out: ReadDelivery = { items: [], revisions: [], skipped: [] };
  for (const entry of payload.entry) {
    if (entry.id !== pageId) continue;
    for (const change of entry.changes ?? []) {
      if (kind === 'facebook' && change.field === 'feed') readFacebookComment(out, channelId, pageId, change.value);
      if (kind === 'instagram' && change.field === 'comments') readInstagramComment(out, channelId, pageId, entry, change.value);
      if (kind === 'instagram' && change.field === 'mentions') readInstagramMention(out, channelId, entry, change.value);
    }
    for (const raw of entry.messaging ?? []) readDirectMessage(out, kind, channelId, pageId, raw);
  }
  return out;
}

const skip = (out: ReadDelivery, what: string, error: z.ZodError, id: unknown) =>
  out.skipped.push({
    externalId: typeof id === 'string' ? id : null,
    reason: `${what}: ${error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ')}`,
  });

function readFacebookComment(out: ReadDelivery, channelId: string, pageId: string, value: unknown) {
  if ((value as { item?: unknown } | null)?.item !== 'comment') return; // posts, reactions, shares: not ours to answer
  const c = fbCommentSchema.safeParse(value);
  if (!c.success) return skip(out, 'comment', c.error, (value as { comment_id?: unknown }).comment_id);
  const v = c.data;
  const at = secondsToDate(v.created_time) ?? new Date();
  if (v.verb === 'remove') return void out.revisions.push({ externalId: v.comment_id, text: null, at });
  if (v.verb !== 'add' && v.verb !== 'edited') return;
  if (v.from?.id === pageId) return; // the page's own comments (our replies) are not customer posts
  // Meta leaves `from` out for people who keep their profile from the app: one anonymous author stands in.
  const author = v.from ? { externalId: v.from.id, name: v.from.name || v.from.id } : { externalId: 'anonymous', name: 'Facebook' };
  const item: NormalizedInbound = {
    channelId,
    externalId: v.comment_id,
    author,
    text: v.message ?? '',
    postedAt: at,
    // A top-level comment's parent is the post: it starts a conversation; a reply threads under its comment.
    inReplyToExternalId: v.parent_id && v.parent_id !== v.post_id ? v.parent_id : null,
    url: `https://www.facebook.com/${v.comment_id}`,
    raw: value,
  };
  out.items.push(item);
  if (v.verb === 'edited') out.revisions.push({ externalId: v.comment_id, text: item.text, at: new Date() });
}

function readInstagramComment(out: ReadDelivery, channelId: string, accountId: string, entry: Entry, value: unknown) {
  const c = igCommentSchema.safeParse(value);
  if (!c.success) return skip(out, 'comment', c.error, (value as { id?: unknown } | null)?.id);
  const v = c.data;
  if (v.from.id === accountId) return;
  out.items.push({
    channelId,
    externalId: v.id,
    author: { externalId: v.from.id, name: v.from.username || v.from.id, handle: v.from.username ?? null },
    text: v.text,
    postedAt: secondsToDate(entry.time) ?? new Date(),
    inReplyToExternalId: v.parent_id ?? null,
    url: null,
    raw: value,
  });
}

/** A mention names only the comment and the media; the text is read from the Graph API on demand, not here. */
function readInstagramMention(out: ReadDelivery, channelId: string, entry: Entry, value: unknown) {
  const m = igMentionSchema.safeParse(value);
  if (!m.success) return skip(out, 'mention', m.error, (value as { comment_id?: unknown } | null)?.comment_id);
  out.items.push({
    channelId,
    externalId: m.data.comment_id,
    author: { externalId: `media:${m.data.media_id}`, name: `Instagram ${m.data.media_id}` },
    text: '[mention]',
    postedAt: secondsToDate(entry.time) ?? new Date(),
    url: null,
    raw: value,
  });
}

function readDirectMessage(out: ReadDelivery, kind: MetaKind, channelId: string, pageId: string, raw: unknown) {
  if (!(raw as { message?: unknown } | null)?.message) return; // deliveries, reads, postbacks: nothing to answer
  const e = messagingSchema.safeParse(raw);
  if (!e.success) return skip(out, 'message', e.error, (raw as { message?: { mid?: unknown } }).message?.mid);
  const { sender, timestamp, message } = e.data;
  if (!message || message.is_echo || sender.id === pageId) return; // what the page itself sent
  const labels = (message.attachments ?? []).map((a) => `[${a.type}]`);
  out.items.push({
    channelId,
    externalId: message.mid,
    author: { externalId: sender.id, name: `${kind === 'facebook' ? 'Messenger' : 'Instagram'} ${sender.id}` },
    text: [message.text, ...labels].filter(Boolean).join(' ') || '[message]',
    postedAt: new Date(timestamp),
    url: null,
    raw,
    threadKey: 'dm',
  });
}

function secondsToDate(v: number | string | undefined): Date | null {
  const n = typeof v === 'string' ? Number(v) : v;
  return n !== undefined && Number.isFinite(n) && n > 0 ? new Date(n * 1000) : null;
}
