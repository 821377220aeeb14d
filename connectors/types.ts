/**
 * The one interface every channel implements, and the error kinds that let jobs decide between
 * retrying and giving up without knowing which channel they serve.
 */
import { z } from 'zod';
import type { Channel, ChannelKind, RemoteStatus } from '../server/db/schema';

export type ChannelLimits = {
  maxTextLength: number;
  /** Free-form replies only this many hours after the customer's last message (WhatsApp: 24); templates are exempt. */
  freeTextWindowHours?: number;
  /** After the free window, a reply tagged as a person's (Messenger/Instagram HUMAN_AGENT) is allowed this long (168). */
  humanAgentWindowHours?: number;
  /** A private reply to a comment's author is allowed this long after the comment (Facebook/Instagram: 168). */
  privateReplyWindowHours?: number;
};

/** What an agent may do to a customer's comment on the channel itself (Facebook, Instagram). */
export type ModerationAction = 'hide' | 'unhide' | 'delete';

/** An approved message template (WhatsApp: registered with Meta), sent instead of free text outside the reply window. */
export type MessageTemplate = { name: string; language: string };

/** A channel's approved templates, kept in its settings and registered by a manager. */
export type TemplateCapability = {
  /** One template as a manager enters it (name and language rules of the channel). */
  schema: z.ZodType<MessageTemplate>;
  /** The approved templates in the channel's settings; none when the settings cannot be read. */
  read(settings: unknown): MessageTemplate[];
  /** The channel's settings with these templates instead of the old ones. */
  write(settings: unknown, templates: MessageTemplate[]): Record<string, unknown>;
};

/** A credential a manager types in on the channels page; afterwards it is shown only masked. */
export type CredentialField = { name: string; required: boolean };

/** A fact about the connected account worth showing on the channels page; `key` names it (channels.<key>). */
export type AccountFact = { key: string; value: string; note?: string | null };

/**
 * What a channel can do besides sending replies within limits(): the domain, the presenters and the
 * views ask this instead of branching on the channel's kind. Every connector declares every field.
 */
export type ChannelCapabilities = {
  /** Tracked searches (topics) can be added to the channel; its poller reads them besides the account's own stream. */
  trackedSearches: boolean;
  /** Credentials a manager may replace on the channels page (the form's fields and their schema); null: set when the channel is connected. */
  credentials: { fields: readonly CredentialField[]; input: z.ZodType<Record<string, string | undefined>> } | null;
  /** Approved message templates for the time outside the reply window; null: the channel has none. */
  templates: TemplateCapability | null;
  /** The account facts from the channel's settings (none when they cannot be read). */
  accountFacts(settings: unknown): AccountFact[];
  /** What an agent may do to a public comment on the channel (connector.moderate does it); none: nothing. */
  moderation: readonly ModerationAction[];
  /** A comment's author can be answered privately (as a direct message) instead of under the comment. */
  privateReplies: boolean;
  /**
   * The channel's default thread is public posts everyone reads (X mentions, Facebook/Instagram comments); its
   * 'dm' thread, when it has one, is private. A public reply never carries the case number and status link.
   */
  publicPosts: boolean;
  /**
   * The bot may answer a new conversation before a person does (bot first, domain/bot/channelBot.ts): a private
   * chat where automatic replies are allowed (Telegram; WhatsApp inside its free-text window, see limits()).
   */
  botReplies: boolean;
};

/** A channel that can do none of the extras: no searches, replaceable credentials, templates, moderation, private replies, public posts or bot replies. */
export const PLAIN_CAPABILITIES: ChannelCapabilities = {
  trackedSearches: false,
  credentials: null,
  templates: null,
  accountFacts: () => [],
  moderation: [],
  privateReplies: false,
  publicPosts: false,
  botReplies: false,
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
  template?: MessageTemplate | null;
  /** The conversation's thread: 'dm' for direct messages, null for public posts and comments. */
  thread?: 'dm' | null;
  /** How the reply goes out besides the default (see ReplyDelivery). */
  delivery?: ReplyDelivery | null;
  /** The conversation's language (ISO 639-1), when known: what a channel writes around the reply (an e-mail subject) is in it. */
  language?: string | null;
  /** The external ids of the replies already delivered in this conversation, oldest first (e-mail: their Message-IDs, for References). */
  earlierReplyIds?: string[];
};

/**
 * One e-mail through the console's own SMTP settings (Settings → Alerts), for customers a channel answers by
 * e-mail although the channel is no mailbox (the website chat's offline form). Header values are checked and
 * encoded by the mailer; the connector gives plain values.
 */
export type ConsoleMail = {
  to: string;
  /** The sender's display name (the From address is the console's MAIL FROM). */
  fromName: string;
  subject: string;
  text: string;
  /** The left part of the Message-ID, the same on every attempt (the mailer adds "@<the From address's domain>"). */
  messageIdLocalPart: string;
  inReplyTo: string | null;
  references: string[];
};

/** Sends a ConsoleMail; resolves with its Message-ID, rejects with a ConnectorError (Permanent when no SMTP server is set up) or the SMTP client's error. */
export type ConsoleMailer = (mail: ConsoleMail) => Promise<{ messageId: string }>;

/** What a send may use besides the channel itself. */
export type SendContext = { consoleMail: ConsoleMailer };

/**
 * privately: to the comment's author as a direct message instead of under the comment; humanAgent: a direct
 * message after the free window, tagged as a person's answer (Messenger/Instagram HUMAN_AGENT).
 */
export type ReplyDelivery = { privately?: boolean; humanAgent?: boolean };

export type SentReceipt = { externalId: string | null; url: string | null };

export type ChannelForSend = Channel & { credentials: Record<string, string> };

/**
 * A file that came with an inbound message: its bytes when the channel delivers them with the message
 * (e-mail), else the provider's handle (`providerRef`) that connector.fetchMedia turns into bytes.
 */
export type InboundAttachment = {
  fileName: string | null;
  contentType: string | null;
  sizeBytes: number | null;
  providerRef: string | null;
  content?: Buffer | null;
};

/** The most bytes of one attachment kept (message_attachments.content's limit) or fetched from a provider. */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

/** The bytes of one attachment as the provider sent them, with the type it declared (`type/subtype` or null). */
export type FetchedMedia = { content: Buffer; contentType: string | null };

/**
 * One inbound post or message as every connector hands it over; the ingest pipeline never knows which
 * channel it serves.
 */
export type NormalizedInbound = {
  channelId: string;
  externalId: string;
  author: {
    externalId: string;
    name: string;
    handle?: string | null;
    avatarUrl?: string | null;
    /**
     * Ids this author may have been stored under on the channel before (WhatsApp: the bare phone number, until Meta
     * gave a business-scoped user id); an identity found under one becomes externalId's, so the contact stays one.
     */
    formerExternalIds?: string[];
  };
  text: string;
  postedAt: Date;
  inReplyToExternalId?: string | null;
  url?: string | null;
  raw?: unknown;
  /** The tracked search (topic) that brought this post; a new conversation carries it. */
  topicId?: string | null;
  /** Which thread of the contact this belongs to: null/absent = public posts, 'dm' = direct messages. */
  threadKey?: 'dm' | null;
  /** Where the source says it, for routing by skill: the language (ISO 639-1) and the customer's postcode or Bundesland code. */
  language?: string | null;
  region?: string | null;
  /** Photos, voice notes, documents that came with it (WhatsApp, Telegram, e-mail). */
  attachments?: InboundAttachment[];
};

/** A delivery receipt for one of our outbound messages (sent, delivered, read, failed). */
export type RemoteStatusUpdate = { externalId: string; status: RemoteStatus; at: Date; error: string | null };

/** A post already stored that its author edited (new text) or removed (text null) on the channel. */
export type RemoteRevision = { externalId: string; text: string | null; at: Date };

/** An item the remote side sent that could not be read; logged and skipped, never ingested. */
export type SkippedItem = { externalId: string | null; reason: string };

/** What the sender (Meta, X) addresses a channel by and signs with; Meta's subscription handshake also proves a verify token. */
export type WebhookIdentity = { address: string; signingSecret: string; verifyToken?: string | null };

/** The answer to a sender's subscription handshake (Meta: the challenge as text; X: a JSON response token). */
export type HandshakeAnswer = { text: string } | { json: Record<string, string> };

/**
 * The push side of a channel whose inbound arrives by signed webhook (WhatsApp, Facebook, Instagram, X). Pure:
 * the domain stores a delivery durably first and reads it later through the same connector.
 */
export type WebhookSide = {
  /** The request header that carries the signature over the raw body. */
  readonly signatureHeader: string;
  signatureMatches(signingSecret: string, rawBody: Buffer, header: string | undefined): boolean;
  /** The answer to a handshake request (its query) when it proves one of these identities; else null. */
  handshake(query: unknown, identities: WebhookIdentity[]): HandshakeAnswer | null;
  /** The channel's identity from its settings and credentials; null when they cannot be read or it takes no webhooks. */
  identity(settings: unknown, credentials: Record<string, string>): WebhookIdentity | null;
  /** The channel's address from its settings alone (reading a stored delivery needs no secrets); null when unreadable. */
  addressOf(settings: unknown): string | null;
  /** The addresses a delivery is for; null when the body is no webhook of this channel kind at all. */
  addressesOf(body: unknown): string[] | null;
  /** How many events a delivery holds for one address (what the sender counts and may bill). */
  eventsFor(body: unknown, address: string): number;
  /** Everything in a delivery for one address; null when the body is no webhook of this channel kind. */
  read(
    channelId: string,
    address: string,
    body: unknown,
  ): { items: NormalizedInbound[]; statuses: RemoteStatusUpdate[]; skipped: SkippedItem[]; revisions?: RemoteRevision[] } | null;
};

/**
 * A new channel of a connector's kind, read from what a manager entered (CLI flags, the channels page):
 * what is stored in plain sight, what is sealed, and what the domain checks and does besides.
 */
export type ChannelToConnect<Settings> = {
  name: string;
  settings: Settings;
  credentials: Record<string, string>;
  /** Every URL or host a manager entered that the channel will connect to, by form field (null: the built-in default). */
  outboundTargets: Record<string, { url: string } | { host: string } | null>;
  /** Polled channels: how often; channels that are pushed to leave it out. */
  pollIntervalSeconds?: number;
  /** One channel per remote identity: no other channel of this kind may hold `value` in this setting (else a conflict on `field`). */
  unique?: { setting: string; value: string; field: string; message: string };
  /** Tracked searches the channel starts with. */
  searches?: string[];
  /** Secrets the manager must copy now and is never shown again (e.g. a webhook verify token). */
  shownOnce?: Record<string, string>;
};

/** The form that connects a channel of this kind, parsed into the channel to store (its issues name the form's fields). */
export type ChannelSetup<Settings> = z.ZodType<ChannelToConnect<Settings>>;

/** The poll interval a manager may give a polled channel (X at connection, every polled channel afterwards). */
const MIN_POLL_INTERVAL_SECONDS = 5;
export const pollIntervalSchema = z.coerce
  .number({ error: 'must be a number of seconds' })
  .int('must be whole seconds')
  .min(MIN_POLL_INTERVAL_SECONDS, `must be at least ${MIN_POLL_INTERVAL_SECONDS} seconds`)
  .max(86_400, 'must be at most one day');

/** A tracked search's query (PollTopic.query) as a manager enters it. */
export const searchQuerySchema = z.string().trim().min(1, 'must not be empty').max(512, 'must be at most 512 characters');

/** The connectors by channel kind, handed to the domain by the composition root (connectors/registry.ts holds them). */
export type Connectors = {
  of(kind: ChannelKind): Connector | undefined;
  readonly all: readonly Connector[];
};

/** `Settings`: what a channel of this kind stores in plain sight (its setup makes them). */
export interface Connector<Settings extends object = object> {
  readonly kind: Channel['kind'];
  /**
   * Whether a send may be repeated safely: the receiver drops a repeat by a key we send (the API channel's
   * Idempotency-Key). Without it, a send interrupted before the channel confirmed it (the worker died) is
   * not repeated on its own; the reply becomes "uncertain" and an agent checks and decides. Absent: false.
   * A function when it depends on the recipient (the website chat: a live visitor yes, an offline-form address no).
   */
  readonly idempotentResend?: boolean | ((reply: { recipientExternalId: string | null }) => boolean);
  /** `thread`: the conversation's thread when the limits differ (Facebook/Instagram: comments vs. direct messages). */
  limits(channel: Channel, thread?: 'dm' | null): ChannelLimits;
  readonly capabilities: ChannelCapabilities;
  sendReply(channel: ChannelForSend, reply: OutboundReply, context: SendContext): Promise<SentReceipt>;
  /** Poll side: new items since the stored cursor. Connectors that are pushed to (webhooks) leave it out. */
  fetchSince?(channel: ChannelForPoll, cursor: PollCursor): Promise<FetchResult>;
  /** Push side: connectors that are sent signed webhooks; pollers leave it out. */
  readonly webhook?: WebhookSide;
  /**
   * A standing connection on which the remote side announces new items (IMAP IDLE): onNew each time, so the
   * channel is polled at once. Resolves when the connection closes, rejects when it cannot be opened; `stop`
   * closes it. Connectors without one leave it out: their channels wait for the scheduled poll.
   */
  watch?(channel: ChannelForSend, onNew: () => void, stop: AbortSignal): Promise<void>;
  /** Connecting a channel of this kind; connectors whose channels are connected by a command of their own (api) leave it out. */
  readonly setup?: ChannelSetup<Settings>;
  sendDirectMessage?(channel: ChannelForSend, message: OutboundDirectMessage): Promise<SentReceipt>;
  /**
   * "Test connection" on the channels page: one harmless call with the channel's settings and credentials
   * (reads, a login, a signed ping). Resolves with what the remote side answered, in words; rejects with a
   * ConnectorError whose message says what went wrong. Changes nothing here or there.
   */
  testConnection(channel: ChannelForSend): Promise<string>;
  /**
   * The bytes of an attachment the channel handed over only by reference (providerRef), at most `maxBytes`;
   * rejects with Permanent when it is larger or gone. Connectors whose attachments come with the message leave it out.
   */
  fetchMedia?(channel: ChannelForSend, providerRef: string, maxBytes: number): Promise<FetchedMedia>;
  /** Hides, shows again or deletes a customer's comment on the channel (the actions capabilities.moderation names). */
  moderate?(channel: ChannelForSend, externalId: string, action: ModerationAction): Promise<void>;
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
  skipped?: SkippedItem[];
  /** One stream failed after others succeeded: their items and cursors still count, then this is handled. */
  error?: ConnectorError;
  /** A stream with its own rate-limit window that waits (e.g. X direct messages after a 429); logged, the others go on. */
  deferred?: { stream: string; until: Date; reason: string }[];
};

export type OutboundDirectMessage = { messageId: string; recipientExternalId: string; text: string };

export class ConnectorError extends Error {
  /** The reason as a message key (server/i18n/messages.ts), so the console says it in the reader's language; null: only the message. */
  reasonKey: string | null = null;
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = new.target.name;
  }
  /** The same error, told in the console by this message key. */
  explained(key: string): this {
    this.reasonKey = key;
    return this;
  }
}
/** The remote side asks us to wait until retryAt. */
export class RateLimited extends ConnectorError {
  constructor(
    message: string,
    readonly retryAt: Date,
  ) {
    super(message, true);
  }
}
/** Credentials were refused; retrying will not help until someone fixes them. */
export class AuthFailed extends ConnectorError {
  constructor(message: string) {
    super(message, false);
  }
}
/**
 * Network trouble, timeouts, 5xx: worth another try. `maybeDelivered`: the request may have reached the
 * remote side before the trouble (a timeout or a connection cut after it was written, an unreadable
 * answer), so a reply might have arrived; an HTTP error status or a connection never made says it did not.
 */
export class Transient extends ConnectorError {
  constructor(
    message: string,
    readonly maybeDelivered = false,
  ) {
    super(message, true);
  }
}
/** The remote side rejected this item for good (4xx). */
export class Permanent extends ConnectorError {
  constructor(message: string) {
    super(message, false);
  }
}
