/**
 * Replies by e-mail through the console's own SMTP settings (Settings → Alerts, the ones alert and report mail
 * use), for customers a channel answers by e-mail although it is no mailbox (the website chat's offline form):
 * what a connector's sendReply gets as context.consoleMail. Every header value is one bounded line here — no
 * customer or manager text can add a header — and the Message-ID is "<local part>@<domain of MAIL FROM>", the
 * same on every attempt. Without SMTP settings the send fails for good, with a reason the console translates.
 */
import { z } from 'zod';
import { Permanent, type ConsoleMail, type ConsoleMailer } from '../../../connectors/types';
import type { SecretBox } from '../../crypto/secretBox';
import type { DbOrTx } from '../../db/client';
import { findAlertSettings } from '../../db/repositories/alerts.repo';
import { sendConsoleMail } from '../alerts/alertMail';

export const NO_CONSOLE_SMTP =
  'No SMTP server is set up for the console (Settings → Alerts): replies to offline messages go out by e-mail through it. Set it up, then write the reply again.';

const MESSAGE_ID = /^<[^<>\s@]{1,200}@[^<>\s@]{1,255}>$/;
const LOCAL_PART = /^[A-Za-z0-9._-]{1,100}$/;

/** One line: control characters (CR, LF, tab …) become spaces, runs of spaces one, at most `max` characters. */
export function headerLine(value: string, max: number): string {
  const line = Array.from(
    value
      .replace(/\p{Cc}+/gu, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );
  return line.length > max ? `${line.slice(0, max - 1).join('')}…` : line.join('');
}

/** The mail as it goes out: checked recipient and ids, one-line display name and subject; throws Permanent for what cannot be sent. */
export function checkedMail(mail: ConsoleMail, mailFrom: string) {
  if (!z.email().safeParse(mail.to).success) throw new Permanent('The customer left no usable e-mail address');
  if (!LOCAL_PART.test(mail.messageIdLocalPart)) throw new Permanent('Not a Message-ID local part');
  // Only well-formed ids thread the mail; anything else is left out rather than written into a header.
  const inReplyTo = mail.inReplyTo && MESSAGE_ID.test(mail.inReplyTo) ? mail.inReplyTo : null;
  const references = mail.references.filter((id) => MESSAGE_ID.test(id));
  return {
    to: mail.to,
    fromName: headerLine(mail.fromName, 100),
    subject: headerLine(mail.subject, 200),
    text: mail.text,
    messageId: `<${mail.messageIdLocalPart}@${mailFrom.split('@')[1]}>`,
    inReplyTo,
    references,
  };
}

export function consoleMailer(db: DbOrTx, secretBox: SecretBox): ConsoleMailer {
  return async (mail) => {
    const settings = await findAlertSettings(db);
    if (!settings?.smtpHost || !settings.smtpPort || !settings.mailFrom) throw new Permanent(NO_CONSOLE_SMTP).explained('delivery.error.noConsoleSmtp');
    const checked = checkedMail(mail, settings.mailFrom);
    await sendConsoleMail(secretBox, settings, checked);
    return { messageId: checked.messageId };
  };
}
