/** What a call to a callback's number can end in, and how each outcome reads (console, thread note, audit sentence). */
import type { CallbackOutcome } from '../../db/schema';
import type { MessageKey } from '../../i18n/messages';

export const CALLBACK_OUTCOMES = ['reached', 'not_reached', 'wrong_number'] as const satisfies readonly CallbackOutcome[];

export const OUTCOME_KEY: Record<CallbackOutcome, MessageKey> = {
  reached: 'callback.outcome.reached',
  not_reached: 'callback.outcome.not_reached',
  wrong_number: 'callback.outcome.wrong_number',
};
