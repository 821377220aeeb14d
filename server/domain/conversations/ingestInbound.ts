/**
 * The ingest pipeline for one normalized inbound post: dedupe → contact → thread → store → status → audit,
 * all in one transaction. Channel-agnostic: every connector hands over the same NormalizedInbound.
 */
import { sql } from 'kysely';
import type { Tx } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import { upsertContactIdentity } from '../../db/repositories/contacts.repo';
import { conversationOfMessage, insertConversation, lockConversation, openConversationOfContact, updateConversation } from '../../db/repositories/conversations.repo';
import { findInboundByExternalId, insertMessage } from '../../db/repositories/messages.repo';
import type { Actor } from '../audit/actor';
import type { Effects } from '../effects';
import { startSlaClock } from '../sla/clock';
import { applySlaPause } from '../sla/pause';
import { statusAfterInbound } from './status';

export type NormalizedInbound = {
  channelId: string;
  externalId: string;
  author: { externalId: string; name: string; handle?: string | null; avatarUrl?: string | null };
  text: string;
  postedAt: Date;
  inReplyToExternalId?: string | null;
  url?: string | null;
  raw?: unknown;
  /** The tracked search (topic) that brought this post; a new conversation carries it. */
  topicId?: string | null;
  /** Which thread of the contact this belongs to: null/absent = public posts, 'dm' = direct messages. */
  threadKey?: 'dm' | null;
};

export type IngestResult = { created: boolean; messageId: string; conversationId: string; caseNumber: string };

export async function ingestInbound(tx: Tx, effects: Effects, post: NormalizedInbound, actor: Actor): Promise<IngestResult> {
  // Serialises concurrent deliveries of the same post so the duplicate check below is exact.
  await sql`SELECT pg_advisory_xact_lock(hashtext(${post.channelId + ':' + post.externalId}))`.execute(tx);
  const duplicate = await findInboundByExternalId(tx, post.channelId, post.externalId);
  if (duplicate) return { created: false, ...duplicate };

  // Handles are stored without the leading @ that some sources include.
  const handle = post.author.handle?.replace(/^@+/, '') || null;
  const { contactId } = await upsertContactIdentity(tx, {
    channelId: post.channelId, externalId: post.author.externalId, name: post.author.name, handle,
    avatarUrl: post.author.avatarUrl,
  });
  const conversationId = await findThread(tx, post, contactId);
  const conversation = conversationId
    ? await lockConversation(tx, conversationId)
    : await insertConversation(tx, { channelId: post.channelId, contactId, lastMessageAt: post.postedAt, topicId: post.topicId ?? null, threadKey: post.threadKey ?? null });
  if (!conversation) throw new Error(`Conversation ${conversationId} vanished during ingest`);

  const message = await insertMessage(tx, {
    conversationId: conversation.id, channelId: post.channelId, direction: 'inbound', externalId: post.externalId,
    inReplyToExternalId: post.inReplyToExternalId ?? null, authorName: post.author.name, authorHandle: handle,
    authorUserId: null, text: post.text, url: post.url ?? null, postedAt: post.postedAt,
    raw: post.raw === undefined ? null : JSON.stringify(post.raw), deliveryState: null, deliveryError: null, deliveredAt: null,
  });

  const audit = { actor, channelId: post.channelId, subjectType: 'conversation', subjectId: conversation.id };
  if (!conversationId) {
    await appendAudit(tx, { ...audit, action: 'conversation.created', after: { caseNumber: conversation.caseNumber, status: conversation.status } });
  }
  await appendAudit(tx, { ...audit, action: 'message.received', after: { messageId: message.id, externalId: post.externalId } });

  const status = statusAfterInbound(conversation.status, conversation.assigneeId !== null);
  const lastMessageAt = conversation.lastMessageAt > post.postedAt ? conversation.lastMessageAt : post.postedAt;
  await updateConversation(tx, conversation.id, { status, lastMessageAt });
  await applySlaPause(tx, effects, { conversationId: conversation.id, channelId: post.channelId, from: conversation.status, to: status, actor });
  if (status !== conversation.status) {
    await appendAudit(tx, { ...audit, action: 'conversation.reopened', before: { status: conversation.status }, after: { status } });
  }

  // The SLA clock starts at postedAt; each inbound post gets its own due time (see domain/sla/policy.ts).
  await startSlaClock(tx, effects, {
    messageId: message.id, conversationId: conversation.id, channelId: post.channelId,
    topicId: post.topicId ?? conversation.topicId ?? null, postedAt: post.postedAt,
  });
  effects.publish({ type: 'conversation', conversationId: conversation.id, channelId: post.channelId, change: 'message' });
  return { created: true, messageId: message.id, conversationId: conversation.id, caseNumber: conversation.caseNumber };
}

/**
 * Threading: a reply to a known post joins that post's conversation (reopening it if closed);
 * otherwise the author's latest open conversation on the channel in the same thread (direct messages
 * and public posts of one person stay apart); otherwise a new one.
 */
async function findThread(tx: Tx, post: NormalizedInbound, contactId: string): Promise<string | null> {
  if (post.inReplyToExternalId) {
    const parent = await conversationOfMessage(tx, post.channelId, post.inReplyToExternalId);
    if (parent) return parent.conversationId;
  }
  const open = await openConversationOfContact(tx, post.channelId, contactId, post.threadKey ?? null);
  return open?.id ?? null;
}
