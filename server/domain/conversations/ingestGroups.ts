/**
 * Group commit for posts that arrive one per request (the API channel's POST …/messages). Each post alone
 * would pay a whole transaction: its locks, about fifteen statements, a turn at the audit chain's lock
 * and a commit (fsync), then its SLA timers and live event one by one. Here the posts that arrive while
 * earlier groups are being committed wait (no timer: the busier it is, the larger the groups) and are
 * then ingested together by ingestBatch — one transaction, one audit append, one addBulk of timers.
 *
 * - A caller's promise settles only after the commit that holds its post: nothing is acknowledged that
 *   is not durable; if the commit fails, every post of the group gets the error (none is stored). It does
 *   not wait for the group's timers and live events to reach Redis (the reconciler re-adds timers a lost
 *   dispatch missed), and the next group starts meanwhile.
 * - A post the database refuses fails alone (commitIsolating retries the group in halves); its caller
 *   gets a 400 and its neighbours are stored.
 * - Posts are grouped with the posts of the same actor (channel and sender address), so each audit
 *   event keeps its own actor; several groups commit at once (CONCURRENT_GROUPS).
 * - A post repeated across or inside groups is stored once (ingestBatch's dedupe) and answered
 *   `created: false`, as before.
 * - A post sent with an ingest token (`credential`) is grouped with the posts of the same token, and the
 *   group's transaction checks the token first (one statement for the group, channels/api/ingestAccess.ts):
 *   a token rotated away stores nothing and answers 401.
 */
import type { NormalizedInbound } from '../../../connectors/types';
import type { Db } from '../../db/client';
import { BadRequest } from '../../errors';
import type { Actor } from '../audit/actor';
import { assertIngestToken, type IngestCredential } from '../channels/api/ingestAccess';
import { commitThenDispatch, type Dispatcher } from '../effects';
import { commitIsolating, isRefusedData } from '../isolatedCommit';
import { INGEST_BATCH_SIZE, ingestBatch, type IngestResult } from './ingestBatch';

/** Groups in flight at once: one fills its transaction while another holds the audit chain's lock to commit. */
const CONCURRENT_GROUPS = 2;
/** Committed groups whose timers and live events may still be on their way to Redis before new groups wait. */
const DISPATCHING_GROUPS = 4;

export type IngestGroups = { ingest(post: NormalizedInbound, actor: Actor, credential?: IngestCredential): Promise<IngestResult> };

type Waiting = {
  post: NormalizedInbound;
  actor: Actor;
  credential: IngestCredential | undefined;
  key: string;
  resolve(r: IngestResult): void;
  reject(err: unknown): void;
};

export function createIngestGroups(db: Db, dispatcher: Dispatcher): IngestGroups {
  let waiting: Waiting[] = [];
  let running = 0;
  let dispatching = 0;
  let scheduled = false;

  // Requests parsed in the same turn of the event loop join the same group.
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(startGroups);
  };

  function startGroups() {
    scheduled = false;
    while (running < CONCURRENT_GROUPS && dispatching < DISPATCHING_GROUPS && waiting.length > 0) {
      const key = waiting[0]!.key;
      const group: Waiting[] = [];
      const rest: Waiting[] = [];
      for (const w of waiting) (w.key === key && group.length < INGEST_BATCH_SIZE ? group : rest).push(w);
      waiting = rest;
      running += 1;
      dispatching += 1;
      void commitGroup(group, () => {
        running -= 1;
        schedule();
      }).finally(() => {
        dispatching -= 1;
        schedule();
      });
    }
  }

  /** Commits the group, answers its callers, calls `committed`, and settles once its effects are dispatched. */
  async function commitGroup(group: Waiting[], committed: () => void) {
    const { actor, credential } = group[0]!;
    const dispatches: Promise<void>[] = [];
    try {
      const outcomes = await commitIsolating(
        group.map((w) => w.post),
        async (posts) => {
          const { result, dispatched } = await commitThenDispatch(db, dispatcher, async (tx, effects) => {
            if (credential) await assertIngestToken(tx, credential);
            return ingestBatch(tx, effects, posts, actor);
          });
          dispatches.push(dispatched);
          return result;
        },
      );
      for (const [i, o] of outcomes.entries()) {
        if (o.ok) group[i]!.resolve(o.value);
        else group[i]!.reject(refusal(o.error));
      }
    } catch (err) {
      for (const w of group) w.reject(err);
    } finally {
      committed();
    }
    await Promise.all(dispatches);
  }

  return {
    ingest(post, actor, credential) {
      return new Promise<IngestResult>((resolve, reject) => {
        const key = JSON.stringify([actor.type, actor.id, actor.label, actor.ip ?? null, credential?.tokenHash ?? null]);
        waiting.push({ post, actor, credential, key, resolve, reject });
        schedule();
      });
    },
  };
}

/** A post PostgreSQL refuses (its data, not the server's state) is the sender's problem: a 400 naming why. */
export function refusal(err: unknown): unknown {
  return isRefusedData(err) ? new BadRequest(`This post cannot be stored: ${(err as Error).message}`) : err;
}
