/**
 * The ingest pipeline, set-based: normalize → dedupe → contact → thread → store → status → SLA clock
 * → audit → live event for a whole batch of posts in one transaction and a handful of statements.
 * The result is the same as ingesting the posts one by one in the given order (ingestInbound is this
 * function with a batch of one):
 *
 * - normalize: every channel passes here, so this is where a post's claimed time is checked against its
 *   receipt (postTime.ts): an absurd one (year 9999, year 0001) is replaced by the receipt time;
 * - dedupe: the per-post advisory locks (same key as always) are taken in one statement in sorted
 *   order, then stored posts are looked up at once; a post repeated inside the batch counts once;
 * - threading: a reply joins the conversation of a stored post or of an earlier post of the batch;
 *   else the author's latest open conversation in the same thread (threadKey); else a new one, which
 *   the author's later posts of the batch then join. The decisions are made in memory over the
 *   candidate conversations locked up front (in id order), with status, reopening and lastMessageAt
 *   applied post by post exactly as the one-post pipeline applies them;
 * - SLA: due and warning instants per post are pure arithmetic (policies and compiled calendars read
 *   once per batch); a saved conversation that a post brings back resumes its paused clocks;
 * - audit: the events (conversation.created, message.received, sla.resumed, conversation.reopened)
 *   are collected in the one-by-one order and appended last, in one INSERT, so the hash-chain lock is
 *   held only from there to commit;
 * - signals and listening: each post's language and sentiment are computed in memory (postSignals.ts),
 *   stored with it and summed up on its conversation; the active listening queries (one matcher per
 *   process, listening/applyListening.ts) run over the stored posts, their audit entries join the batch's
 *   and what their actions change reaches the consoles with the batch's live event per conversation;
 * - effects: one live event per touched conversation (the clocks need none: the SLA sweep reads the rows).
 */
import { randomUUID } from 'node:crypto';
import type { InboundAttachment, NormalizedInbound } from '../../../connectors/types';
import type { Tx } from '../../db/client';
import type { ConversationStatus } from '../../db/schema';
import { appendAuditBatch, type AuditEntry } from '../../db/repositories/audit.repo';
import { contactKey, renameFormerIdentities, upsertContactIdentities, type BatchAuthor } from '../../db/repositories/contacts.repo';
import {
  insertConversations,
  lockThreadCandidates,
  updateConversationsAfterInbound,
  type ConversationAfterInbound,
  type NewConversationRow,
} from '../../db/repositories/conversations.repo';
import { insertAttachments } from '../../db/repositories/messageAttachments.repo';
import { findMessagesByExternalIds, insertInboundMessages, lockInboundKeys, type NewInboundRow } from '../../db/repositories/messages.repo';
import { findPoliciesWithCalendars, policyIdsForMany } from '../../db/repositories/sla.repo';
import type { Actor } from '../audit/actor';
import type { Effects } from '../effects';
import { listenOnIngest } from '../listening/applyListening';
import { detectLanguage, scoreSentiment } from '../listening/postSignals';
import { compiledCalendarOf } from '../sla/calendarCache';
import { applySlaPause, pauseTransition, type StatusChange } from '../sla/pause';
import { applicablePolicyId, resolutionDueAt, slaKindFor, startClock } from '../sla/policy';
import { believablePostTime } from './postTime';
import { statusAfterInbound } from './status';
import { routingPass } from '../routing/routingPass';

export type IngestResult = { created: boolean; messageId: string; conversationId: string; caseNumber: string };

/** What pollers hand over per transaction; larger pages are split. */
export const INGEST_BATCH_SIZE = 500;

/** The advisory-lock key of a post (unchanged from the one-post pipeline, so both exclude each other). */
const postKey = (channelId: string, externalId: string) => `${channelId}:${externalId}`;

type Conversation = {
  id: string;
  caseNumber: string | null;
  channelId: string;
  contactId: string;
  status: ConversationStatus;
  assigneeId: string | null;
  lastMessageAt: Date;
  topicId: string | null;
  threadKey: string | null;
  /** what routing matches against (new conversations only: taken from their first post) */
  language?: string | null;
  region?: string | null;
  hasInbound: boolean;
  isNew: boolean;
  firstTargets: ConversationAfterInbound['firstTargets'];
  /** earliest due of its awaiting posts of this batch, all and "next response" ones (new conversations only) */
  responseDueAt: Date | null;
  nextResponseDueAt: Date | null;
};

type Policy = Awaited<ReturnType<typeof findPoliciesWithCalendars>>[number];

const minDate = (a: Date | null, b: Date) => (a === null || b < a ? b : a);

export async function ingestBatch(tx: Tx, effects: Effects, claimedPosts: NormalizedInbound[], actor: Actor, receivedAt = new Date()): Promise<IngestResult[]> {
  if (claimedPosts.length === 0) return [];

  // ---- normalize: a post keeps its source's time only when that is believable (postTime.ts); else the
  // receipt time, with the claim kept beside it
  const claims = new Map<NormalizedInbound, string>();
  const posts = claimedPosts.map((p) => {
    const { postedAt, claimedPostedAt } = believablePostTime(p.postedAt, receivedAt);
    if (claimedPostedAt === null) return p;
    const believable = { ...p, postedAt };
    claims.set(believable, claimedPostedAt);
    return believable;
  });

  // ---- dedupe: lock every post's key, then one look-up for the posts and the posts they answer
  await lockInboundKeys(
    tx,
    posts.map((p) => postKey(p.channelId, p.externalId)),
  );
  const lookups = new Map<string, { channelId: string; externalId: string }>();
  for (const p of posts) {
    lookups.set(postKey(p.channelId, p.externalId), { channelId: p.channelId, externalId: p.externalId });
    if (p.inReplyToExternalId) lookups.set(postKey(p.channelId, p.inReplyToExternalId), { channelId: p.channelId, externalId: p.inReplyToExternalId });
  }
  const stored = new Map((await findMessagesByExternalIds(tx, [...lookups.values()])).map((m) => [postKey(m.channelId, m.externalId), m]));

  const results: IngestResult[] = new Array(posts.length);
  type Fresh = { index: number; post: NormalizedInbound; handle: string | null; messageId: string };
  const fresh: Fresh[] = [];
  const freshByKey = new Map<string, Fresh>();
  const repeats: { index: number; of: Fresh }[] = [];
  posts.forEach((post, index) => {
    const key = postKey(post.channelId, post.externalId);
    const known = stored.get(key);
    if (known) {
      results[index] = { created: false, messageId: known.messageId, conversationId: known.conversationId, caseNumber: known.caseNumber };
      return;
    }
    const earlier = freshByKey.get(key);
    if (earlier) {
      repeats.push({ index, of: earlier });
      return;
    }
    // Handles are stored without the leading @ that some sources include.
    const f = { index, post, handle: post.author.handle?.replace(/^@+/, '') || null, messageId: randomUUID() };
    fresh.push(f);
    freshByKey.set(key, f);
  });
  if (fresh.length === 0) return results;

  // ---- contacts: each author once, with the values its posts leave behind one after the other
  const authors = new Map<string, BatchAuthor>();
  for (const { post, handle } of fresh) {
    const key = contactKey(post.channelId, post.author.externalId);
    const seen = authors.get(key);
    if (!seen) {
      authors.set(key, {
        channelId: post.channelId,
        externalId: post.author.externalId,
        contactName: post.author.name,
        name: post.author.name,
        handle,
        avatarUrl: post.author.avatarUrl,
      });
    } else {
      seen.name = post.author.name;
      seen.handle = handle;
      if (post.author.avatarUrl !== undefined) seen.avatarUrl = post.author.avatarUrl;
    }
  }
  const renames = fresh.flatMap(({ post }) =>
    (post.author.formerExternalIds ?? [])
      .filter((from) => from !== post.author.externalId)
      .map((from) => ({ channelId: post.channelId, from, to: post.author.externalId })),
  );
  await renameFormerIdentities(tx, renames);
  const contactIds = await upsertContactIdentities(tx, [...authors.values()]);
  const contactOf = (post: NormalizedInbound) => contactIds.get(contactKey(post.channelId, post.author.externalId))!;

  // ---- the conversations the batch may thread onto, locked; then the SLA policies they and the posts need
  const parentIds = new Set<string>();
  for (const { post } of fresh) {
    const parent = post.inReplyToExternalId ? stored.get(postKey(post.channelId, post.inReplyToExternalId)) : undefined;
    if (parent) parentIds.add(parent.conversationId);
  }
  const pairs = new Map<string, { channelId: string; contactId: string }>();
  for (const { post } of fresh) pairs.set(`${post.channelId}:${contactOf(post)}`, { channelId: post.channelId, contactId: contactOf(post) });
  const candidates = await lockThreadCandidates(tx, [...parentIds], [...pairs.values()]);

  const conversations = new Map<string, Conversation>();
  const byContact = new Map<string, Conversation[]>();
  const remember = (c: Conversation) => {
    conversations.set(c.id, c);
    const key = `${c.channelId}:${c.contactId}`;
    const list = byContact.get(key);
    if (list) list.push(c);
    else byContact.set(key, [c]);
  };
  for (const c of candidates) {
    remember({ ...c, isNew: false, firstTargets: null, responseDueAt: null, nextResponseDueAt: null });
  }

  const topicIds = new Set<string>();
  for (const { post } of fresh) if (post.topicId) topicIds.add(post.topicId);
  for (const c of candidates) if (c.topicId) topicIds.add(c.topicId);
  const policyIds = await policyIdsForMany(tx, [...new Set(fresh.map((f) => f.post.channelId))], [...topicIds]);
  const wanted = new Set<string>();
  for (const p of [...policyIds.channels.values(), ...policyIds.topics.values()]) if (p.slaPolicyId) wanted.add(p.slaPolicyId);
  const policies = new Map<string, Policy>((await findPoliciesWithCalendars(tx, [...wanted])).map((p) => [p.id, p]));

  // ---- post by post, in memory: thread, status, clock, audit
  const rows: NewInboundRow[] = [];
  const attachments: { messageId: string; attachments: InboundAttachment[] }[] = [];
  const created: Conversation[] = [];
  const touched: { conversation: Conversation; channelId: string }[] = [];
  const touchedIds = new Set<string>();
  const reopenedIds = new Set<string>();
  const resumes: { change: StatusChange; entries: AuditEntry[] }[] = [];
  // Entries in the one-by-one order; some are known only after the inserts (case numbers, the resume hook).
  const audit: (() => AuditEntry[])[] = [];

  for (const f of fresh) {
    const { post } = f;
    let conversation = threadOf(post);
    if (!conversation) {
      conversation = {
        id: randomUUID(),
        caseNumber: null,
        channelId: post.channelId,
        contactId: contactOf(post),
        status: 'new',
        assigneeId: null,
        lastMessageAt: post.postedAt,
        topicId: post.topicId ?? null,
        threadKey: post.threadKey ?? null,
        language: post.language ?? null,
        region: post.region ?? null,
        hasInbound: false,
        isNew: true,
        firstTargets: null,
        responseDueAt: null,
        nextResponseDueAt: null,
      };
      remember(conversation);
      created.push(conversation);
      const c = conversation;
      audit.push(() => [{ ...auditBase(post, c), action: 'conversation.created', after: { caseNumber: c.caseNumber, status: 'new' } }]);
    }
    const c = conversation;
    const claimedPostedAt = claims.get(post) ?? null;
    audit.push(() => [
      {
        ...auditBase(post, c),
        action: 'message.received',
        after: { messageId: f.messageId, externalId: post.externalId, ...(claimedPostedAt ? { postedAt: post.postedAt.toISOString(), claimedPostedAt } : {}) },
      },
    ]);

    const from = c.status;
    const status = statusAfterInbound(from, c.assigneeId !== null);
    c.status = status;
    if (c.lastMessageAt < post.postedAt) c.lastMessageAt = post.postedAt;
    if (pauseTransition(from, status)) {
      const slot = { change: { conversationId: c.id, channelId: post.channelId, from, to: status, actor }, entries: [] as AuditEntry[] };
      resumes.push(slot);
      audit.push(() => slot.entries);
    }
    if (status !== from) {
      reopenedIds.add(c.id);
      audit.push(() => [{ ...auditBase(post, c), action: 'conversation.reopened', before: { status: from }, after: { status } }]);
    }

    // The SLA clock starts at postedAt; each inbound post gets its own due time (see domain/sla/policy.ts).
    const topicId = post.topicId ?? c.topicId ?? null;
    const policyId = applicablePolicyId(
      policyIds.channels.get(post.channelId) ?? { slaPolicyId: null },
      topicId ? (policyIds.topics.get(topicId) ?? null) : null,
    );
    const policy = policyId ? policies.get(policyId) : undefined;
    let clock: ReturnType<typeof startClock> | null = null;
    if (policy) {
      const cal = compiledCalendarOf(policy);
      clock = startClock(cal, policy, slaKindFor(!c.hasInbound), post.postedAt);
      if (clock.kind === 'first') {
        c.firstTargets = { slaPolicyId: policy.id, firstResponseDueAt: clock.dueAt, resolutionDueAt: resolutionDueAt(cal, policy, post.postedAt) };
      }
      c.responseDueAt = minDate(c.responseDueAt, clock.dueAt);
      if (clock.kind === 'next') c.nextResponseDueAt = minDate(c.nextResponseDueAt, clock.dueAt);
    }
    c.hasInbound = true;

    const language = detectLanguage(post.text);
    const sentiment = scoreSentiment(post.text, language);
    rows.push({
      id: f.messageId,
      conversationId: c.id,
      channelId: post.channelId,
      topicId: c.topicId,
      externalId: post.externalId,
      inReplyToExternalId: post.inReplyToExternalId ?? null,
      authorName: post.author.name,
      authorHandle: f.handle,
      text: post.text,
      url: post.url ?? null,
      postedAt: post.postedAt,
      claimedPostedAt,
      raw: post.raw === undefined ? null : JSON.stringify(post.raw),
      slaPolicyId: policy?.id ?? null,
      slaKind: clock?.kind ?? null,
      slaDueAt: clock?.dueAt ?? null,
      slaWarnAt: clock?.warnAt ?? null,
      language,
      sentimentLabel: sentiment?.label ?? null,
      sentimentScore: sentiment?.score ?? null,
    });
    if (post.attachments?.length) attachments.push({ messageId: f.messageId, attachments: post.attachments });
    if (!touchedIds.has(c.id)) {
      touchedIds.add(c.id);
      touched.push({ conversation: c, channelId: post.channelId });
    }
    results[f.index] = { created: true, messageId: f.messageId, conversationId: c.id, caseNumber: '' };
  }

  // ---- write: conversations, posts, resumed clocks, conversation updates, and the audit events last
  // a conversation's language and sentiment come with its insert or its one update (never a second row
  // version): the language it was given, else its latest post's; the sentiment of its latest post
  const signals = new Map(rows.map((r) => [r.conversationId, { language: r.language, sentimentLabel: r.sentimentLabel }]));
  const caseNumbers = await insertConversations(
    tx,
    created.map(
      (c): NewConversationRow => ({
        id: c.id,
        channelId: c.channelId,
        contactId: c.contactId,
        lastMessageAt: c.lastMessageAt,
        topicId: c.topicId,
        threadKey: c.threadKey,
        language: c.language ?? signals.get(c.id)!.language,
        region: c.region ?? null,
        slaPolicyId: c.firstTargets?.slaPolicyId ?? null,
        firstResponseDueAt: c.firstTargets?.firstResponseDueAt ?? null,
        resolutionDueAt: c.firstTargets?.resolutionDueAt ?? null,
        responseDueAt: c.responseDueAt,
        nextResponseDueAt: c.nextResponseDueAt,
        sentimentLabel: signals.get(c.id)!.sentimentLabel,
      }),
    ),
  );
  for (const c of created) c.caseNumber = caseNumbers.get(c.id)!;
  await insertInboundMessages(tx, rows);
  await insertAttachments(tx, attachments);
  for (const slot of resumes)
    await applySlaPause(tx, slot.change, (e) => {
      slot.entries.push(e);
    });
  await updateConversationsAfterInbound(
    tx,
    touched
      .filter((t) => !t.conversation.isNew)
      .map(({ conversation: c }) => ({
        id: c.id,
        status: c.status,
        lastMessageAt: c.lastMessageAt,
        firstTargets: c.firstTargets,
        ...signals.get(c.id)!,
      })),
  );
  const listening = await listenOnIngest(
    tx,
    rows.map((r) => ({ ...r, messageId: r.id, channelKind: policyIds.channels.get(r.channelId)?.kind ?? '' })),
    actor,
  );
  await appendAuditBatch(tx, [...audit.flatMap((entries) => entries()), ...listening.audit]);

  // spike and dip rules look at a watched query's volume after commit, one check per query at a time (the job
  // coalesces: jobs/definitions.ts; alerts/checkPostWindows.ts)
  for (const queryId of listening.watched) effects.enqueue({ name: 'check-spikes', data: { queryId } });
  for (const { conversation, channelId } of touched) {
    effects.publish({ type: 'conversation', conversationId: conversation.id, channelId, change: 'message' });
  }
  // automatic queues: a routing pass after commit (new work, and reopened work its last agent may no longer take)
  const autoChannels = [...new Set(touched.map((t) => t.channelId))].filter((id) => policyIds.channels.get(id)?.routingMode === 'auto');
  if (autoChannels.length) {
    const reopened = [...reopenedIds].filter((id) => conversations.get(id)!.status === 'assigned');
    effects.enqueue(routingPass(autoChannels, reopened));
  }
  for (const f of fresh) results[f.index]!.caseNumber = conversations.get(results[f.index]!.conversationId)!.caseNumber!;
  for (const r of repeats) results[r.index] = { ...results[r.of.index]!, created: false };
  return results;

  /**
   * Threading: a reply to a known post (stored, or earlier in this batch) joins that post's
   * conversation; otherwise the author's latest open conversation on the channel in the same thread
   * (direct messages and public posts of one person stay apart); otherwise none (a new one).
   */
  function threadOf(post: NormalizedInbound): Conversation | undefined {
    if (post.inReplyToExternalId) {
      const parentKey = postKey(post.channelId, post.inReplyToExternalId);
      const storedParent = stored.get(parentKey);
      if (storedParent) {
        const c = conversations.get(storedParent.conversationId);
        if (!c) throw new Error(`Conversation ${storedParent.conversationId} vanished during ingest`);
        return c;
      }
      const earlier = freshByKey.get(parentKey);
      if (earlier && results[earlier.index]) return conversations.get(results[earlier.index]!.conversationId);
    }
    const threadKey = post.threadKey ?? null;
    let latest: Conversation | undefined;
    for (const c of byContact.get(`${post.channelId}:${contactOf(post)}`) ?? []) {
      if (c.status === 'closed' || c.threadKey !== threadKey) continue;
      if (!latest || c.lastMessageAt > latest.lastMessageAt) latest = c;
    }
    return latest;
  }

  function auditBase(post: NormalizedInbound, c: Conversation) {
    return { actor, channelId: post.channelId, subjectType: 'conversation', subjectId: c.id };
  }
}
