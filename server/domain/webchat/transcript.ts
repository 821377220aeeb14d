/**
 * The chat's transcript by e-mail, on the visitor's request, through the console's SMTP settings (the ones alert
 * e-mails use): plain text, in the chat's language. The request is audited (to whom); the mail goes out after
 * the answer, and a failed send is logged. Not a mail relay: when the visitor gave an address before the chat,
 * the transcript goes only there (else to the address asked for); one request per chat every
 * TRANSCRIPT_EVERY_SECONDS (the widget route, Redis) and at most TRANSCRIPTS_PER_CHAT in all (counted from the audit).
 */
import { z } from 'zod';
import type { SecretBox } from '../../crypto/secretBox';
import type { Db, Tx } from '../../db/client';
import { findAlertSettings } from '../../db/repositories/alerts.repo';
import { appendAudit, countSubjectEvents } from '../../db/repositories/audit.repo';
import { visitorMessages, type ChatSession } from '../../db/repositories/chatSessions.repo';
import { BadRequest, HttpError } from '../../errors';
import { formatDateTime, translator } from '../../i18n/translate';
import { sendConsoleMail, type Mail } from '../alerts/alertMail';
import { parseInput } from '../parseInput';
import { visitorActor, visitorEmailSchema } from './visitorInput';

const transcriptInput = z.object({ email: visitorEmailSchema.optional() }).strict();

export const TRANSCRIPT_EVERY_SECONDS = 600;
export const TRANSCRIPTS_PER_CHAT = 3;

/** Reads, checks and audits the request; returns the address to send to (the pre-chat address when there is one). */
export async function requestTranscript(tx: Tx, session: ChatSession, raw: unknown, by: { ip: string | null }): Promise<string> {
  const input = parseInput(transcriptInput, raw, 'transcript request');
  const email = session.prechatEmail ?? input.email;
  if (!email) throw new BadRequest('email: required', { fields: { email: 'required' } }).showing('widget.error.emailRequired');
  if ((await countSubjectEvents(tx, session.conversationId, 'conversation.transcript_mailed')) >= TRANSCRIPTS_PER_CHAT) {
    throw new HttpError(429, `At most ${TRANSCRIPTS_PER_CHAT} transcripts per chat`).showing('widget.error.transcriptsUsed', { max: TRANSCRIPTS_PER_CHAT });
  }
  await appendAudit(tx, {
    actor: visitorActor(by.ip),
    action: 'conversation.transcript_mailed',
    subjectType: 'conversation',
    subjectId: session.conversationId,
    channelId: session.channelId,
    after: { to: email },
  });
  return email;
}

export async function transcriptMail(db: Db, session: ChatSession, to: string): Promise<Mail> {
  const t = translator(session.language);
  const lines = (await visitorMessages(db, session.conversationId)).map(
    (m) => `[${formatDateTime(session.language, m.at)}] ${m.from === 'visitor' ? t('widget.transcript.you') : m.authorName}: ${m.text}`,
  );
  return {
    to,
    subject: t('widget.transcript.subject', { case: session.caseNumber }),
    text: `${t('widget.transcript.intro', { case: session.caseNumber })}\n\n${lines.join('\n\n')}\n`,
  };
}

export async function sendTranscript(db: Db, secretBox: SecretBox, session: ChatSession, to: string): Promise<void> {
  await sendConsoleMail(secretBox, await findAlertSettings(db), await transcriptMail(db, session, to));
}
