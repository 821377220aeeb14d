/**
 * Group commit (domain/groupCommit.ts) for posts that arrive one per request (the API channel's POST …/messages). Each post alone
 * would pay a whole transaction: its locks, about fifteen statements, a turn at the audit chain's lock
 * and a commit (fsync), then its live event. Here the posts that arrive while earlier groups are being
 * committed wait (no timer: the busier it is, the larger the groups) and are then ingested together by
 * ingestBatch — one transaction, one audit append, one live event per conversation.
 *
 * - A caller's promise settles only after the commit that holds its post: nothing is acknowledged that
 *   is not durable; if the commit fails, every post of the group gets the error (none is stored). It does
 *   not wait for the group's live events to reach Redis.
 * - A post the database refuses fails alone (commitIsolating retries the group in halves); its caller
 *   gets a 400 and its neighbours are stored.
 * - Posts are grouped with the posts of the same actor (channel and sender address), so each audit
 *   event keeps its own actor; several groups commit at once (CONCURRENT_GROUPS).
 * - A post sent with an ingest token (`credential`) is grouped with the posts of the same token, and the
 *   group's transaction checks the token first (one statement for the group, channels/api/ingestAccess.ts):
 *   a token rotated away stores nothing and answers 401.
 * - A post repeated across or inside groups is stored once (ingestBatch's dedupe) and answered
 *   `created: false`, as before.
 */
import type { NormalizedInbound } from '../../../connectors/types';
import type { Db } from '../../db/client';
import { BadRequest } from '../../errors';
import type { Actor } from '../audit/actor';
import { assertIngestToken, type IngestCredential } from '../channels/api/ingestAccess';
import { commitThenDispatch, type Dispatcher } from '../effects';
import { createGroupCommit } from '../groupCommit';
import { commitIsolating, isRefusedData } from '../isolatedCommit';
import { INGEST_BATCH_SIZE, ingestBatch, type IngestResult } from './ingestBatch';

/** Groups in flight at once: one fills its transaction while another holds the audit chain's lock to commit. */
const CONCURRENT_GROUPS = 2;

export type IngestGroups = { ingest(post: NormalizedInbound, actor: Actor, credential?: IngestCredential): Promise<IngestResult> };

type Submitted = { post: NormalizedInbound; actor: Actor; credential: IngestCredential | undefined };

export function createIngestGroups(db: Db, dispatcher: Dispatcher): IngestGroups {
  const submit = createGroupCommit<Submitted, IngestResult>({
    maxSize: INGEST_BATCH_SIZE,
    concurrent: CONCURRENT_GROUPS,
    keyOf: ({ actor, credential }) => JSON.stringify([actor.type, actor.id, actor.label, actor.ip ?? null, credential?.tokenHash ?? null]),
    async commit(items, after) {
      const { actor, credential } = items[0]!;
      const outcomes = await commitIsolating(
        items.map((w) => w.post),
        async (posts) => {
          const { result, dispatched } = await commitThenDispatch(db, dispatcher, async (tx, effects) => {
            if (credential) await assertIngestToken(tx, credential);
            return ingestBatch(tx, effects, posts, actor);
          });
          after(dispatched);
          return result;
        },
      );
      return outcomes.map((o) => (o.ok ? o : { ok: false, error: refusal(o.error) }));
    },
  });
  return { ingest: (post, actor, credential) => submit({ post, actor, credential }) };
}

/** A post PostgreSQL refuses (its data, not the server's state) is the sender's problem: a 400 naming why. */
export function refusal(err: unknown): unknown {
  return isRefusedData(err) ? new BadRequest(`This post cannot be stored: ${(err as Error).message}`) : err;
}
