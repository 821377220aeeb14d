/**
 * The X (Twitter) connector on twitter-api-v2. Inbound: tracked searches (each a topic) and the
 * account's mentions timeline, each resumed from its own since_id and paged with next_token; the
 * account's direct messages (GET /2/dm_events, user context), resumed from the newest DM event id seen.
 * Outbound: public replies threaded under the customer's post; a reply in a DM conversation (the message
 * answered is a "dm:<event id>") goes out as a direct message to the participant. In webhook mode X also
 * pushes mentions, replies and DMs (Account Activity, ./accountActivity.ts); both paths map posts alike and the
 * ingest drops whichever copy arrives second (same external id).
 */
import type { TweetV2PaginableTimelineParams, Tweetv2SearchParams, TwitterApi, TwitterRateLimit } from 'twitter-api-v2';
import {
  AuthFailed,
  Permanent,
  RateLimited,
  type ChannelForPoll,
  type ChannelForSend,
  type Connector,
  type FetchResult,
  type PollCursor,
  type RateLimitState,
} from '../types';
import { activityAddressesOf, activityEventsFor, answerCrc, readActivity, X_SIGNATURE_HEADER, xSignatureMatches } from './accountActivity';
import { readClient, writeClient } from './client';
import { xErrorFor } from './errors';
import { dmExternalId, isDmExternalId, newerId, normalizeDmEvent, normalizeTweet, usersById, type XUser } from './normalize';
import {
  hasUserContext,
  postUrl,
  X_CREDENTIAL_FIELDS,
  xCredentialsInputSchema,
  xCredentialsSchema,
  xSettingsSchema,
  type XCredentials,
  type XSettings,
} from './settings';
import { xSetup } from './setup';

export const X_MAX_TEXT_LENGTH = 280;
/** Direct messages may be much longer than posts. */
export const X_MAX_DM_LENGTH = 10_000;
/**
 * Pages per stream and poll (100 posts each). A first poll (no since_id) reads only this far back; with
 * a since_id every page down to it is read, because newest_id becomes the next since_id and whatever
 * was left unread below it would be skipped for good.
 */
const FIRST_POLL_PAGES = 10;
/** A safety stop for a runaway paginator; 100 000 posts between two polls is beyond any account. */
const MAX_PAGES = 1_000;

const TWEET_PARAMS: Partial<Tweetv2SearchParams> & Partial<TweetV2PaginableTimelineParams> = {
  max_results: 100,
  expansions: ['author_id'],
  'tweet.fields': ['created_at', 'author_id', 'conversation_id', 'referenced_tweets', 'lang', 'note_tweet'],
  'user.fields': ['name', 'username', 'profile_image_url'],
};

const DM_PARAMS: Parameters<TwitterApi['v2']['listDmEvents']>[0] = {
  max_results: 100,
  event_types: 'MessageCreate',
  'dm_event.fields': ['id', 'event_type', 'text', 'sender_id', 'dm_conversation_id', 'created_at'],
  expansions: ['sender_id'],
  'user.fields': ['name', 'username', 'profile_image_url'],
};

/**
 * Where reading DMs continues (stored as JSON in the channel's DM cursor): the newest DM event id seen,
 * and after a 429 on the DM endpoint the time before which DMs are not asked for. The DM endpoint has
 * its own rate-limit window, so waiting for it never holds back mentions and searches.
 */
export type DmCursor = { newestId: string | null; waitUntil: string | null };

export function parseDmCursor(stored: string | null | undefined): DmCursor {
  if (!stored) return { newestId: null, waitUntil: null };
  if (/^\d{1,20}$/.test(stored)) return { newestId: stored, waitUntil: null };
  try {
    const v = JSON.parse(stored) as Partial<DmCursor>;
    return {
      newestId: typeof v.newestId === 'string' && /^\d{1,20}$/.test(v.newestId) ? v.newestId : null,
      waitUntil: typeof v.waitUntil === 'string' && !Number.isNaN(Date.parse(v.waitUntil)) ? v.waitUntil : null,
    };
  } catch {
    return { newestId: null, waitUntil: null };
  }
}
const encodeDmCursor = (c: DmCursor) => JSON.stringify(c);

type Page = {
  data: { data?: unknown; includes?: { users?: unknown } };
  meta?: { newest_id?: string; next_token?: string };
  rateLimit?: TwitterRateLimit;
  next(): Promise<Page>;
};

type StreamRead = { tweets: unknown[]; users: Map<string, XUser>; newest: string | null; rateLimit?: RateLimitState };

export const xConnector: Connector<XSettings> = {
  kind: 'x',
  idempotentResend: false,
  setup: xSetup,
  limits: () => ({ maxTextLength: X_MAX_TEXT_LENGTH }),
  capabilities: {
    trackedSearches: true,
    credentials: { fields: X_CREDENTIAL_FIELDS, input: xCredentialsInputSchema },
    templates: null,
    moderation: [],
    privateReplies: false,
    // mentions are public posts; direct messages (thread "dm") are not
    publicPosts: true,
    botReplies: false,
    accountFacts(stored) {
      const settings = xSettingsSchema.safeParse(stored);
      if (!settings.success) return [];
      return [
        { key: 'apiBaseUrl', value: settings.data.apiBaseUrl },
        { key: 'userId', value: settings.data.userId, note: settings.data.handle ? `@${settings.data.handle}` : null },
      ];
    },
  },

  webhook: {
    signatureHeader: X_SIGNATURE_HEADER,
    signatureMatches: xSignatureMatches,
    handshake: answerCrc,
    identity(stored, credentials) {
      const settings = xSettingsSchema.safeParse(stored);
      const secret = credentials.appSecret;
      return settings.success && settings.data.webhook && secret ? { address: settings.data.userId, signingSecret: secret } : null;
    },
    addressOf(stored) {
      const settings = xSettingsSchema.safeParse(stored);
      return settings.success ? settings.data.userId : null;
    },
    addressesOf: activityAddressesOf,
    eventsFor: activityEventsFor,
    read(channelId, userId, body) {
      const read = readActivity(channelId, userId, body);
      return read && { ...read, statuses: [] };
    },
  },

  async fetchSince(channel: ChannelForPoll, cursor: PollCursor): Promise<FetchResult> {
    const { settings, credentials } = unpack(channel);
    const client = readClient(settings, credentials);
    const result: Required<Pick<FetchResult, 'items' | 'skipped'>> & FetchResult = {
      items: [],
      skipped: [],
      nextCursor: { ...cursor, topics: { ...cursor.topics } },
    };
    const seen = new Set<string>();
    const take = (read: StreamRead, topicId: string | null) => {
      for (const raw of read.tweets) {
        const n = normalizeTweet(channel.id, raw, read.users, topicId);
        if (!n.ok) {
          result.skipped.push({ externalId: n.externalId, reason: n.reason });
          continue;
        }
        // Our own posts come back in searches; a post found twice (search and mention) keeps its topic.
        if (n.item.author.externalId === settings.userId || seen.has(n.item.externalId)) continue;
        seen.add(n.item.externalId);
        result.items.push(n.item);
      }
      result.rateLimit = lowest(result.rateLimit, read.rateLimit);
    };

    // Searches first, so a post that both mentions us and matches a search carries its topic.
    const streams: { topicId: string | null; since: string | null; open: (since: string | null) => Promise<Page> }[] = [
      ...channel.topics.map((t) => ({
        topicId: t.id,
        since: cursor.topics[t.id] ?? null,
        open: (since: string | null) => client.v2.search(t.query, { ...TWEET_PARAMS, ...(since ? { since_id: since } : {}) }) as unknown as Promise<Page>,
      })),
      {
        topicId: null,
        since: cursor.channel,
        open: (since: string | null) =>
          client.v2.userMentionTimeline(settings.userId, { ...TWEET_PARAMS, ...(since ? { since_id: since } : {}) }) as unknown as Promise<Page>,
      },
    ];
    for (const stream of streams) {
      try {
        const read = await readStream(() => stream.open(stream.since), stream.since ? MAX_PAGES : FIRST_POLL_PAGES);
        take(read, stream.topicId);
        const next = newerId(stream.since, read.newest);
        if (stream.topicId) result.nextCursor.topics[stream.topicId] = next;
        else result.nextCursor.channel = next;
      } catch (err) {
        result.error ??= xErrorFor(err);
        // A refused token or an exhausted window will not be better for the next stream.
        if (result.error instanceof RateLimited || result.error instanceof AuthFailed) return result;
      }
    }
    await fetchDirectMessages(channel.id, settings, credentials, cursor, result);
    return result;
  },

  async testConnection(channel) {
    const { settings, credentials } = unpack(channel);
    try {
      const page = (await readClient(settings, credentials).v2.userMentionTimeline(settings.userId, { max_results: 5 })) as unknown as Page;
      assertApiAnswer(page);
      const limit = rateLimitOf(page.rateLimit);
      const left = limit ? `; ${limit.remaining} reads left until ${limit.resetAt.toISOString()}` : '';
      return `X answered: the mentions of account ${settings.userId} can be read${left}`;
    } catch (err) {
      throw xErrorFor(err);
    }
  },

  async sendReply(channel, reply) {
    const { settings, credentials } = unpack(channel);
    if (!reply.inReplyToExternalId) throw new Permanent('There is no X post in this conversation to reply to');
    if (isDmExternalId(reply.inReplyToExternalId)) {
      // The customer wrote to us privately: the answer goes back as a direct message, never in public.
      if (!reply.recipientExternalId) throw new Permanent('This direct-message conversation has no X participant to write to');
      if ([...reply.text].length > X_MAX_DM_LENGTH) throw new Permanent(`A direct message on X has at most ${X_MAX_DM_LENGTH} characters`);
      return xConnector.sendDirectMessage!(channel, { messageId: reply.messageId, recipientExternalId: reply.recipientExternalId, text: reply.text });
    }
    const client = writeClient(settings, credentials);
    if (!client) throw new AuthFailed("Replying on X needs the account's OAuth 1.0a user tokens (app key and secret, access token and secret)");
    try {
      const posted = await client.v2.reply(reply.text, reply.inReplyToExternalId);
      return { externalId: posted.data.id, url: postUrl(settings.handle, posted.data.id) };
    } catch (err) {
      throw xErrorFor(err);
    }
  },

  async sendDirectMessage(channel, message) {
    const { settings, credentials } = unpack(channel);
    const client = writeClient(settings, credentials);
    if (!client) throw new AuthFailed("Direct messages on X need the account's OAuth 1.0a user tokens");
    try {
      const sent = await client.v2.sendDmToParticipant(message.recipientExternalId, { text: message.text });
      // X answers { data: { dm_conversation_id, dm_event_id } }; the library's type leaves out the "data" level.
      const body = sent as unknown as { data?: { dm_event_id?: unknown }; dm_event_id?: unknown };
      const eventId = body.data?.dm_event_id ?? body.dm_event_id;
      // Sent is sent: a missing id must not make us send the message a second time.
      return { externalId: typeof eventId === 'string' && eventId ? dmExternalId(eventId) : null, url: null };
    } catch (err) {
      throw xErrorFor(err);
    }
  },
};

/**
 * The account's DM events newer than the DM cursor (X answers newest first and knows no since_id: pages
 * are read until an event at or below the cursor shows up). Needs the OAuth 1.0a user tokens; without
 * them the channel reads no DMs. A 429 defers only this stream; other failures count like any stream's.
 */
async function fetchDirectMessages(
  channelId: string,
  settings: XSettings,
  credentials: XCredentials,
  cursor: PollCursor,
  result: FetchResult & { skipped: NonNullable<FetchResult['skipped']> },
) {
  if (!hasUserContext(credentials)) return;
  const client = writeClient(settings, credentials);
  if (!client) return;
  const stored = parseDmCursor(cursor.dm);
  const now = Date.now();
  if (stored.waitUntil && Date.parse(stored.waitUntil) > now) {
    result.deferred = [...(result.deferred ?? []), { stream: 'dm', until: new Date(stored.waitUntil), reason: 'waiting for the X DM rate-limit window' }];
    return;
  }
  try {
    let page = (await client.v2.listDmEvents(DM_PARAMS)) as unknown as Page;
    const maxPages = stored.newestId ? MAX_PAGES : FIRST_POLL_PAGES;
    let newest = stored.newestId;
    let waitUntil: string | null = null;
    for (let n = 1; ; n += 1) {
      assertApiAnswer(page);
      const data = page.data?.data;
      if (data !== undefined && !Array.isArray(data)) throw new Permanent('X sent a DM page whose "data" is not a list');
      const users = usersById(page.data?.includes?.users);
      let reachedKnown = false;
      for (const raw of data ?? []) {
        const id = (raw as { id?: unknown } | null)?.id;
        if (typeof id === 'string' && /^\d{1,20}$/.test(id)) {
          if (stored.newestId && BigInt(id) <= BigInt(stored.newestId)) {
            reachedKnown = true;
            continue;
          }
          newest = newerId(newest, id);
        }
        const dm = normalizeDmEvent(channelId, settings.userId, raw, users);
        if (dm.ok === 'ignored') continue;
        if (!dm.ok) {
          result.skipped.push({ externalId: dm.externalId, reason: dm.reason });
          continue;
        }
        result.items.push(dm.item);
      }
      const limit = rateLimitOf(page.rateLimit);
      if (limit && limit.remaining <= 0) waitUntil = limit.resetAt.toISOString();
      if (reachedKnown || !page.meta?.next_token || n >= maxPages || waitUntil) break;
      page = await page.next();
    }
    result.nextCursor.dm = encodeDmCursor({ newestId: newest, waitUntil });
  } catch (err) {
    const error = xErrorFor(err);
    if (error instanceof RateLimited) {
      // Items of pages read before the 429 are not kept: the cursor stays, the next read starts over.
      result.items = result.items.filter((i) => !isDmExternalId(i.externalId));
      result.nextCursor.dm = encodeDmCursor({ newestId: stored.newestId, waitUntil: error.retryAt.toISOString() });
      result.deferred = [...(result.deferred ?? []), { stream: 'dm', until: error.retryAt, reason: error.message }];
      return;
    }
    result.items = result.items.filter((i) => !isDmExternalId(i.externalId));
    result.error ??= error;
  }
}

/** All pages of one stream newer than since_id. meta.newest_id of the first page is the next since_id. */
async function readStream(open: () => Promise<Page>, maxPages: number): Promise<StreamRead> {
  let page = await open();
  const out: StreamRead = { tweets: [], users: new Map(), newest: page.meta?.newest_id ?? null };
  for (let n = 1; ; n += 1) {
    assertApiAnswer(page);
    const data = page.data?.data;
    if (data !== undefined && !Array.isArray(data)) throw new Permanent('X sent a page whose "data" is not a list');
    out.tweets.push(...(data ?? []));
    for (const [id, user] of usersById(page.data?.includes?.users)) out.users.set(id, user);
    out.rateLimit = lowest(out.rateLimit, rateLimitOf(page.rateLimit));
    if (!page.meta?.next_token || n >= maxPages) break;
    page = await page.next();
  }
  return out;
}

/**
 * A wrong API base URL (a website, a proxy's start page) answers 200 with HTML: the library hands that over
 * as text, not as the X API's JSON object. Said in words instead of read as "no new posts".
 */
function assertApiAnswer(page: Page) {
  if (page.data === null || typeof page.data !== 'object' || Array.isArray(page.data))
    throw new Permanent('The API base URL does not answer like the X API (its answer is not the JSON X sends); check the API base URL');
}

/**
 * The library's rate-limit fields as our state, or nothing: its paginators give `{}` when the answer had no
 * x-rate-limit headers (a wrong base URL), and `new Date(undefined * 1000)` would be an invalid date.
 */
function rateLimitOf(limit: Partial<TwitterRateLimit> | undefined): RateLimitState | undefined {
  if (!limit || !Number.isFinite(limit.remaining) || !Number.isFinite(limit.reset)) return undefined;
  return { remaining: limit.remaining!, resetAt: new Date(limit.reset! * 1000) };
}

function lowest(a: RateLimitState | undefined, b: RateLimitState | undefined): RateLimitState | undefined {
  if (!a) return b;
  if (!b) return a;
  return b.remaining < a.remaining ? b : a;
}

function unpack(channel: ChannelForSend): { settings: XSettings; credentials: XCredentials } {
  const settings = xSettingsSchema.safeParse(channel.settings);
  if (!settings.success)
    throw new Permanent(`This X channel's settings are incomplete: ${settings.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const credentials = xCredentialsSchema.safeParse(channel.credentials);
  if (!credentials.success) throw new AuthFailed('This X channel has no bearer token');
  return { settings: settings.data, credentials: credentials.data };
}
