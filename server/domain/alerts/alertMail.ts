/**
 * E-mail through the console's SMTP settings (alert e-mails, scheduled reports, the settings page's test
 * e-mail): one transport per send, to the address the outbound-target guard checked (TLS still verifies
 * the host name), the password opened only here. A failed send is told in words by smtpProblem().
 */
import type { SecretBox } from '../../crypto/secretBox';
import type { DbOrTx } from '../../db/client';
import { findAlertSettings } from '../../db/repositories/alerts.repo';
import type { Translate } from '../../i18n/translate';
import { nodemailer } from '../../mail/nodemailer';
import { OutboundTargetRefused, outbound } from '../../net/outboundTarget';

/** `fromName` and the threading headers are for replies to customers (domain/replies/consoleMailer.ts); alert mail leaves them out. */
export type Mail = {
  to: string;
  subject: string;
  text: string;
  fromName?: string;
  messageId?: string;
  inReplyTo?: string | null;
  references?: string[];
};
export type SmtpSettings = Awaited<ReturnType<typeof findAlertSettings>>;

export class NoSmtpServer extends Error {
  constructor() {
    super('no SMTP server is set up for alerts');
  }
}

export async function sendConsoleMail(secretBox: SecretBox, s: SmtpSettings, mail: Mail): Promise<void> {
  if (!s?.smtpHost || !s.smtpPort || !s.mailFrom) throw new NoSmtpServer();
  const target = await outbound().resolve(s.smtpHost);
  const transport = nodemailer().createTransport({
    host: target.address,
    ...(target.servername ? { servername: target.servername } : {}),
    port: s.smtpPort,
    secure: s.smtpSecure,
    ...(s.smtpUser ? { auth: { user: s.smtpUser, pass: s.smtpPasswordEnc ? secretBox.open(s.smtpPasswordEnc) : '' } } : {}),
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
  });
  try {
    await transport.sendMail({
      from: mail.fromName ? { name: mail.fromName, address: s.mailFrom } : s.mailFrom,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      ...(mail.messageId ? { messageId: mail.messageId } : {}),
      ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}),
      ...(mail.references?.length ? { references: mail.references } : {}),
    });
  } finally {
    transport.close();
  }
}

/** The settings page's "send a test e-mail": sent, or why not, in the reader's words. */
export async function sendTestMail(
  db: DbOrTx,
  secretBox: SecretBox,
  t: Translate,
  to: string,
): Promise<{ sent: true; to: string } | { sent: false; error: string }> {
  const settings = await findAlertSettings(db);
  try {
    await sendConsoleMail(secretBox, settings, { to, subject: t('alertSettings.testMail.subject'), text: t('alertSettings.testMail.body') });
    return { sent: true, to };
  } catch (err) {
    return { sent: false, error: smtpProblem(t, err, settings) };
  }
}

/** Why a send failed, as a sentence: not set up, a refused target, the name, the connection, TLS, the login, or the server's answer. */
export function smtpProblem(t: Translate, err: unknown, s: SmtpSettings): string {
  const host = s?.smtpHost ?? '';
  const port = s?.smtpPort ?? '';
  if (err instanceof NoSmtpServer) return t('alertSettings.problem.notSetUp');
  if (err instanceof OutboundTargetRefused) return t('alertSettings.problem.refusedTarget', { host });
  const e = err as { code?: string; responseCode?: number; response?: string; message?: string };
  if (e.code === 'EAUTH' || e.responseCode === 535) return t('alertSettings.problem.login');
  // nodemailer wraps socket errors (code ESOCKET), naming the system's code in the message
  const said = `${e.code ?? ''} ${e.message ?? ''}`;
  if (/ENOTFOUND|EAI_AGAIN/.test(said)) return t('alertSettings.problem.unknownHost', { host });
  if (/ECONNREFUSED/.test(said)) return t('alertSettings.problem.connectionRefused', { host, port });
  if (e.code === 'ETIMEDOUT' || /timeout/i.test(e.message ?? '')) return t('alertSettings.problem.timeout', { host, port });
  if (/TLS|SSL|certificate|wrong version number/i.test(e.message ?? '')) return t('alertSettings.problem.tls');
  if (e.responseCode) return t('alertSettings.problem.refusedMail', { answer: `${e.responseCode} ${(e.response ?? '').slice(0, 200)}`.trim() });
  return t('alertSettings.problem.other', { message: (e.message ?? String(err)).slice(0, 200) });
}
