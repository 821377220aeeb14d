/**
 * A batch of posts sent in one request (the API channel's …/messages/batch): every post is read on its own
 * (a post that does not read is answered 400 in its result), the readable ones are ingested in one
 * transaction (ingestBatch), and a post the database refuses fails alone (commitIsolating) while the rest
 * are stored. Answers one result per post, in the order sent: 201 stored, 200 stored before (or earlier in
 * the batch), 400 refused with the reason. An error that is no post's fault (PostgreSQL unreachable) fails
 * the request: the sender sends the batch again and gets 200 for what was stored.
 */
import type { NormalizedInbound } from '../../../connectors/types';
import type { Db } from '../../db/client';
import { HttpError } from '../../errors';
import type { Actor } from '../audit/actor';
import { inTransaction, type Dispatcher } from '../effects';
import { commitIsolating } from '../isolatedCommit';
import { ingestBatch } from './ingestBatch';
import { refusal } from './ingestGroups';

export type PostResult =
  | { status: 201 | 200; messageId: string; conversationId: string; caseNumber: string }
  | { status: 400; error: string; fields?: Record<string, string> };

export type BatchAnswer = { created: number; existing: number; rejected: number; results: PostResult[] };

const rejected = (err: unknown): PostResult | null => {
  if (!(err instanceof HttpError) || err.status !== 400) return null;
  const fields = (err.details as { fields?: Record<string, string> } | undefined)?.fields;
  return { status: 400, error: err.message, ...(fields ? { fields } : {}) };
};

/** `read` turns one sent post into a NormalizedInbound or throws the 400 that says why it cannot. */
export async function ingestPostBatch(
  db: Db,
  dispatcher: Dispatcher,
  sent: unknown[],
  read: (raw: unknown) => NormalizedInbound,
  actor: Actor,
): Promise<BatchAnswer> {
  const results: PostResult[] = new Array(sent.length);
  const readable: { index: number; post: NormalizedInbound }[] = [];
  sent.forEach((raw, index) => {
    try {
      readable.push({ index, post: read(raw) });
    } catch (err) {
      results[index] = rejected(err) ?? raiseAgain(err);
    }
  });
  const outcomes = await commitIsolating(
    readable.map((r) => r.post),
    (posts) => inTransaction(db, dispatcher, (tx, effects) => ingestBatch(tx, effects, posts, actor)),
  );
  outcomes.forEach((o, i) => {
    const { index } = readable[i]!;
    if (o.ok) {
      const { created, ...ids } = o.value;
      results[index] = { status: created ? 201 : 200, ...ids };
    } else results[index] = rejected(refusal(o.error)) ?? raiseAgain(o.error);
  });
  const count = (status: number) => results.filter((r) => r.status === status).length;
  return { created: count(201), existing: count(200), rejected: count(400), results };
}

function raiseAgain(err: unknown): never {
  throw err;
}
