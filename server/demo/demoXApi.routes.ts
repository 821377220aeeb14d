/**
 * A fake X API v2 served by the console itself outside production, so the demo's X channel has
 * traffic: a new German or English mention of the demo account every 20–40 seconds, day and night.
 * Stateless and deterministic: mention k is posted at a fixed time slot with a text from a list, so
 * restarts and since_id work like the real API. Replies (POST /2/tweets) and direct messages are answered
 * with an id; the demo account's DM events are empty.
 */
import { Router, json } from 'express';

export const DEMO_X_API_PATH = '/demo/x-api';
export const DEMO_X_ACCOUNT = { id: '1720000000000000001', handle: 'replyline_demo' };

const EPOCH = Date.UTC(2026, 0, 1);
const SLOT_MS = 30_000;
/** Without since_id (a first poll) the fake returns only this many recent mentions. */
const FIRST_POLL = 5;

const AUTHORS = [
  { id: '81000001', name: 'Jana Becker', username: 'jana_becker' },
  { id: '81000002', name: 'Murat Yılmaz', username: 'muratyilmaz' },
  { id: '81000003', name: 'Sophie Wagner', username: 'sophie_w' },
  { id: '81000004', name: 'Tom Richter', username: 'tomrichter_' },
  { id: '81000005', name: 'Emily Clarke', username: 'emclarke' },
  { id: '81000006', name: 'Lukas Hoffmann', username: 'lukas_hoffi' },
  { id: '81000007', name: 'Aylin Demir', username: 'aylin_d' },
  { id: '81000008', name: 'Peter Schulz', username: 'pschulz' },
];

const TEXTS = [
  '@replyline_demo Meine Lieferung sollte gestern kommen, laut Tracking liegt sie immer noch im Verteilzentrum. Was ist da los?',
  '@replyline_demo Hi, I was charged twice for order 48213. Can you refund one of them please?',
  '@replyline_demo Die App stürzt seit dem letzten Update beim Öffnen ab 😤 (Android 14)',
  '@replyline_demo Danke für den super schnellen Support gestern! 🙏',
  '@replyline_demo Wie lange dauert eine Rücksendung, bis das Geld zurück ist?',
  '@replyline_demo Lieferung kam beschädigt an, der Karton war komplett eingedrückt. Foto per DM?',
  '@replyline_demo Is there a way to change my delivery address after ordering?',
  '@replyline_demo Seit zwei Tagen komme ich nicht mehr in mein Kundenkonto – Passwort zurücksetzen geht auch nicht.',
  '@replyline_demo Wann kommt der Artikel 7781 wieder rein? Steht seit Wochen auf "bald verfügbar".',
  '@replyline_demo Your hotline has been busy for an hour. Is anyone actually working today?',
  '@replyline_demo Gibt es die Jacke auch in Größe XL? Online finde ich nur M und L.',
  '@replyline_demo Lieferung heute schon da, einen Tag früher als angekündigt 👍',
  '@replyline_demo Mein Gutscheincode WINTER26 wird im Checkout abgelehnt.',
  '@replyline_demo The tracking link in my confirmation email leads to a 404.',
  '@replyline_demo Kann ich auch auf Rechnung bestellen? Die Option wird mir nicht angezeigt.',
  '@replyline_demo Paket wurde beim Nachbarn abgegeben, aber der ist im Urlaub. Was nun?',
];

const hash = (k: number) => Math.imul(k ^ 0x5bd1e995, 2654435761) >>> 0;
const slotTime = (k: number) => EPOCH + k * SLOT_MS + ((hash(k) % 20_001) - 10_000);
const slotId = (k: number) => String(1_950_000_000_000_000_000n + BigInt(k) * 1_000n);
const slotOfId = (id: string) => Number((BigInt(id) - 1_950_000_000_000_000_000n) / 1_000n);

function mention(k: number) {
  const author = AUTHORS[hash(k + 7) % AUTHORS.length]!;
  return {
    post: {
      id: slotId(k),
      text: TEXTS[k % TEXTS.length]!,
      author_id: author.id,
      created_at: new Date(slotTime(k)).toISOString(),
      conversation_id: slotId(k),
      edit_history_tweet_ids: [slotId(k)],
    },
    author: { ...author, profile_image_url: `https://pbs.twimg.com/profile_images/demo/${author.username}_normal.jpg` },
  };
}

/** The newest slot already posted at `now`. */
function latestSlot(now: number): number {
  let k = Math.floor((now - EPOCH) / SLOT_MS) + 1;
  while (k > 0 && slotTime(k) > now) k -= 1;
  return k;
}

function page(now: number, q: Record<string, unknown>, filter: (text: string) => boolean) {
  const max = Math.min(100, Math.max(5, Number(q.max_results) || 10));
  const since = typeof q.since_id === 'string' && /^\d+$/.test(q.since_id) ? slotOfId(q.since_id) : null;
  const token = typeof (q.pagination_token ?? q.next_token) === 'string' ? String(q.pagination_token ?? q.next_token) : '';
  let k = /^t_\d+$/.test(token) ? slotOfId(token.slice(2)) - 1 : latestSlot(now);
  const floor = since ?? latestSlot(now) - FIRST_POLL;
  const found: ReturnType<typeof mention>[] = [];
  // Searches look at most 200 slots back (about 100 minutes), like a recent-search window.
  for (let scanned = 0; k > floor && found.length < max && scanned < 200; k -= 1, scanned += 1) {
    const m = mention(k);
    if (filter(m.post.text)) found.push(m);
  }
  if (found.length === 0) return { meta: { result_count: 0 } };
  const more = k > floor;
  return {
    data: found.map((m) => m.post),
    includes: { users: [...new Map(found.map((m) => [m.author.id, m.author])).values()] },
    meta: {
      result_count: found.length,
      newest_id: found[0]!.post.id,
      oldest_id: found.at(-1)!.post.id,
      ...(more ? { next_token: `t_${found.at(-1)!.post.id}` } : {}),
    },
  };
}

export function demoXApiRoutes(): Router {
  const router = Router();
  router.use((_req, res, next) => {
    res.set({ 'x-rate-limit-limit': '450', 'x-rate-limit-remaining': '449', 'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + 900) });
    next();
  });
  router.get('/2/users/:id/mentions', (req, res) => {
    if (req.params.id !== DEMO_X_ACCOUNT.id) return void res.json({ meta: { result_count: 0 } });
    res.json(page(Date.now(), req.query, () => true));
  });
  router.get('/2/tweets/search/recent', (req, res) => {
    const terms = String(req.query.query ?? '')
      .toLowerCase()
      .split(/\s+/)
      .filter((t) => t && !t.includes(':') && !t.startsWith('-'));
    if (terms.length === 0) return void res.status(400).json({ title: 'Invalid Request', detail: 'The `query` query parameter can not be empty', status: 400 });
    res.json(page(Date.now(), req.query, (text) => terms.every((t) => text.toLowerCase().includes(t))));
  });
  router.post('/2/tweets', json({ limit: '100kb' }), (req, res) => {
    const text = (req.body as { text?: unknown } | undefined)?.text;
    if (typeof text !== 'string' || !text) return void res.status(400).json({ title: 'Invalid Request', detail: 'text is required', status: 400 });
    const id = String(1_960_000_000_000_000_000n + BigInt(Date.now()));
    res.status(201).json({ data: { id, text, edit_history_tweet_ids: [id] } });
  });
  // The demo account has no direct messages of its own; answers to DMs are accepted like replies.
  router.get('/2/dm_events', (_req, res) => void res.json({ meta: { result_count: 0 } }));
  router.post('/2/dm_conversations/with/:participantId/messages', json({ limit: '100kb' }), (req, res) => {
    const text = (req.body as { text?: unknown } | undefined)?.text;
    if (typeof text !== 'string' || !text) return void res.status(400).json({ title: 'Invalid Request', detail: 'text is required', status: 400 });
    const id = String(1_970_000_000_000_000_000n + BigInt(Date.now()));
    res.status(201).json({ data: { dm_conversation_id: `${DEMO_X_ACCOUNT.id}-${req.params.participantId}`, dm_event_id: id } });
  });
  return router;
}
