/**
 * A fake Meta Graph API (WhatsApp Cloud API) on 127.0.0.1, plus builders for the webhook payloads Meta
 * sends, so tests exercise both directions with the documented shapes.
 *
 * Send: POST {base}/{phone-number-id}/messages, Authorization: Bearer <access token>, JSON
 *   { messaging_product: "whatsapp", to, type: "text", text: { body }, context?: { message_id } }
 *   { messaging_product: "whatsapp", to, type: "template", template: { name, language: { code } } }
 *   (`recipient: "<BSUID>"` instead of `to` addresses a user by business-scoped user id)
 * → 200 { messaging_product: "whatsapp", contacts: [{ input, wa_id | user_id }], messages: [{ id: "wamid.…" }] }
 * Media: GET {base}/{media-id} → { url, mime_type, file_size, id, messaging_product } (the URL lives a few minutes);
 *   GET that URL with the same Bearer token → the bytes (here: {origin}/media-download/{media-id}).
 * Errors: { error: { message, type: "OAuthException", code, error_subcode?, error_data?: { messaging_product, details }, fbtrace_id } }
 *   401 code 190 (access token invalid), 400 code 131047 (re-engagement: more than 24 h since the
 *   customer's last message), 429 code 130429 (throughput rate limit), 400 code 100 (invalid parameter).
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';

export type SentWhatsapp = { phoneNumberId: string; body: Record<string, any>; authorization: string | undefined; wamid: string };
export type GraphFailure = { status: number; code: number; message: string; retryAfter?: number };

export const GRAPH_ERRORS = {
  reEngagement: { status: 400, code: 131047, message: 'Re-engagement message' },
  rateLimited: { status: 429, code: 130429, message: 'Rate limit hit', retryAfter: 1 },
  badToken: { status: 401, code: 190, message: 'Error validating access token' },
} satisfies Record<string, GraphFailure>;

export type FakeMeta = {
  /** Use as the channel's graphBaseUrl. */
  baseUrl: string;
  sent: SentWhatsapp[];
  failNext(...failures: GraphFailure[]): void;
  /** The next messages are taken (in `sent`) but answered with exactly this status and body (e.g. without an id). */
  acceptNextWith(...answers: { status: number; body: string }[]): void;
  waitForSent(count: number, timeoutMs?: number): Promise<SentWhatsapp[]>;
  /** Media the customer sent, by media id; `downloads` counts the byte downloads per id. */
  media: Map<string, { bytes: Buffer; mimeType: string }>;
  downloads: Map<string, number>;
  close(): Promise<void>;
};

export async function startFakeMeta(opts: { accessToken: string }): Promise<FakeMeta> {
  const sent: SentWhatsapp[] = [];
  const failures: GraphFailure[] = [];
  const oddAnswers: { status: number; body: string }[] = [];
  let counter = 0;
  const media = new Map<string, { bytes: Buffer; mimeType: string }>();
  const downloads = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
        res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
      const graphError = (f: GraphFailure) =>
        answer(
          f.status,
          {
            error: {
              message: f.message,
              type: 'OAuthException',
              code: f.code,
              error_data: { messaging_product: 'whatsapp', details: f.message },
              fbtrace_id: 'FAKE',
            },
          },
          f.retryAfter ? { 'retry-after': String(f.retryAfter) } : {},
        );
      const mediaNode = /\/v21\.0\/([^/?]+)$/.exec(req.url ?? '');
      const download = /^\/media-download\/([^/?]+)$/.exec(req.url ?? '');
      const item = media.get(decodeURIComponent((mediaNode ?? download)?.[1] ?? ''));
      if (req.method === 'GET' && (mediaNode || download) && (item || download)) {
        if (req.headers.authorization !== `Bearer ${opts.accessToken}`) return graphError(GRAPH_ERRORS.badToken);
        if (!item) return res.writeHead(404).end();
        const id = decodeURIComponent((mediaNode ?? download)![1]!);
        if (download) {
          downloads.set(id, (downloads.get(id) ?? 0) + 1);
          return res.writeHead(200, { 'content-type': item.mimeType }).end(item.bytes);
        }
        const { port } = server.address() as AddressInfo;
        const url = `http://127.0.0.1:${port}/media-download/${encodeURIComponent(id)}`;
        return answer(200, { messaging_product: 'whatsapp', url, mime_type: item.mimeType, file_size: item.bytes.length, id });
      }
      // The phone number's own node (the console's "test connection" reads it).
      const numberNode = /\/(\d+)(?:\?.*)?$/.exec(req.url ?? '');
      if (req.method === 'GET' && numberNode) {
        if (req.headers.authorization !== `Bearer ${opts.accessToken}`) return graphError(GRAPH_ERRORS.badToken);
        return answer(200, { id: numberNode[1], display_phone_number: '+49 30 1234567', verified_name: 'Replyline Test' });
      }
      const match = /\/(\d+)\/messages$/.exec(req.url ?? '');
      if (req.method !== 'POST' || !match) return answer(404, { error: { message: 'Unknown path', code: 803 } });
      if (req.headers.authorization !== `Bearer ${opts.accessToken}`) return graphError(GRAPH_ERRORS.badToken);
      const failure = failures.shift();
      if (failure) return graphError(failure);
      let body: Record<string, any>;
      try {
        body = JSON.parse(raw) as Record<string, any>;
      } catch {
        return graphError({ status: 400, code: 100, message: 'Invalid JSON' });
      }
      const valid =
        body.messaging_product === 'whatsapp' &&
        (typeof body.to === 'string' || (typeof body.recipient === 'string' && /^[A-Z]{2}\./.test(body.recipient))) &&
        ((body.type === 'text' && typeof body.text?.body === 'string') ||
          (body.type === 'template' && typeof body.template?.name === 'string' && typeof body.template?.language?.code === 'string'));
      if (!valid) return graphError({ status: 400, code: 100, message: '(#100) Invalid parameter' });
      counter += 1;
      const wamid = `wamid.FAKE${Date.now()}${counter}`;
      sent.push({ phoneNumberId: match[1]!, body, authorization: req.headers.authorization, wamid });
      const odd = oddAnswers.shift();
      if (odd) return res.writeHead(odd.status, { 'content-type': 'application/json' }).end(odd.body);
      const contact = typeof body.to === 'string' ? { input: body.to, wa_id: body.to } : { input: body.recipient, user_id: body.recipient };
      answer(200, { messaging_product: 'whatsapp', contacts: [contact], messages: [{ id: wamid }] });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v21.0`,
    sent,
    media,
    downloads,
    failNext: (...f) => failures.push(...f),
    acceptNextWith: (...a) => oddAnswers.push(...a),
    async waitForSent(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (sent.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} sent WhatsApp messages, got ${sent.length}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return sent;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---- Webhook payloads as Meta sends them ----

const envelope = (phoneNumberId: string, value: Record<string, unknown>) => ({
  object: 'whatsapp_business_account',
  entry: [
    {
      id: '102290129340398',
      changes: [
        {
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId },
            ...value,
          },
        },
      ],
    },
  ],
});

let wamidCounter = 0;
export const newWamid = () => `wamid.HBgL${Date.now().toString(36)}${(wamidCounter += 1)}${Math.random().toString(36).slice(2, 8)}`;
const unix = (d: Date) => String(Math.floor(d.getTime() / 1000));

/**
 * `from`: the phone number (null: hidden behind a username, as from 2026); `userId`: the business-scoped user id
 * Meta sends with it (`user_id` in contacts, `from_user_id` on the message), `username` its profile username.
 */
export type InboundOpts = { from?: string | null; userId?: string; username?: string; name?: string; id?: string; at?: Date; contextId?: string };

export function inboundMessage(phoneNumberId: string, message: Record<string, unknown>, o: InboundOpts = {}) {
  const from = o.from === null ? undefined : (o.from ?? '4915112345678');
  const ids = { ...(from ? { wa_id: from } : {}), ...(o.userId ? { user_id: o.userId } : {}) };
  const sender = { ...(from ? { from } : {}), ...(o.userId ? { from_user_id: o.userId } : {}) };
  return envelope(phoneNumberId, {
    contacts: [{ profile: { name: o.name ?? 'Erika Mustermann', ...(o.username ? { username: o.username } : {}) }, ...ids }],
    messages: [
      {
        ...sender,
        id: o.id ?? newWamid(),
        timestamp: unix(o.at ?? new Date()),
        ...(o.contextId ? { context: { ...sender, id: o.contextId } } : {}),
        ...message,
      },
    ],
  });
}

export const inboundText = (phoneNumberId: string, body: string, o: InboundOpts = {}) => inboundMessage(phoneNumberId, { type: 'text', text: { body } }, o);
export const inboundImage = (phoneNumberId: string, mediaId: string, caption?: string, o: InboundOpts = {}) =>
  inboundMessage(phoneNumberId, { type: 'image', image: { id: mediaId, mime_type: 'image/jpeg', sha256: 'abc', ...(caption ? { caption } : {}) } }, o);
export const inboundLocation = (phoneNumberId: string, loc: { latitude: number; longitude: number; name?: string; address?: string }, o: InboundOpts = {}) =>
  inboundMessage(phoneNumberId, { type: 'location', location: loc }, o);

export function statusUpdate(
  phoneNumberId: string,
  wamid: string,
  status: 'sent' | 'delivered' | 'read' | 'failed',
  o: { at?: Date; recipient?: string; error?: { code: number; title: string } } = {},
) {
  return envelope(phoneNumberId, {
    statuses: [
      {
        id: wamid,
        status,
        timestamp: unix(o.at ?? new Date()),
        recipient_id: o.recipient ?? '4915112345678',
        ...(status === 'failed' ? { errors: [o.error ?? { code: 131047, title: 'Re-engagement message' }] } : {}),
      },
    ],
  });
}

export function signPayload(appSecret: string, body: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

/** Posts a WhatsApp webhook delivery to the console at `consoleUrl`, signed with `appSecret` as Meta signs it. */
export function postSignedWhatsapp(consoleUrl: string, body: string, appSecret: string) {
  return request(consoleUrl)
    .post('/webhooks/whatsapp')
    .set('content-type', 'application/json')
    .set('x-hub-signature-256', signPayload(appSecret, body))
    .send(body);
}
