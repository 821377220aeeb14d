/**
 * A visitor asks to be called back (the widget's offline path, next to the e-mail form): the request becomes a
 * NEW case on the site's channel through the ingest pipeline (audit, listening, routing as for every post), of a
 * fresh identity per request like the offline form (offlineCase.ts: a number proves nothing about other cases).
 * Its post's clock is the callback's own service level (callbackDue.ts) instead of the channel's policy, and
 * the request row keeps the phone number and the window for the console.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Tx } from '../../db/client';
import type { ChatSite } from '../../db/repositories/chatSites.repo';
import { insertCallbackRequest, setCallbackClock } from '../../db/repositories/callbacks.repo';
import { appendAudit } from '../../db/repositories/audit.repo';
import type { Locale } from '../../db/schema';
import { BadRequest } from '../../errors';
import type { MessageKey } from '../../i18n/messages';
import { formatDateTime, translator } from '../../i18n/translate';
import { ingestInbound } from '../conversations/ingestInbound';
import type { Effects } from '../effects';
import { langOf, langSchema, requireConsent, visitorActor, visitorNameSchema } from '../webchat/visitorInput';
import { callbackDue, callbackWindow } from './callbackDue';
import { phoneSchema } from './phoneNumber';
import { siteCalendar } from './siteCalendar';

/** The warning share of a callback's clock (its site sets the minutes, not a policy). */
export const CALLBACK_WARN_AT_PERCENT = 80;

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time is HH:MM');
const callbackInput = z
  .object({
    phone: phoneSchema,
    name: visitorNameSchema,
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is YYYY-MM-DD'),
    from: clock,
    to: clock,
    consent: z.literal(true),
    lang: langSchema.optional(),
  })
  .strict();

/** The visitor's sentence for the first field that is wrong (the widget shows it at the form). */
const FIELD_MESSAGES: Record<string, MessageKey> = {
  phone: 'callback.error.phone',
  name: 'widget.error.nameRequired',
  date: 'callback.error.date',
  from: 'callback.error.time',
  to: 'callback.error.time',
};

function parseRequest(raw: unknown) {
  requireConsent(raw);
  const parsed = callbackInput.safeParse(raw);
  if (parsed.success) return parsed.data;
  const fields = Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.') || 'request', i.message]));
  const first = Object.keys(fields).find((f) => FIELD_MESSAGES[f]);
  const error = new BadRequest(
    `Invalid callback request: ${Object.entries(fields)
      .map(([f, p]) => `${f}: ${p}`)
      .join('; ')}`,
    { fields },
  );
  return first ? error.showing(FIELD_MESSAGES[first]!) : error;
}

const refuse = (field: string, message: string, key: MessageKey, vars?: Record<string, string>) =>
  new BadRequest(message, { fields: { [field]: message } }).showing(key, vars);

export async function requestCallback(
  tx: Tx,
  effects: Effects,
  site: ChatSite,
  raw: unknown,
  by: { ip: string | null; now: Date },
): Promise<{ caseNumber: string; dueAt: Date }> {
  const input = parseRequest(raw);
  if (input instanceof BadRequest) throw input;
  const lang: Locale = langOf(input.lang);
  const { cal, timeZone } = await siteCalendar(tx, site);

  const asked = callbackWindow(timeZone, input, by.now);
  if ('problem' in asked) {
    if (asked.problem === 'order') throw refuse('to', 'to: the window ends before it starts', 'callback.error.order');
    if (asked.problem === 'past') throw refuse('to', 'to: the window is over already', 'callback.error.past');
    throw refuse('date', 'date: not a date within the next 14 days', 'callback.error.date');
  }
  const due = callbackDue(cal, by.now, site.callbackMinutes, asked.window, CALLBACK_WARN_AT_PERCENT);
  if ('problem' in due) {
    if (due.problem === 'closed') throw refuse('from', 'from: the site is closed for the whole window', 'callback.error.closed');
    throw refuse('to', `to: the earliest callback is ${due.earliest.toISOString()}`, 'callback.error.tooEarly', {
      earliest: formatDateTime(lang, due.earliest, timeZone),
    });
  }

  const requestId = randomUUID();
  const t = translator(lang);
  const result = await ingestInbound(
    tx,
    effects,
    {
      channelId: site.channelId,
      externalId: `webchat-callback-${requestId}`,
      author: { externalId: `callback:${requestId}`, name: input.name },
      text: t('callback.requestText', {
        phone: input.phone,
        from: formatDateTime(lang, asked.window.start, timeZone),
        to: formatDateTime(lang, asked.window.end, timeZone),
      }),
      postedAt: by.now,
      language: lang,
      raw: { callbackForm: { phone: input.phone, date: input.date, from: input.from, to: input.to, timeZone } },
    },
    visitorActor(by.ip),
    by.now,
  );
  await setCallbackClock(tx, result.messageId, due);
  await insertCallbackRequest(tx, {
    conversationId: result.conversationId,
    siteId: site.id,
    messageId: result.messageId,
    phone: input.phone,
    name: input.name,
    windowStart: asked.window.start,
    windowEnd: asked.window.end,
    timeZone,
    language: lang,
    requestedAt: by.now,
    consentAt: by.now,
    dueAt: due.dueAt,
  });
  await appendAudit(tx, {
    actor: visitorActor(by.ip),
    action: 'conversation.callback_requested',
    channelId: site.channelId,
    subjectType: 'conversation',
    subjectId: result.conversationId,
    after: { windowStart: asked.window.start.toISOString(), windowEnd: asked.window.end.toISOString(), dueAt: due.dueAt.toISOString() },
  });
  return { caseNumber: result.caseNumber, dueAt: due.dueAt };
}
