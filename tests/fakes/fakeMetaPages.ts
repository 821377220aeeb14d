/**
 * A fake Meta Graph API for Facebook pages and Instagram accounts on 127.0.0.1, and builders for the webhook
 * deliveries Meta sends, written from Meta's documented payloads:
 *
 *   POST /{comment-id}/comments { message }                  → { id }                  Facebook public reply
 *   POST /{ig-comment-id}/replies { message }                → { id }                  Instagram reply (top-level comments only)
 *   POST /{page-id}/messages { recipient: { id } | { comment_id }, message: { text }, messaging_type, tag? }
 *                                                            → { recipient_id, message_id }   Send API (a private reply once per comment)
 *   POST /{comment-id} { is_hidden } (Facebook) | { hide } (Instagram)  → { success: true }
 *   DELETE /{comment-id}                                     → { success: true }
 * Errors: { error: { message, type: "OAuthException", code, error_subcode?, fbtrace_id } } — 190 bad token,
 * 100 invalid parameter, 10900 private reply given already, 32 page request limit reached (with usage headers).
 * Every answer can carry X-Business-Use-Case-Usage ({ "<page-id>": [{ type, call_count, total_cputime,
 * total_time, estimated_time_to_regain_access }] }) as set by usage().
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type GraphCallRecord = { method: string; path: string; body: Record<string, any>; authorization: string | undefined };
export type PagesFailure = { status: number; code: number; message: string };

export const PAGES_ERRORS = {
  pageLimit: { status: 400, code: 32, message: 'Page request limit reached' },
  badToken: { status: 401, code: 190, message: 'Error validating access token' },
} satisfies Record<string, PagesFailure>;

export type FakeMetaPages = {
  /** Use as the channel's graphBaseUrl. */
  baseUrl: string;
  calls: GraphCallRecord[];
  failNext(...failures: PagesFailure[]): void;
  /** From now on every answer says this share (percent) of the page's call limit is used. */
  usage(pageId: string, percent: number, regainMinutes?: number): void;
  waitForCalls(count: number, timeoutMs?: number): Promise<GraphCallRecord[]>;
  close(): Promise<void>;
};

export async function startFakeMetaPages(opts: { pageToken: string }): Promise<FakeMetaPages> {
  const calls: GraphCallRecord[] = [];
  const failures: PagesFailure[] = [];
  const privatelyAnswered = new Set<string>();
  let usageHeader: string | null = null;
  let counter = 0;
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const answer = (status: number, body: unknown) =>
        res
          .writeHead(status, { 'content-type': 'application/json', ...(usageHeader ? { 'x-business-use-case-usage': usageHeader } : {}) })
          .end(JSON.stringify(body));
      const graphError = (f: PagesFailure) => answer(f.status, { error: { message: f.message, type: 'OAuthException', code: f.code, fbtrace_id: 'FAKE' } });
      const path = new URL(req.url ?? '/', 'http://fake').pathname.replace(/^\/v\d+\.\d+/, '');
      if (req.headers.authorization !== `Bearer ${opts.pageToken}`) return graphError(PAGES_ERRORS.badToken);
      let body: Record<string, any> = {};
      if (raw) {
        try {
          body = JSON.parse(raw) as Record<string, any>;
        } catch {
          return graphError({ status: 400, code: 100, message: 'Invalid JSON' });
        }
      }
      calls.push({ method: req.method ?? 'GET', path, body, authorization: req.headers.authorization });
      const failure = failures.shift();
      if (failure) return graphError(failure);
      counter += 1;
      const invalid = () => graphError({ status: 400, code: 100, message: '(#100) Invalid parameter' });
      const [, id, edge] = /^\/([^/]+)(?:\/([a-z]+))?$/.exec(path) ?? [];
      if (!id) return answer(404, { error: { message: 'Unknown path', code: 803 } });
      if (req.method === 'DELETE' && !edge) return answer(200, { success: true });
      if (req.method !== 'POST') return invalid();
      if (!edge) return typeof body.is_hidden === 'boolean' || typeof body.hide === 'boolean' ? answer(200, { success: true }) : invalid();
      if (edge === 'comments' || edge === 'replies') {
        return typeof body.message === 'string' && body.message ? answer(200, { id: `${id.split('_')[0]}_${9_000_000 + counter}` }) : invalid();
      }
      if (edge === 'messages') {
        const text = body.message?.text;
        const to = body.recipient?.id ?? body.recipient?.comment_id;
        if (typeof text !== 'string' || !text || typeof to !== 'string') return invalid();
        if (body.recipient.comment_id) {
          if (privatelyAnswered.has(to)) return graphError({ status: 400, code: 10900, message: 'Activity already replied to' });
          privatelyAnswered.add(to);
        } else if (!(body.messaging_type === 'RESPONSE' || (body.messaging_type === 'MESSAGE_TAG' && body.tag === 'HUMAN_AGENT'))) {
          return invalid();
        }
        return answer(200, { recipient_id: body.recipient.id ?? `psid-for-${to}`, message_id: `m_FAKE${Date.now()}${counter}` });
      }
      return invalid();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v21.0`,
    calls,
    failNext: (...f) => failures.push(...f),
    usage(pageId, percent, regainMinutes = 0) {
      usageHeader = JSON.stringify({
        [pageId]: [{ type: 'pages', call_count: percent, total_cputime: 1, total_time: 1, estimated_time_to_regain_access: regainMinutes }],
      });
    },
    async waitForCalls(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (calls.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} Graph calls, got ${calls.length}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return calls;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---- Webhook deliveries as Meta sends them ----

let idCounter = 0;
const nextId = () => `${Date.now()}${(idCounter += 1)}`;
const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** One delivery: `object` "page" (Facebook) or "instagram", entries keyed by page/account id. */
export function delivery(object: 'page' | 'instagram', entries: { id: string; changes?: unknown[]; messaging?: unknown[] }[]) {
  return { object, entry: entries.map((e) => ({ time: seconds(new Date()), ...e })) };
}

export type FbCommentOpts = {
  verb?: 'add' | 'edited' | 'remove';
  commentId?: string;
  postId?: string;
  parentId?: string;
  from?: { id: string; name: string };
  message?: string;
  at?: Date;
};

/** A feed change for a comment on one of the page's posts (parent_id is the post for a top-level comment). */
export function fbCommentChange(pageId: string, o: FbCommentOpts = {}) {
  const postId = o.postId ?? `${pageId}_${nextId()}`;
  return {
    field: 'feed',
    value: {
      from: o.from ?? { id: '24242424', name: 'Erika Mustermann' },
      post: {
        status_type: 'added_photos',
        is_published: true,
        updated_time: new Date().toISOString(),
        permalink_url: 'https://www.facebook.com/x',
        promotion_status: 'inactive',
        id: postId,
      },
      message: o.message ?? 'Wann öffnet die Filiale?',
      post_id: postId,
      comment_id: o.commentId ?? `${postId.split('_')[1]}_${nextId()}`,
      created_time: seconds(o.at ?? new Date()),
      item: 'comment',
      parent_id: o.parentId ?? postId,
      verb: o.verb ?? 'add',
    },
  };
}

/** An Instagram comment on the account's media (`parentId` for a reply under a comment). */
export function igCommentChange(o: { id?: string; from?: { id: string; username: string }; text?: string; mediaId?: string; parentId?: string } = {}) {
  return {
    field: 'comments',
    value: {
      from: o.from ?? { id: '178414', username: 'kunde.anna' },
      media: { id: o.mediaId ?? `1790${nextId()}`, media_product_type: 'FEED' },
      id: o.id ?? `1786${nextId()}`,
      ...(o.parentId ? { parent_id: o.parentId } : {}),
      text: o.text ?? 'Gibt es das auch in Blau?',
    },
  };
}

/** A Messenger or Instagram direct message to the page/account (`echo`: one the page itself sent). */
export function directMessage(
  pageId: string,
  o: { senderId?: string; mid?: string; text?: string; at?: Date; attachments?: { type: string }[]; echo?: boolean } = {},
) {
  const senderId = o.senderId ?? '6543210987654321';
  return {
    sender: { id: o.echo ? pageId : senderId },
    recipient: { id: o.echo ? senderId : pageId },
    timestamp: (o.at ?? new Date()).getTime(),
    message: {
      mid: o.mid ?? `m_${nextId()}`,
      ...(o.text !== undefined ? { text: o.text } : { text: 'Hallo, ich habe eine Frage zu meiner Bestellung' }),
      ...(o.attachments ? { attachments: o.attachments.map((a) => ({ ...a, payload: { url: 'https://scontent.xx.fbcdn.net/fake.jpg' } })) } : {}),
      ...(o.echo ? { is_echo: true } : {}),
    },
  };
}
