/**
 * The website chat: a reply is "sent" at once — it is stored, and the visitor's event stream
 * (GET /widget/v1/conversations/:id/events) delivers it from there. Nothing is polled or pushed to us; the
 * visitor's messages arrive through the widget API. A case from the widget's offline form has an e-mail
 * address, not a browser, at the other end: a reply on the channel cannot reach it, so it is refused with the
 * address to write to (domain/webchat/offlineCase.ts).
 */
import { offlineAddressOf } from '../../server/domain/webchat/visitorInput';
import { Permanent, type Connector } from '../types';

export const webchatConnector: Connector = {
  kind: 'webchat',
  // a repeated "send" stores nothing twice and the stream sends each message once
  idempotentResend: true,
  limits: () => ({ maxTextLength: 2000 }),
  capabilities: { trackedSearches: false, credentials: null, templates: null, accountFacts: () => [], moderation: [], privateReplies: false },
  async testConnection() {
    return 'The website chat needs no connection: visitors reach it through the widget';
  },
  async sendReply(_channel, reply) {
    const address = offlineAddressOf(reply.recipientExternalId);
    if (address !== null) throw new Permanent(`This case came from the offline form: answer by e-mail to ${address}`);
    return { externalId: null, url: null };
  },
};
