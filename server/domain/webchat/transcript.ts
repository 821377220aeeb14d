/**
 * The chat's transcript by e-mail, on the visitor's request, through the console's SMTP settings (the ones alert
 * e-mails use): plain text, in the chat's language. The request is audited (to whom); the mail goes out after
 * the answer, and a failed send is logged.
 */
import { z } from 'zod';
import type { SecretBox } from '../../crypto/secretBox';
import type { Db, Tx } from '../../db/client';
import { findAlertSettings } from '../../db/repositories/alerts.repo';
import { appendAudit } from '../../db/repositories/audit.repo';
import { visitorMessages, type ChatSession } from '../../db/repositories/chatSessions.repo';
import { formatDateTime, translator } from '../../i18n/translate';
import { sendConsoleMail, type Mail } from '../alerts/alertMail';
import { parseInput } from '../parseInput';
import { visitorActor, visitorEmailSchema } from './visitorInput';

const transcriptInput = z.object({ email: visitorEmailSchema }).strict();

/** Reads and audits the request; returns the address to send to. */
export async function requestTranscript(tx: Tx, session: ChatSession, raw: unknown, by: { ip: string | null }): Promise<string> {
  const { email } = parseInput(transcriptInput, raw, 'transcript request');
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
