/**
 * A fake X API v2 on 127.0.0.1 for tests, answering the endpoints Replyline calls with the documented
 * payload shapes:
 *
 *   GET  /2/users/:id/mentions     since_id, max_results (5–100), pagination_token
 *   GET  /2/tweets/search/recent   query, since_id, max_results (10–100), next_token
 *   POST /2/tweets                 { text, reply?: { in_reply_to_tweet_id } } → 201 { data: { id, text } }
 *   GET  /2/dm_events              event_types, max_results (1–100), pagination_token (user context only)
 *   POST /2/dm_conversations/with/:id/messages  { text } → 201 { data: { dm_conversation_id, dm_event_id } }
 *
 * DM events answer newest first: { data: [{ id, event_type, text, sender_id, dm_conversation_id,
 * created_at }], includes: { users }, meta: { result_count, next_token? } }. They belong to the account
 * whose user token reads them: accessTokenFor(accountId) gives such a token (the plain accessToken is
 * an account without DMs); a DM sent with it also appears among the account's own DM events.
 *
 * Timelines answer newest first: { data: [post], includes: { users: [user] }, meta: { result_count,
 * newest_id, oldest_id, next_token? } }, or { meta: { result_count: 0 } }. Errors are problem objects
 * { title, detail, type, status }. Every answer carries x-rate-limit-limit / -remaining / -reset (epoch
 * seconds), counted per endpoint in a 15-minute window. Reads need `Bearer <bearerToken>`; posting needs
 * OAuth 1.0a with oauth_token="<accessToken>". Failures are programmable: failNext('mentions', …).
 *
 * The same posts and DMs also come as X's Account Activity webhook deliveries (activity(): the documented v1.1
 * payload { for_user_id, tweet_create_events: [tweet], direct_message_events: [{ type: "message_create", id,
 * created_timestamp, message_create: { target: { recipient_id }, sender_id, message_data: { text } } }], users })
 * signed as X signs them (signXWebhook: x-twitter-webhooks-signature), so a test can send one post both ways.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeUser = { id: string; name: string; username: string; profile_image_url?: string };
export type FakePost = {
  id: string;
  text: string;
  author_id: string;
  created_at: string;
  conversation_id: string;
  edit_history_tweet_ids: string[];
  referenced_tweets?: { type: 'replied_to' | 'quoted' | 'retweeted'; id: string }[];
  note_tweet?: { text: string };
};
export type Endpoint = 'mentions' | 'search' | 'tweets' | 'dm' | 'dmEvents';
export type FakeDmEvent = { id: string; event_type: 'MessageCreate'; text: string; sender_id: string; dm_conversation_id: string; created_at: string };
export type SentDm = { id: string; participantId: string; text: string; accountId: string | null; authorization: string };
export type Failure = { status: 429; resetInSeconds: number } | { status: 401 | 403 | 500 | 502 | 503 | 400; detail?: string } | { malformedJson: true };
export type RecordedRequest = { method: string; endpoint: Endpoint | 'other'; path: string; query: URLSearchParams; authorization: string; at: number };
export type PostedTweet = { id: string; text: string; inReplyToTweetId: string | null; authorization: string };

export type FakeXServer = {
  /** Base URL to configure on a channel, e.g. http://127.0.0.1:4711/2/ */
  baseUrl: string;
  bearerToken: string;
  accessToken: string;
  users: Map<string, FakeUser>;
  requests: RecordedRequest[];
  posted: PostedTweet[];
  /** Direct messages sent through POST /2/dm_conversations/with/:participant_id/messages. */
  sentDms: SentDm[];
  /** A user token whose DM events are those of the account (see directMessage). */
  accessTokenFor(accountId: string): string;
  /** A customer's direct message to the account. */
  directMessage(accountId: string, dm: { text: string; from?: Partial<FakeUser>; createdAt?: Date }): FakeDmEvent;
  /** A direct message the account itself sent to a participant (as when someone answered in the X app). */
  ownDirectMessage(accountId: string, participantId: string, text: string): FakeDmEvent;
  /** A customer post that mentions the account (and is found by searches matching its text). */
  mention(accountId: string, post: { text: string; author?: Partial<FakeUser>; inReplyTo?: string; createdAt?: Date }): FakePost;
  /** A post that only searches find (it does not mention the account). */
  publicPost(post: { text: string; author?: Partial<FakeUser>; inReplyTo?: string }): FakePost;
  /** Puts any object (e.g. a malformed post) into an account's mentions as it is. */
  rawMention(accountId: string, raw: Record<string, unknown>): void;
  failNext(endpoint: Endpoint, failure: Failure, times?: number): void;
  /** An Account Activity webhook delivery for the account holding these posts (tweet_create_events) and DMs (direct_message_events). */
  activity(accountId: string, events: { posts?: FakePost[]; dms?: FakeDmEvent[] }): AccountActivity;
  requestsTo(endpoint: Endpoint): RecordedRequest[];
  close(): Promise<void>;
};

export type AccountActivity = {
  for_user_id: string;
  user_has_blocked?: boolean;
  tweet_create_events?: Record<string, unknown>[];
  direct_message_events?: Record<string, unknown>[];
  users?: Record<string, Record<string, unknown>>;
};

/** X's signature header over a webhook body: sha256= + base64 HMAC-SHA256 with the app's consumer secret. */
export const signXWebhook = (consumerSecret: string, body: string) => `sha256=${createHmac('sha256', consumerSecret).update(body).digest('base64')}`;

/** v1.1's created_at: "Wed Oct 10 20:19:24 +0000 2018". */
function v1Date(iso: string): string {
  const d = new Date(iso);
  const [day, , mon, , time] = d.toUTCString().replace(',', '').split(' ');
  return `${day} ${mon} ${String(d.getUTCDate()).padStart(2, '0')} ${time} +0000 ${d.getUTCFullYear()}`;
}

const WINDOW_SECONDS = 900;
let idCounter = 0n;
/** Snowflake-like ids: growing with time, compared as numbers. */
function nextId(): string {
  idCounter += 1n;
  return String(1_900_000_000_000_000_000n + BigInt(Date.now()) * 1_000n + (idCounter % 1_000n));
}

/** `pathPrefix` (e.g. '/proxy/x'): the API answers below it, as behind a company proxy; baseUrl includes it. */
export async function startFakeXServer(
  opts: { bearerToken?: string; accessToken?: string; rateLimitPerWindow?: number; pathPrefix?: string } = {},
): Promise<FakeXServer> {
  const pathPrefix = opts.pathPrefix ?? '';
  const bearerToken = opts.bearerToken ?? 'fake-bearer-token';
  const accessToken = opts.accessToken ?? 'fake-access-token';
  const limit = opts.rateLimitPerWindow ?? 450;
  const users = new Map<string, FakeUser>();
  const posts: Record<string, unknown>[] = [];
  const mentionsOf = new Map<string, Set<Record<string, unknown>>>();
  const failures: { endpoint: Endpoint; failure: Failure }[] = [];
  const windows = new Map<Endpoint, { remaining: number; reset: number }>();
  const requests: RecordedRequest[] = [];
  const posted: PostedTweet[] = [];
  const sentDms: SentDm[] = [];
  const dmEventsOf = new Map<string, FakeDmEvent[]>();
  let userCounter = 0;
  const dmEventsFor = (accountId: string) => {
    let list = dmEventsOf.get(accountId);
    if (!list) {
      list = [];
      dmEventsOf.set(accountId, list);
    }
    return list;
  };
  const addDmEvent = (accountId: string, senderId: string, participantId: string, text: string, createdAt = new Date()): FakeDmEvent => {
    const [a, b] = [accountId, participantId].sort();
    const event: FakeDmEvent = {
      id: nextId(),
      event_type: 'MessageCreate',
      text,
      sender_id: senderId,
      dm_conversation_id: `${a}-${b}`,
      created_at: createdAt.toISOString(),
    };
    dmEventsFor(accountId).push(event);
    return event;
  };
  /** The account a user token belongs to (null: the plain token), or undefined for a refused token. */
  const accountOfToken = (authorization: string): string | null | undefined => {
    const token = decodeURIComponent(/oauth_token="([^"]*)"/.exec(authorization)?.[1] ?? '');
    if (token === accessToken) return null;
    if (token.startsWith(`${accessToken}.`)) return token.slice(accessToken.length + 1);
    return undefined;
  };

  const userFor = (u: Partial<FakeUser> = {}): FakeUser => {
    if (u.id && users.has(u.id)) return users.get(u.id)!;
    userCounter += 1;
    const user: FakeUser = {
      id: u.id ?? String(5_000_000 + userCounter),
      name: u.name ?? `Kunde ${userCounter}`,
      username: u.username ?? `kunde_${userCounter}`,
      profile_image_url: u.profile_image_url ?? `https://pbs.twimg.com/profile_images/${userCounter}/avatar_normal.jpg`,
    };
    users.set(user.id, user);
    return user;
  };
  const makePost = (p: { text: string; author?: Partial<FakeUser>; inReplyTo?: string; createdAt?: Date }): FakePost => {
    const author = userFor(p.author);
    const id = nextId();
    const post: FakePost = {
      id,
      text: p.text.length > 280 ? p.text.slice(0, 280) : p.text,
      author_id: author.id,
      created_at: (p.createdAt ?? new Date()).toISOString(),
      conversation_id: p.inReplyTo ?? id,
      edit_history_tweet_ids: [id],
      ...(p.inReplyTo ? { referenced_tweets: [{ type: 'replied_to' as const, id: p.inReplyTo }] } : {}),
      ...(p.text.length > 280 ? { note_tweet: { text: p.text } } : {}),
    };
    posts.push(post);
    return post;
  };
  const mentionSet = (accountId: string) => {
    let set = mentionsOf.get(accountId);
    if (!set) {
      set = new Set();
      mentionsOf.set(accountId, set);
    }
    return set;
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        handle(req, res, Buffer.concat(chunks).toString('utf8'));
      } catch (err) {
        send(res, 500, { title: 'Internal Error', detail: (err as Error).message, type: 'about:blank', status: 500 });
      }
    });
  });

  function handle(req: http.IncomingMessage, res: http.ServerResponse, body: string) {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (!url.pathname.startsWith(`${pathPrefix}/`)) return send(res, 404, problem(404, 'Not Found', `No route ${req.method} ${url.pathname}`));
    url.pathname = url.pathname.slice(pathPrefix.length);
    const authorization = req.headers.authorization ?? '';
    const mentionsMatch = /^\/2\/users\/(\d+)\/mentions$/.exec(url.pathname);
    const dmMatch = /^\/2\/dm_conversations\/with\/(\d+)\/messages$/.exec(url.pathname);
    const endpoint: Endpoint | 'other' =
      mentionsMatch && req.method === 'GET'
        ? 'mentions'
        : url.pathname === '/2/tweets/search/recent' && req.method === 'GET'
          ? 'search'
          : url.pathname === '/2/tweets' && req.method === 'POST'
            ? 'tweets'
            : dmMatch && req.method === 'POST'
              ? 'dm'
              : url.pathname === '/2/dm_events' && req.method === 'GET'
                ? 'dmEvents'
                : 'other';
    requests.push({ method: req.method ?? 'GET', endpoint, path: url.pathname, query: url.searchParams, authorization, at: Date.now() });
    if (endpoint === 'other') return send(res, 404, problem(404, 'Not Found', `No route ${req.method} ${url.pathname}`));

    const window = rateWindow(endpoint);
    res.setHeader('x-rate-limit-limit', String(limit));
    const failureAt = failures.findIndex((f) => f.endpoint === endpoint);
    if (failureAt >= 0) {
      const { failure } = failures.splice(failureAt, 1)[0]!;
      if ('malformedJson' in failure) {
        rateHeaders(res, window);
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{"data": [{"id": "12", "text": "cut off in the mid');
      }
      if (failure.status === 429) {
        res.setHeader('x-rate-limit-remaining', '0');
        res.setHeader('x-rate-limit-reset', String(Math.floor(Date.now() / 1000) + failure.resetInSeconds));
        return send(res, 429, problem(429, 'Too Many Requests', 'Too Many Requests'));
      }
      rateHeaders(res, window);
      return send(res, failure.status, problem(failure.status, statusTitle(failure.status), failure.detail ?? statusTitle(failure.status)));
    }
    if (window.remaining <= 0) {
      rateHeaders(res, window);
      return send(res, 429, problem(429, 'Too Many Requests', 'Too Many Requests'));
    }
    window.remaining -= 1;
    rateHeaders(res, window);

    if (endpoint === 'dmEvents') {
      if (!authorization.startsWith('OAuth '))
        return send(res, 403, problem(403, 'Unsupported Authentication', 'Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.'));
      const account = accountOfToken(authorization);
      if (account === undefined) return send(res, 401, problem(401, 'Unauthorized', 'Unauthorized'));
      const q = url.searchParams;
      const max = Number(q.get('max_results') ?? 100);
      if (!Number.isInteger(max) || max < 1 || max > 100) {
        return send(res, 400, {
          errors: [{ parameters: { max_results: [String(max)] }, message: `The \`max_results\` query parameter value [${max}] is not between 1 and 100` }],
          title: 'Invalid Request',
          detail: 'One or more parameters to your request was invalid.',
          type: 'https://api.twitter.com/2/problems/invalid-request',
        });
      }
      const types = q.get('event_types');
      const token = q.get('pagination_token');
      const untilId = token?.startsWith('d_') ? token.slice(2) : null;
      const sorted = (account ? dmEventsFor(account) : [])
        .filter((e) => (!types || types.split(',').includes(e.event_type)) && (!untilId || BigInt(e.id) < BigInt(untilId)))
        .sort((x, y) => (BigInt(y.id) > BigInt(x.id) ? 1 : -1));
      const page = sorted.slice(0, max);
      if (page.length === 0) return send(res, 200, { meta: { result_count: 0 } });
      const senders = new Set(page.map((e) => e.sender_id));
      return send(res, 200, {
        data: page,
        includes: { users: [...senders].map((id) => users.get(id)).filter(Boolean) },
        meta: { result_count: page.length, ...(sorted.length > page.length ? { next_token: `d_${page.at(-1)!.id}` } : {}) },
      });
    }

    if (endpoint === 'tweets' || endpoint === 'dm') {
      if (!authorization.startsWith('OAuth '))
        return send(res, 403, problem(403, 'Unsupported Authentication', 'Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.'));
      const account = accountOfToken(authorization);
      if (account === undefined) return send(res, 401, problem(401, 'Unauthorized', 'Unauthorized'));
      const parsed = safeJson(body) as { text?: unknown; reply?: { in_reply_to_tweet_id?: unknown } } | null;
      if (!parsed || typeof parsed.text !== 'string' || !parsed.text)
        return send(res, 400, problem(400, 'Invalid Request', 'One or more parameters to your request was invalid.'));
      if (endpoint === 'dm') {
        const participantId = dmMatch![1]!;
        if (parsed.text.length > 10_000) return send(res, 400, problem(400, 'Invalid Request', 'text: the message is longer than 10000 characters'));
        const event = account ? addDmEvent(account, account, participantId, parsed.text) : null;
        const eventId = event?.id ?? nextId();
        sentDms.push({ id: eventId, participantId, text: parsed.text, accountId: account, authorization });
        return send(res, 201, { data: { dm_conversation_id: event?.dm_conversation_id ?? `${participantId}-1`, dm_event_id: eventId } });
      }
      const inReplyTo = typeof parsed.reply?.in_reply_to_tweet_id === 'string' ? parsed.reply.in_reply_to_tweet_id : null;
      const id = nextId();
      posted.push({ id, text: parsed.text, inReplyToTweetId: inReplyTo, authorization });
      return send(res, 201, { data: { id, text: parsed.text, edit_history_tweet_ids: [id] } });
    }

    if (authorization !== `Bearer ${bearerToken}`) return send(res, 401, problem(401, 'Unauthorized', 'Unauthorized'));
    const q = url.searchParams;
    const max = Number(q.get('max_results') ?? 10);
    const [lo, hi] = endpoint === 'mentions' ? [5, 100] : [10, 100];
    if (!Number.isInteger(max) || max < lo || max > hi) {
      return send(res, 400, {
        errors: [{ parameters: { max_results: [String(max)] }, message: `The \`max_results\` query parameter value [${max}] is not between ${lo} and ${hi}` }],
        title: 'Invalid Request',
        detail: 'One or more parameters to your request was invalid.',
        type: 'https://api.twitter.com/2/problems/invalid-request',
      });
    }
    let candidates: Record<string, unknown>[];
    if (endpoint === 'mentions') {
      candidates = [...mentionSet(mentionsMatch![1]!)];
    } else {
      const query = q.get('query') ?? '';
      if (!query.trim()) return send(res, 400, problem(400, 'Invalid Request', 'The `query` query parameter can not be empty'));
      candidates = posts.filter((p) => matches(query, String(p.text ?? '')));
    }
    const token = q.get(endpoint === 'mentions' ? 'pagination_token' : 'next_token');
    const sinceId = q.get('since_id');
    const untilId = token?.startsWith('t_') ? token.slice(2) : null;
    const sorted = candidates
      .filter((p) => typeof p.id !== 'string' || ((!sinceId || BigInt(p.id) > BigInt(sinceId)) && (!untilId || BigInt(p.id) < BigInt(untilId))))
      .sort((a, b) => (BigInt(String(b.id ?? '0').replace(/\D/g, '') || '0') > BigInt(String(a.id ?? '0').replace(/\D/g, '') || '0') ? 1 : -1));
    const page = sorted.slice(0, max);
    if (page.length === 0) return send(res, 200, { meta: { result_count: 0 } });
    const ids = page.map((p) => p.id).filter((id): id is string => typeof id === 'string');
    const authorIds = new Set(page.map((p) => p.author_id).filter((a): a is string => typeof a === 'string'));
    const more = sorted.length > page.length;
    send(res, 200, {
      data: page,
      includes: { users: [...authorIds].map((a) => users.get(a)).filter(Boolean) },
      meta: { result_count: page.length, newest_id: ids[0], oldest_id: ids.at(-1), ...(more ? { next_token: `t_${ids.at(-1)}` } : {}) },
    });
  }

  function rateWindow(endpoint: Endpoint) {
    const now = Math.floor(Date.now() / 1000);
    let w = windows.get(endpoint);
    if (!w || w.reset <= now) {
      w = { remaining: limit, reset: now + WINDOW_SECONDS };
      windows.set(endpoint, w);
    }
    return w;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}${pathPrefix}/2/`,
    bearerToken,
    accessToken,
    users,
    requests,
    posted,
    sentDms,
    accessTokenFor: (accountId) => `${accessToken}.${accountId}`,
    directMessage(accountId, dm) {
      const sender = userFor(dm.from);
      return addDmEvent(accountId, sender.id, sender.id, dm.text, dm.createdAt);
    },
    ownDirectMessage: (accountId, participantId, text) => addDmEvent(accountId, accountId, participantId, text),
    mention(accountId, p) {
      const post = makePost(p);
      mentionSet(accountId).add(post);
      return post;
    },
    publicPost: (p) => makePost(p),
    activity(accountId, events) {
      const v1User = (id: string) => {
        const u = users.get(id);
        return {
          id: Number(id),
          id_str: id,
          name: u?.name ?? `X user ${id}`,
          screen_name: u?.username ?? `user_${id}`,
          profile_image_url_https: u?.profile_image_url ?? null,
        };
      };
      const out: AccountActivity = { for_user_id: accountId };
      if (events.posts?.length) {
        out.user_has_blocked = false;
        out.tweet_create_events = events.posts.map((p) => {
          const replyTo = p.referenced_tweets?.find((r) => r.type === 'replied_to')?.id ?? null;
          return {
            created_at: v1Date(p.created_at),
            id: Number(p.id),
            id_str: p.id,
            text: p.text,
            truncated: Boolean(p.note_tweet),
            ...(p.note_tweet ? { extended_tweet: { full_text: p.note_tweet.text } } : {}),
            in_reply_to_status_id: replyTo ? Number(replyTo) : null,
            in_reply_to_status_id_str: replyTo,
            user: v1User(p.author_id),
            lang: 'de',
          };
        });
      }
      if (events.dms?.length) {
        out.direct_message_events = events.dms.map((d) => ({
          type: 'message_create',
          id: d.id,
          created_timestamp: String(Date.parse(d.created_at)),
          message_create: {
            target: { recipient_id: d.sender_id === accountId ? d.dm_conversation_id.split('-').find((x) => x !== accountId) : accountId },
            sender_id: d.sender_id,
            message_data: { text: d.text, entities: { hashtags: [], symbols: [], user_mentions: [], urls: [] } },
          },
        }));
        out.users = Object.fromEntries(
          [...new Set(events.dms.flatMap((d) => [d.sender_id, accountId]))].map((id) => {
            const { id_str, name, screen_name, profile_image_url_https } = v1User(id);
            return [id, { id: id_str, created_timestamp: '1422556069340', name, screen_name, profile_image_url_https }];
          }),
        );
      }
      return out;
    },
    rawMention(accountId, raw) {
      mentionSet(accountId).add(raw);
    },
    failNext(endpoint, failure, times = 1) {
      for (let i = 0; i < times; i += 1) failures.push({ endpoint, failure });
    },
    requestsTo: (endpoint) => requests.filter((r) => r.endpoint === endpoint),
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Every term must occur in the text (case-insensitive); operators such as lang:de or -is:retweet are ignored. */
function matches(query: string, text: string): boolean {
  const terms = [...query.matchAll(/"([^"]+)"|(\S+)/g)]
    .map((m) => (m[1] ?? m[2] ?? '').toLowerCase())
    .filter((t) => t && !t.startsWith('-') && !/^[a-z_]+:/.test(t) && t !== 'or' && t !== '(' && t !== ')');
  const lower = text.toLowerCase();
  return terms.length > 0 && terms.every((t) => lower.includes(t));
}

function rateHeaders(res: http.ServerResponse, w: { remaining: number; reset: number }) {
  res.setHeader('x-rate-limit-remaining', String(Math.max(0, w.remaining)));
  res.setHeader('x-rate-limit-reset', String(w.reset));
}

function problem(status: number, title: string, detail: string) {
  return { title, detail, type: 'about:blank', status };
}

function statusTitle(status: number): string {
  return http.STATUS_CODES[status] ?? 'Error';
}

function send(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
