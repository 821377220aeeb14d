/**
 * A fake Telegram Bot API on 127.0.0.1 (https://core.telegram.org/bots/api).
 *
 * POST {base}/bot<token>/getUpdates { offset?, limit?, timeout?, allowed_updates? }
 *   → { ok: true, result: Update[] } — updates with update_id >= offset; passing an offset confirms (drops)
 *   every earlier update, as Telegram does. With timeout > 0 it long-polls until an update arrives.
 * POST {base}/bot<token>/sendMessage { chat_id, text, reply_parameters?: { message_id } }
 *   → { ok: true, result: Message }
 * Errors: { ok: false, error_code, description, parameters?: { retry_after } } — 401 Unauthorized for a
 * wrong token, 429 "Too Many Requests: retry after N" with parameters.retry_after, 403 "bot was blocked by the user".
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type TelegramFailure = { error_code: number; description: string; retry_after?: number };
export const TELEGRAM_ERRORS = {
  tooManyRequests: { error_code: 429, description: 'Too Many Requests: retry after 1', retry_after: 1 },
  blocked: { error_code: 403, description: 'Forbidden: bot was blocked by the user' },
} satisfies Record<string, TelegramFailure>;

export type SentTelegram = { chat_id: string | number; text: string; reply_parameters?: { message_id: number } };
export type TgUser = { id: number; first_name: string; last_name?: string; username?: string };

export type FakeTelegram = {
  baseUrl: string;
  token: string;
  botId: number;
  botUsername: string;
  sent: SentTelegram[];
  /** Every offset getUpdates was called with (undefined = none). */
  offsets: (number | undefined)[];
  pending(): number;
  pushPrivateText(from: TgUser, text: string, o?: { replyTo?: number }): { updateId: number; chatId: number; messageId: number };
  pushGroupText(chat: { id: number; title: string }, from: TgUser, text: string): { updateId: number; chatId: number; messageId: number };
  pushRaw(update: Record<string, unknown>): number;
  failNext(method: 'getUpdates' | 'sendMessage', ...f: TelegramFailure[]): void;
  /**
   * Misbehaves on the next calls: 'hang' reads the request and never answers; 'cut' takes the message (in
   * `sent`) and drops the connection without an answer; a raw answer is sent as it is
   * (garbage, wrong shape). With `accepted` the message counts as sent (in `sent`) before the odd answer.
   */
  misbehaveNext(method: 'getUpdates' | 'sendMessage', ...m: ('hang' | 'cut' | { status: number; body: string; accepted?: boolean })[]): void;
  /** Calls that were left hanging. */
  hung(): number;
  waitForSent(count: number, timeoutMs?: number): Promise<SentTelegram[]>;
  close(): Promise<void>;
};

export async function startFakeTelegram(opts: { botId?: number; botUsername?: string } = {}): Promise<FakeTelegram> {
  const botId = opts.botId ?? 7000000000 + Math.floor(Math.random() * 99_999_999);
  const botUsername = opts.botUsername ?? 'replyline_demo_bot';
  const token = `${botId}:AAH-fake-${Math.random().toString(36).slice(2)}XYZabcdefghij`;
  let updates: { update_id: number; [k: string]: unknown }[] = [];
  let nextUpdateId = 500_000;
  let nextMessageId = 1;
  const sent: SentTelegram[] = [];
  const offsets: (number | undefined)[] = [];
  const failures: Record<string, TelegramFailure[]> = { getUpdates: [], sendMessage: [] };
  const misbehaviour: Record<string, ('hang' | 'cut' | { status: number; body: string; accepted?: boolean })[]> = { getUpdates: [], sendMessage: [] };
  let hung = 0;
  const waiters: (() => void)[] = [];
  const wake = () => {
    while (waiters.length) waiters.shift()!();
  };

  const pushRaw = (update: Record<string, unknown>) => {
    const id = nextUpdateId++;
    updates.push({ update_id: id, ...update });
    wake();
    return id;
  };
  const message = (chat: Record<string, unknown>, from: TgUser, text: string, extra: Record<string, unknown> = {}) => {
    const messageId = nextMessageId++;
    const entities = [...text.matchAll(/@\w+/g)].map((m) => ({ type: 'mention', offset: m.index!, length: m[0].length }));
    const updateId = pushRaw({
      message: {
        message_id: messageId,
        date: Math.floor(Date.now() / 1000),
        chat,
        from: { is_bot: false, ...from },
        text,
        ...(entities.length ? { entities } : {}),
        ...extra,
      },
    });
    return { updateId, chatId: chat.id as number, messageId };
  };

  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', async () => {
      const answer = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      const fail = (f: TelegramFailure) =>
        answer(f.error_code, {
          ok: false,
          error_code: f.error_code,
          description: f.description,
          ...(f.retry_after ? { parameters: { retry_after: f.retry_after } } : {}),
        });
      const m = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '');
      if (!m) return answer(404, { ok: false, error_code: 404, description: 'Not Found' });
      if (m[1] !== token) return fail({ error_code: 401, description: 'Unauthorized' });
      const method = m[2]!;
      let body: Record<string, any> = {};
      try {
        body = raw ? (JSON.parse(raw) as Record<string, any>) : {};
      } catch {
        return fail({ error_code: 400, description: 'Bad Request: invalid JSON' });
      }
      const odd = misbehaviour[method]?.shift();
      if (odd === 'hang') {
        hung += 1;
        return;
      }
      if (odd === 'cut') {
        sent.push(body as SentTelegram);
        return void req.socket.destroy();
      }
      if (odd?.accepted) sent.push(body as SentTelegram);
      if (odd) return res.writeHead(odd.status, { 'content-type': 'application/json' }).end(odd.body);
      const failure = failures[method]?.shift();
      if (failure) return fail(failure);
      if (method === 'getUpdates') {
        const offset = typeof body.offset === 'number' ? body.offset : undefined;
        offsets.push(offset);
        if (offset !== undefined) updates = updates.filter((u) => u.update_id >= offset);
        const timeout = Math.min(Number(body.timeout ?? 0), 5);
        if (!updates.length && timeout > 0)
          await new Promise<void>((resolve) => {
            waiters.push(resolve);
            setTimeout(resolve, timeout * 1000);
          });
        return answer(200, { ok: true, result: updates.slice(0, Number(body.limit ?? 100)) });
      }
      if (method === 'sendMessage') {
        if ((typeof body.chat_id !== 'number' && typeof body.chat_id !== 'string') || typeof body.text !== 'string' || !body.text) {
          return fail({ error_code: 400, description: 'Bad Request: message text is empty' });
        }
        if (body.text.length > 4096) return fail({ error_code: 400, description: 'Bad Request: message is too long' });
        sent.push(body as SentTelegram);
        return answer(200, {
          ok: true,
          result: {
            message_id: nextMessageId++,
            date: Math.floor(Date.now() / 1000),
            chat: { id: Number(body.chat_id) },
            from: { id: botId, is_bot: true, first_name: 'Bot', username: botUsername },
            text: body.text,
          },
        });
      }
      if (method === 'getMe') return answer(200, { ok: true, result: { id: botId, is_bot: true, first_name: 'Replyline', username: botUsername } });
      answer(404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    token,
    botId,
    botUsername,
    sent,
    offsets,
    pending: () => updates.length,
    pushPrivateText: (from, text, o = {}) =>
      message(
        { id: from.id, type: 'private', first_name: from.first_name },
        from,
        text,
        o.replyTo ? { reply_to_message: { message_id: o.replyTo, from: { id: botId, is_bot: true, first_name: 'Bot' } } } : {},
      ),
    pushGroupText: (chat, from, text) => message({ ...chat, type: 'supergroup' }, from, text),
    pushRaw,
    failNext: (method, ...f) => failures[method]!.push(...f),
    misbehaveNext: (method, ...m) => misbehaviour[method]!.push(...m),
    hung: () => hung,
    async waitForSent(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (sent.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} sendMessage calls, got ${sent.length}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return sent;
    },
    close: () =>
      new Promise((resolve) => {
        wake();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
