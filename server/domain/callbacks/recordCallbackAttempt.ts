/**
 * An agent records how a call to a callback's number went; each attempt is a row, a note in the thread and an
 * audit event, in one transaction:
 * - reached: the call answers the request like a reply — the callback's clock stops (met or breached against its
 *   due time) and the case becomes `answered`, so the agent can close it;
 * - not reached: the case stays open; the agent may set a new due time (in the case's time zone, within the
 *   next 14 days), towards which the clock runs again (a breach already recorded stays); an unassigned case then
 *   waits outside the queues until that time draws near (callbackOpening.ts), an assigned one stays with its agent;
 * - wrong number: the team did call, so the clock stops as for a reached call, and the case closes.
 * After a reached call or a wrong number (or once the case is closed) no further attempt is taken.
 */
import { z } from 'zod';
import type { Tx } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import { findCallbackRequest, insertCallbackAttempt, moveCallbackDue } from '../../db/repositories/callbacks.repo';
import { lockConversation } from '../../db/repositories/conversations.repo';
import { insertMessage } from '../../db/repositories/messages.repo';
import { refreshConversationDue } from '../../db/repositories/sla.repo';
import type { Locale, Role } from '../../db/schema';
import { BadRequest, Conflict, Forbidden, NotFound } from '../../errors';
import { translator } from '../../i18n/translate';
import type { Actor } from '../audit/actor';
import { changeStatus } from '../conversations/changeStatus';
import { mayWorkConversations } from '../conversations/transitionPolicy';
import type { Effects } from '../effects';
import { parseInput } from '../parseInput';
import { stopSlaClocks } from '../sla/clock';
import { parseZonedLocal } from '../time/zonedTime';
import { CALLBACK_DAYS } from './callbackDue';
import { CALLBACK_OUTCOMES, OUTCOME_KEY } from './outcomes';

export const attemptInput = z.object({
  conversationId: z.uuid(),
  outcome: z.enum(CALLBACK_OUTCOMES),
  note: z.string().trim().max(500).nullish(),
  /** the new due time after a missed call, a datetime-local value (YYYY-MM-DDTHH:MM) in the case's time zone */
  nextDueAt: z.string().max(16).nullish(),
});

export async function recordCallbackAttempt(
  tx: Tx,
  effects: Effects,
  raw: z.input<typeof attemptInput>,
  by: { actor: Actor; role: Role; user: { id: string; name: string; locale: Locale }; now?: Date },
): Promise<{ attemptId: string }> {
  const input = parseInput(attemptInput, raw, 'call attempt');
  if (!mayWorkConversations(by.role)) throw new Forbidden('Your role may not record calls');
  const c = await lockConversation(tx, input.conversationId);
  const request = c && (await findCallbackRequest(tx, c.id));
  if (!c || !request) throw new NotFound('Callback');
  if (c.status === 'closed' || request.respondedAt) throw new Conflict('This callback is settled: no further call attempts').showing('callback.error.settled');
  const now = by.now ?? new Date();
  const nextDueAt = dueAfterMiss(input, request.timeZone, now);

  const t = translator(by.user.locale);
  const noteText = [t('callback.attemptNote', { outcome: t(OUTCOME_KEY[input.outcome]) }), input.note].filter(Boolean).join(' — ');
  const note = await insertMessage(tx, {
    conversationId: c.id,
    channelId: c.channelId,
    direction: 'note',
    externalId: null,
    inReplyToExternalId: null,
    authorName: by.user.name,
    authorHandle: null,
    authorUserId: by.user.id,
    text: noteText,
    url: null,
    postedAt: now,
    raw: null,
    deliveryState: null,
    deliveryError: null,
    deliveredAt: null,
  });
  const attemptId = await insertCallbackAttempt(tx, {
    conversationId: c.id,
    outcome: input.outcome,
    userId: by.user.id,
    at: now,
    note: input.note || null,
    nextDueAt,
  });
  await appendAudit(tx, {
    actor: by.actor,
    action: 'conversation.callback_attempt',
    subjectType: 'conversation',
    subjectId: c.id,
    channelId: c.channelId,
    after: { attemptId, outcome: input.outcome, messageId: note.id, ...(nextDueAt ? { nextDueAt: nextDueAt.toISOString() } : {}) },
  });

  if (input.outcome === 'not_reached') {
    if (nextDueAt) {
      await moveCallbackDue(tx, request.messageId, nextDueAt);
      await refreshConversationDue(tx, c.id);
    }
  } else {
    await stopSlaClocks(tx, { conversationId: c.id, channelId: c.channelId, replyMessageId: note.id, respondedAt: now, assigneeId: c.assigneeId }, by.actor);
    const to = input.outcome === 'reached' ? 'answered' : 'closed';
    if (c.status !== to)
      await changeStatus(tx, effects, { conversationId: c.id, status: to, ...(to === 'closed' ? { reason: t(OUTCOME_KEY.wrong_number) } : {}) }, by);
  }
  effects.publish({ type: 'conversation', conversationId: c.id, channelId: c.channelId, change: 'message' });
  return { attemptId };
}

/** A missed call's new due time: a local time of the case's zone, in the future and within CALLBACK_DAYS days. */
function dueAfterMiss(input: z.output<typeof attemptInput>, timeZone: string, now: Date): Date | null {
  if (!input.nextDueAt) return null;
  const problem = (msg: string) => new BadRequest(`nextDueAt: ${msg}`, { fields: { nextDueAt: msg } }).showing('callback.error.nextDue');
  if (input.outcome !== 'not_reached') throw problem('only a missed call sets a new due time');
  const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(input.nextDueAt) ? parseZonedLocal(input.nextDueAt, timeZone) : null;
  if (!at) throw problem('not a date and time');
  if (at <= now || at.getTime() > now.getTime() + CALLBACK_DAYS * 86_400_000) throw problem(`must be within the next ${CALLBACK_DAYS} days`);
  return at;
}
