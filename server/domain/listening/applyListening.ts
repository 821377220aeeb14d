/**
 * Runs the active listening queries over posts as they are stored (ingest) or again over stored posts
 * (backfill): records each match, and applies the query's actions to the posts' conversations (add a
 * tag, set the topic, set the priority). The audit entries are handed back so that ingest appends them
 * with its own in one statement; a backfill appends them itself. Per batch: the matches in one INSERT,
 * the tags of all queries in one more, a topic or priority change per query that sets one.
 */
import type { Tx } from '../../db/client';
import type { AuditEntry } from '../../db/repositories/audit.repo';
import {
  activeListeningQueries,
  addTagsMany,
  insertListeningMatches,
  listeningState,
  setConversationRouting,
  type MatchRow,
} from '../../db/repositories/listening.repo';
import type { ListeningActions, SentimentLabel } from '../../db/schema';
import type { Actor } from '../audit/actor';
import { parseQuery } from './queryLanguage';
import { compileMatcher, type QueryMatcher } from './queryMatcher';

export type ListenedPost = {
  messageId: string;
  conversationId: string;
  channelId: string;
  channelKind: string;
  text: string;
  authorHandle: string | null;
  language: string | null;
  sentimentLabel: SentimentLabel | null;
  postedAt: Date;
};

export type ListeningQuery = { id: string; name: string; actions: ListeningActions };

/**
 * The active queries compiled into one matcher, per process, for as long as their fingerprint holds
 * (listeningState: one small statement per batch; a change by any process is seen by the next batch).
 */
let current: { fingerprint: string; matcher: QueryMatcher<ListeningQuery> } | null = null;

async function activeMatcher(tx: Tx, fingerprint: string): Promise<QueryMatcher<ListeningQuery>> {
  if (current?.fingerprint !== fingerprint) {
    const rows = fingerprint === '' ? [] : await activeListeningQueries(tx);
    current = {
      fingerprint,
      matcher: compileMatcher(rows.map((r) => ({ query: { id: r.id, name: r.name, actions: r.actions }, tree: parseQuery(r.query) }))),
    };
  }
  return current.matcher;
}

/**
 * matched: posts per query; watched: the matched queries that a spike or dip rule watches (worth a check);
 * changed: the conversations an action changed, by id with their channel (ingest announces its posts'
 * conversations anyway; a backfill announces these).
 */
export type ListeningOutcome = { matched: Map<string, number>; watched: string[]; changed: Map<string, string>; audit: AuditEntry[] };

/** On ingest: the stored posts of a batch against every active query (nothing to do when there is none). */
export async function listenOnIngest(tx: Tx, posts: ListenedPost[], actor: Actor): Promise<ListeningOutcome> {
  const { fingerprint, watched } = await listeningState(tx);
  const matcher = await activeMatcher(tx, fingerprint);
  const outcome = await applyListening(tx, matcher, posts, actor);
  outcome.watched = [...outcome.matched.keys()].filter((id) => watched.has(id));
  return outcome;
}

export async function applyListening(tx: Tx, matcher: QueryMatcher<ListeningQuery>, posts: ListenedPost[], actor: Actor): Promise<ListeningOutcome> {
  const outcome: ListeningOutcome = { matched: new Map(), watched: [], changed: new Map(), audit: [] };
  if (matcher.size === 0 || posts.length === 0) return outcome;

  const matches: MatchRow[] = [];
  const byQuery = new Map<ListeningQuery, Set<string>>();
  const channelOf = new Map<string, string>();
  for (const post of posts) {
    for (const q of matcher.matches(post)) {
      matches.push({
        queryId: q.id,
        messageId: post.messageId,
        conversationId: post.conversationId,
        channelId: post.channelId,
        postedAt: post.postedAt,
        negative: post.sentimentLabel === 'negative',
      });
      outcome.matched.set(q.id, (outcome.matched.get(q.id) ?? 0) + 1);
      const set = byQuery.get(q) ?? new Set<string>();
      set.add(post.conversationId);
      byQuery.set(q, set);
      channelOf.set(post.conversationId, post.channelId);
    }
  }
  await insertListeningMatches(tx, matches);

  const touched = new Set<string>();
  const causeOf = (q: ListeningQuery) => ({ listeningQueryId: q.id, listeningQuery: q.name });
  // The tags of all tagging queries in one statement (rows in key order). A conversation two queries give
  // the same tag is tagged, and audited, once: for the first of them, as when they ran one after the other.
  const tagging = new Map<string, { conversationId: string; tag: string; q: ListeningQuery }>();
  for (const [q, conversationIds] of byQuery) {
    const tag = q.actions.tag;
    if (!tag) continue;
    for (const conversationId of [...conversationIds].sort()) {
      const key = `${conversationId} ${tag}`;
      if (!tagging.has(key)) tagging.set(key, { conversationId, tag, q });
    }
  }
  const pairs = [...tagging.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, p]) => ({ conversationId: p.conversationId, tag: p.tag }));
  const added = new Set((await addTagsMany(tx, pairs)).map((a) => `${a.conversationId} ${a.tag}`));
  for (const [key, { conversationId, tag, q }] of tagging) {
    if (!added.has(key)) continue;
    touched.add(conversationId);
    outcome.audit.push({
      actor,
      action: 'conversation.tagged',
      subjectType: 'conversation',
      subjectId: conversationId,
      channelId: channelOf.get(conversationId) ?? null,
      after: { tags: [tag], ...causeOf(q) },
    });
  }

  for (const [q, conversationIds] of byQuery) {
    if (!q.actions.priority && !q.actions.topicId) continue;
    const ids = [...conversationIds].sort();
    const cause = causeOf(q);
    for (const c of await setConversationRouting(tx, ids, { priority: q.actions.priority, topicId: q.actions.topicId })) {
      touched.add(c.id);
      if (q.actions.priority && q.actions.priority !== c.priority) {
        outcome.audit.push({
          actor,
          action: 'conversation.priority_changed',
          subjectType: 'conversation',
          subjectId: c.id,
          channelId: c.channelId,
          before: { priority: c.priority },
          after: { priority: q.actions.priority, ...cause },
        });
      }
      if (q.actions.topicId && q.actions.topicId !== c.topicId) {
        outcome.audit.push({
          actor,
          action: 'conversation.topic_changed',
          subjectType: 'conversation',
          subjectId: c.id,
          channelId: c.channelId,
          before: { topicId: c.topicId },
          after: { topicId: q.actions.topicId, ...cause },
        });
      }
    }
  }
  for (const id of touched) outcome.changed.set(id, channelOf.get(id)!);
  return outcome;
}
