/** A callback case on the conversation page: the number to call, the visitor's window and due time (in the case's time zone), the attempts. */
import type { CallbackRequest, listCallbackAttempts } from '../db/repositories/callbacks.repo';
import type { Locale } from '../db/schema';
import { formatDateTime, translator } from '../i18n/translate';
import { CALLBACK_OUTCOMES, OUTCOME_KEY } from '../domain/callbacks/outcomes';

type Attempt = Awaited<ReturnType<typeof listCallbackAttempts>>[number];

export function presentCallback(request: CallbackRequest, attempts: Attempt[], locale: Locale, conversationStatus: string) {
  const t = translator(locale);
  const at = (d: Date) => formatDateTime(locale, d, request.timeZone);
  return {
    phone: request.phone,
    name: request.name,
    window: t('callback.windowValue', { from: at(request.windowStart), to: at(request.windowEnd) }),
    timeZone: request.timeZone,
    due: request.dueAt ? at(request.dueAt) : null,
    outcomes: CALLBACK_OUTCOMES.map((value) => ({ value, text: t(OUTCOME_KEY[value]) })),
    settled: request.respondedAt !== null || conversationStatus === 'closed',
    attempts: attempts.map((a) => ({
      id: a.id,
      at: at(a.at),
      outcome: a.outcome,
      outcomeText: t(OUTCOME_KEY[a.outcome]),
      userName: a.userName,
      note: a.note,
      nextDue: a.nextDueAt ? at(a.nextDueAt) : null,
    })),
  };
}
