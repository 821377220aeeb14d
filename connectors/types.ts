/**
 * The one interface every channel implements, and the error kinds that let jobs decide between
 * retrying and giving up without knowing which channel they serve.
 */
import type { Channel } from '../server/db/schema';
import type { NormalizedInbound } from '../server/domain/conversations/ingestInbound';

export type ChannelLimits = {
  maxTextLength: number;
  /** Free-form replies only this many hours after the customer's last message (WhatsApp: 24); templates are exempt. */
  freeTextWindowHours?: number;
};

export type OutboundReply = {
  messageId: string;
  conversationId: string;
  caseNumber: string;
  text: string;
  inReplyToExternalId: string | null;
  /** The customer's identity on the channel (a WhatsApp number, an e-mail address), when the channel needs it. */
  recipientExternalId?: string | null;
  /** The stored raw payload of the message replied to (e-mail: its subject and References). */
  inReplyToRaw?: unknown;
  /** An approved message template to send instead of free text (WhatsApp outside the 24-hour window). */
  template?: { name: string; language: string } | null;
};

export type SentReceipt = { externalId: string | null; url: string | null };

export type ChannelForSend = Channel & { credentials: Record<string, string> };

export interface Connector {
  readonly kind: Channel['kind'];
  limits(channel: Channel): ChannelLimits;
  sendReply(channel: ChannelForSend, reply: OutboundReply): Promise<SentReceipt>;
  /** Poll side: new items since the stored cursor. Connectors that are pushed to (webhooks) leave it out. */
  fetchSince?(channel: ChannelForPoll, cursor: PollCursor): Promise<FetchResult>;
  sendDirectMessage?(channel: ChannelForSend, message: OutboundDirectMessage): Promise<SentReceipt>;
}

/** A tracked search of a channel, with where it continues. */
export type PollTopic = { id: string; query: string };

export type ChannelForPoll = ChannelForSend & { topics: PollTopic[] };

/**
 * Where polling continues: the channel's own stream (e.g. X mentions) and one position per tracked
 * search. Opaque to the poll job; stored only after the fetched items are committed.
 */
export type PollCursor = {
  channel: string | null;
  topics: Record<string, string | null>;
  /** A connector's direct-message stream (X), when it has one; undefined leaves the stored one alone. */
  dm?: string | null;
};

export type RateLimitState = { remaining: number; resetAt: Date };

export type FetchResult = {
  items: NormalizedInbound[];
  nextCursor: PollCursor;
  rateLimit?: RateLimitState;
  /** Items the remote side sent that could not be read; logged and skipped, never ingested. */
  skipped?: { externalId: string | null; reason: string }[];
  /** One stream failed after others succeeded: their items and cursors still count, then this is handled. */
  error?: ConnectorError;
  /** A stream with its own rate-limit window that waits (e.g. X direct messages after a 429); logged, the others go on. */
  deferred?: { stream: string; until: Date; reason: string }[];
};

export type OutboundDirectMessage = { messageId: string; recipientExternalId: string; text: string };

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
