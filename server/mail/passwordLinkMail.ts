/**
 * The console's own mail: an invitation or password-reset link to the person it is for, in their language,
 * through SMTP_URL. The mail carries the link, never a password. Without SMTP_URL nothing is sent and the
 * admin passes on the link shown on the page.
 */
import type { Config } from '../config';
import type { Locale, PasswordLinkPurpose } from '../db/schema';
import { formatDateTime, translator } from '../i18n/translate';
import { nodemailer } from './nodemailer';

export type PasswordLinkMail = { to: string; name: string; locale: Locale; purpose: PasswordLinkPurpose; url: string; expiresAt: Date };

/** Sends the mail; null when no mail server is configured. */
export function passwordLinkMailer(config: Config): ((mail: PasswordLinkMail) => Promise<void>) | null {
  const settings = config.systemMail;
  if (!settings) return null;
  return async (mail) => {
    const t = translator(mail.locale);
    const transport = nodemailer().createTransport({ url: settings.smtpUrl, connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 30_000 });
    try {
      await transport.sendMail({
        from: settings.from,
        to: { name: mail.name, address: mail.to },
        subject: t(mail.purpose === 'invitation' ? 'users.mail.inviteSubject' : 'users.mail.resetSubject'),
        text: t(mail.purpose === 'invitation' ? 'users.mail.inviteBody' : 'users.mail.resetBody', {
          name: mail.name,
          url: mail.url,
          until: formatDateTime(mail.locale, mail.expiresAt),
        }),
      });
    } finally {
      transport.close();
    }
  };
}
