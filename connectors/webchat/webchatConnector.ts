/**
 * The website chat: a reply is "sent" at once — it is stored, and the visitor's event stream
 * (GET /widget/v1/conversations/:id/events) delivers it from there. Nothing is polled or pushed to us; the
 * visitor's messages arrive through the widget API. A case from the widget's offline form has an e-mail
 * address, not a browser, at the other end (domain/webchat/offlineCase.ts): its replies go there by e-mail,
 * through the console's SMTP settings (context.consoleMail), threaded by Message-ID. Such a mail cannot be taken
 * back, so a send that may have happened is not repeated on its own (idempotentResend says no for it).
 */
import { offlineReplySubject } from '../../server/domain/webchat/offlineReplyMail';
import { offlineAddressOf, offlineFormAddress } from '../../server/domain/webchat/visitorInput';
import { smtpError } from '../email/emailConnector';
import { ConnectorError, PLAIN_CAPABILITIES, type Connector } from '../types';

export const webchatConnector: Connector = {
  kind: 'webchat',
  // a repeated "send" to a live visitor stores nothing twice and the stream sends each message once; a mail would arrive twice
  idempotentResend: (reply) => offlineAddressOf(reply.recipientExternalId) === null,
  limits: () => ({ maxTextLength: 2000 }),
  capabilities: PLAIN_CAPABILITIES,
  async testConnection() {
    return 'The website chat needs no connection: visitors reach it through the widget';
  },
  async sendReply(channel, reply, context) {
    // the submission this conversation answers (not the contact's identity: a merged contact has several)
    const address = offlineFormAddress(reply.inReplyToRaw);
    if (address === null) return { externalId: null, url: null };
    const earlier = reply.earlierReplyIds ?? [];
    try {
      const { messageId } = await context.consoleMail({
        to: address,
        // a chat site's channel carries the site's name
        fromName: channel.name,
        subject: offlineReplySubject(reply.language, reply.caseNumber, channel.name),
        text: reply.text,
        messageIdLocalPart: `reply-${reply.messageId}`,
        inReplyTo: earlier.at(-1) ?? null,
        references: earlier,
      });
      return { externalId: messageId, url: null };
    } catch (err) {
      throw err instanceof ConnectorError ? err : smtpError(err);
    }
  },
};
