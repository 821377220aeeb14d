/**
 * Runs the active listening queries over posts as they are stored (ingest) or again over stored posts
 * (backfill): records each match, and applies the query's actions to the posts' conversations (add a
 * tag, set the topic, set the priority). The audit entries are handed back so that ingest appends them
 * with its own in one statement; a backfill appends them itself.
 */
import type { Tx } from '../../db/client';
import type { AuditEntry } from '../../db/repositories/audit.repo';
import {
  activeListeningQueries,
  addTagsMany,
  channelKindsOf,
  insertListeningMatches,
  setConversationRouting,
  type MatchRow,
} from '../../db/repositories/listening.repo';
import type { ListeningActions, SentimentLabel } from '../../db/schema';
import type { Actor } from '../audit/actor';
import type { Effects } from '../effects';
import { compileQuery, postView, type PostPredicate } from './matchPost';
import { parseQuery } from './queryLanguage';

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

type CompiledQuery = { id: string; name: string; actions: ListeningActions; matches: PostPredicate };

/** Compiled predicates by query id and version, so a batch does not parse its queries again. */
const compiled = new Map<string, { version: number; query: CompiledQuery }>();

async function loadActiveQueries(tx: Tx): Promise<CompiledQuery[]> {
  const rows = await activeListeningQueries(tx);
  return rows.map((r) => {
    const version = r.updatedAt.getTime();
    const hit = compiled.get(r.id);
    if (hit && hit.version === version) return hit.query;
    const query = { id: r.id, name: r.name, actions: r.actions, matches: compileQuery(parseQuery(r.query)) };
    compiled.set(r.id, { version, query });
    return query;
  });
}

export type ListeningOutcome = { matched: Map<string, number>; audit: AuditEntry[] };

/** On ingest: the stored posts of a batch against every active query (nothing to do when there is none). */
export async function listenOnIngest(tx: Tx, effects: Effects, posts: Omit<ListenedPost, 'channelKind'>[], actor: Actor): Promise<ListeningOutcome> {
  const queries = await loadActiveQueries(tx);
  if (queries.length === 0) return { matched: new Map(), audit: [] };
  const kinds = await channelKindsOf(tx, [...new Set(posts.map((p) => p.channelId))]);
  return applyListening(
    tx,
    effects,
    queries,
    posts.map((p) => ({ ...p, channelKind: kinds.get(p.channelId) ?? '' })),
    actor,
  );
}

export async function applyListening(tx: Tx, effects: Effects, queries: CompiledQuery[], posts: ListenedPost[], actor: Actor): Promise<ListeningOutcome> {
  const outcome: ListeningOutcome = { matched: new Map(), audit: [] };
  if (queries.length === 0 || posts.length === 0) return outcome;

  const matches: MatchRow[] = [];
  const byQuery = new Map<CompiledQuery, Set<string>>();
  const channelOf = new Map<string, string>();
  for (const post of posts) {
    const view = postView(post);
    for (const q of queries) {
      if (!q.matches(view)) continue;
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
  for (const [q, conversationIds] of byQuery) {
    const ids = [...conversationIds].sort();
    const cause = { listeningQueryId: q.id, listeningQuery: q.name };
    if (q.actions.tag) {
      for (const added of await addTagsMany(
        tx,
        ids.map((conversationId) => ({ conversationId, tag: q.actions.tag! })),
      )) {
        touched.add(added.conversationId);
        outcome.audit.push({
          actor,
          action: 'conversation.tagged',
          subjectType: 'conversation',
          subjectId: added.conversationId,
          channelId: channelOf.get(added.conversationId) ?? null,
          after: { tags: [added.tag], ...cause },
        });
      }
    }
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
  for (const id of touched) effects.publish({ type: 'conversation', conversationId: id, channelId: channelOf.get(id)!, change: 'status' });
  return outcome;
}
