/**
 * The one-post ingest pipeline as it was before the set-based batch path (git history:
 * server/domain/conversations/ingestInbound.ts up to f309403), kept only as the reference the batch
 * path is checked against in tests/integration/ingestBatch.test.ts. Not used by the product.
 */
import { sql } from 'kysely';
import type { Tx } from '../../server/db/client';
import { appendAudit } from '../../server/db/repositories/audit.repo';
import { upsertContactIdentity } from '../../server/db/repositories/contacts.repo';
import { conversationOfMessage, insertConversation, lockConversation, openConversationOfContact, updateConversation } from '../../server/db/repositories/conversations.repo';
import { findInboundByExternalId, insertMessage } from '../../server/db/repositories/messages.repo';
import type { Actor } from '../../server/domain/audit/actor';
import type { Effects } from '../../server/domain/effects';
import { startSlaClock } from '../../server/domain/sla/clock';
import { applySlaPause } from '../../server/domain/sla/pause';
import { statusAfterInbound } from '../../server/domain/conversations/status';
import type { IngestResult, NormalizedInbound } from '../../server/domain/conversations/ingestBatch';

export async function referenceIngest(tx: Tx, effects: Effects, post: NormalizedInbound, actor: Actor): Promise<IngestResult> {
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
