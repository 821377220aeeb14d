/**
 * The one interface every channel implements, and the error kinds that let jobs decide between
 * retrying and giving up without knowing which channel they serve.
 */
import type { Channel } from '../server/db/schema';

export type ChannelLimits = { maxTextLength: number };

export type OutboundReply = {
  messageId: string;
  conversationId: string;
  caseNumber: string;
  text: string;
  inReplyToExternalId: string | null;
};

export type SentReceipt = { externalId: string | null; url: string | null };

export type ChannelForSend = Channel & { credentials: Record<string, string> };

export interface Connector {
  readonly kind: Channel['kind'];
  limits(channel: Channel): ChannelLimits;
  sendReply(channel: ChannelForSend, reply: OutboundReply): Promise<SentReceipt>;
}

export class ConnectorError extends Error {
  constructor(message: string, readonly retryable: boolean) {
    super(message);
    this.name = new.target.name;
  }
}
/** The remote side asks us to wait until retryAt. */
export class RateLimited extends ConnectorError {
  constructor(message: string, readonly retryAt: Date) { super(message, true); }
}
/** Credentials were refused; retrying will not help until someone fixes them. */
export class AuthFailed extends ConnectorError {
  constructor(message: string) { super(message, false); }
}
/** Network trouble, timeouts, 5xx: worth another try. */
export class Transient extends ConnectorError {
  constructor(message: string) { super(message, true); }
}
/** The remote side rejected this item for good (4xx). */
export class Permanent extends ConnectorError {
  constructor(message: string) { super(message, false); }
}
