/**
 * Listening queries as a manager keeps them: create and edit (the query is parsed here, so a bad one is
 * refused with its reason and position and nothing is stored), deactivate and reactivate (a query is never
 * deleted: its matches stay countable), and backfill over the posts of the last N days.
 */
import { z } from 'zod';
import type { Db, Tx } from '../../db/client';
import { appendAudit, appendAuditBatch } from '../../db/repositories/audit.repo';
import {
  findListeningQuery,
  inboundPostsSince,
  insertListeningQuery,
  setListeningQueryActive,
  updateListeningQuery,
} from '../../db/repositories/listening.repo';
import { LocalizedBadRequest, NotFound } from '../../errors';
import type { MessageKey } from '../../i18n/messages';
import { translator, type Translate } from '../../i18n/translate';
import type { Actor } from '../audit/actor';
import { PRIORITIES, tagName } from '../conversations/tagConversation';
import { type Dispatcher, inTransaction } from '../effects';
import { parseInput } from '../parseInput';
import { applyListening } from './applyListening';
import { compileMatcher } from './queryMatcher';
import { MAX_QUERY_LENGTH, parseQuery, QuerySyntaxError } from './queryLanguage';

export const listeningQueryInput = z.object({
  name: z.string().trim().min(1, 'the name is empty').max(100),
  query: z.string().max(MAX_QUERY_LENGTH),
  actions: z
    .object({
      tag: tagName.optional(),
      topicId: z.uuid().optional(),
      priority: z.enum(PRIORITIES).optional(),
    })
    .strict()
    .default({}),
});

/** The parse error of a query as a 400 in the reader's language, with `position` (0-based) and `reason` for the API. */
export function queryRefusal(e: QuerySyntaxError): LocalizedBadRequest {
  const vars = { position: e.position + 1 };
  const text = (t: Translate) => t(('listening.error.' + e.reason) as MessageKey, vars);
  return new LocalizedBadRequest(text(translator('en')), text, { position: e.position, reason: e.reason });
}

export function checkQuery(query: string) {
  try {
    return parseQuery(query);
  } catch (e) {
    if (e instanceof QuerySyntaxError) throw queryRefusal(e);
    throw e;
  }
}

export async function createListeningQuery(tx: Tx, raw: z.input<typeof listeningQueryInput>, by: { actor: Actor; userId: string }) {
  const input = parseInput(listeningQueryInput, raw, 'listening query');
  checkQuery(input.query);
  const row = await insertListeningQuery(tx, { ...input, createdBy: by.userId });
  await appendAudit(tx, {
    actor: by.actor,
    action: 'listening_query.created',
    subjectType: 'listening_query',
    subjectId: row.id,
    after: { name: row.name, query: row.query, actions: row.actions },
  });
  return row;
}

export const listeningQueryEdit = listeningQueryInput.extend({ id: z.uuid() });

export async function editListeningQuery(tx: Tx, raw: z.input<typeof listeningQueryEdit>, by: { actor: Actor }) {
  const { id, ...input } = parseInput(listeningQueryEdit, raw, 'listening query');
  checkQuery(input.query);
  const current = await findListeningQuery(tx, id, { lock: true }); // two edits at once: each records what it really replaced
  if (!current) throw new NotFound('Listening query');
  const row = (await updateListeningQuery(tx, id, input))!;
  await appendAudit(tx, {
    actor: by.actor,
    action: 'listening_query.updated',
    subjectType: 'listening_query',
    subjectId: id,
    before: { name: current.name, query: current.query, actions: current.actions },
    after: { name: row.name, query: row.query, actions: row.actions },
  });
  return row;
}

export const listeningQueryActivity = z.object({ id: z.uuid(), active: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]) });

/** Stops (or resumes) a query on ingest; its matches stay. Asking for the state it already has changes nothing. */
export async function setListeningQueryActivity(tx: Tx, raw: z.input<typeof listeningQueryActivity>, by: { actor: Actor }) {
  const { id, active } = parseInput(listeningQueryActivity, raw, 'listening query');
  const current = await findListeningQuery(tx, id, { lock: true });
  if (!current) throw new NotFound('Listening query');
  const changed = await setListeningQueryActive(tx, id, active);
  if (Number(changed.numUpdatedRows) === 0) return { ...current, active };
  await appendAudit(tx, {
    actor: by.actor,
    action: active ? 'listening_query.reactivated' : 'listening_query.deactivated',
    subjectType: 'listening_query',
    subjectId: id,
    after: { name: current.name },
  });
  return { ...current, active };
}

export const backfillInput = z.object({ days: z.coerce.number().int().min(1).max(90) });
const BACKFILL_PAGE = 1000;

/**
 * Runs one query over the inbound posts of the last `days` days, a page per transaction (a post already
 * matched is not counted twice). Actions apply as on ingest. Returns how many posts were read and matched.
 */
export async function backfillListeningQuery(db: Db, dispatcher: Dispatcher, id: string, raw: z.input<typeof backfillInput>, actor: Actor, now = new Date()) {
  const { days } = parseInput(backfillInput, raw, 'backfill');
  const row = await findListeningQuery(db, id);
  if (!row) throw new NotFound('Listening query');
  const query = { id: row.id, name: row.name, actions: row.actions };
  const matcher = compileMatcher([{ query, tree: checkQuery(row.query) }]);
  const since = new Date(now.getTime() - days * 86_400_000);
  let after: { postedAt: Date; id: string } | null = null;
  let scanned = 0;
  let matched = 0;
  for (;;) {
    const page = await inboundPostsSince(db, since, after, BACKFILL_PAGE);
    if (page.length === 0) break;
    matched += await inTransaction(db, dispatcher, async (tx, effects) => {
      const outcome = await applyListening(
        tx,
        matcher,
        page.map((p) => ({ ...p, messageId: p.id })),
        actor,
      );
      for (const [conversationId, channelId] of outcome.changed) effects.publish({ type: 'conversation', conversationId, channelId, change: 'status' });
      await appendAuditBatch(tx, outcome.audit);
      return outcome.matched.get(query.id) ?? 0;
    });
    scanned += page.length;
    const last = page[page.length - 1]!;
    after = { postedAt: last.postedAt, id: last.id };
  }
  await appendAudit(db, { actor, action: 'listening_query.backfilled', subjectType: 'listening_query', subjectId: id, after: { days, scanned, matched } });
  return { days, scanned, matched };
}
