/**
 * The ingest load generator, run as its own process (never inside the server it measures, and on the
 * server's cores only with its own CPU counted): posts distinct messages (distinct authors and texts) over
 * `connections` keep-alive connections and prints one JSON line: posts/s, request latencies, answers by
 * status, and its own CPU time. Three ways in:
 * - `single`: one post per request to an API channel; `batch`: `batchSize` posts per request to its batch endpoint;
 * - `meta`: Facebook comments as Meta delivers them, `entries` per delivery to `/webhooks/meta`, each signed
 *   with the app secret (signed before the clock starts: Meta signs on its own machines).
 *   node --require tsx/cjs bench/ingestLoad.ts '{"baseUrl":…,"channelId":…,"token":…,"posts":4000,"connections":32,"mode":"single"}'
 */
import http from 'node:http';
import { createHmac, randomUUID } from 'node:crypto';

type ApiLoad = {
  mode: 'single' | 'batch';
  channelId: string;
  token: string;
  batchSize?: number;
  /** texts to send in turn instead of the generated ones; `{n}` becomes a number distinct per post */
  texts?: string[];
};
/** `posts` is the number of comments; each delivery carries `entries` of them. */
type MetaLoad = { mode: 'meta'; pageId: string; appSecret: string; entries: number };
export type LoadSpec = { baseUrl: string; posts: number; connections: number } & (ApiLoad | MetaLoad);
export type LoadResult = {
  posts: number;
  requests: number;
  seconds: number;
  postsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  statuses: Record<string, number>;
  /** per-post answers of the batch endpoint */
  postStatuses: Record<string, number>;
  /** the generator's CPU while sending (first request to last answer) */
  generatorCpuSeconds: number;
  /** the generator process's CPU from its start (Node's start, loading, building and signing the requests, sending) */
  generatorProcessCpuSeconds: number;
  /** the first answer that was not 2xx, for the report of a failed run */
  firstRefusal: { status: number; body: string } | null;
  /** when the first request went out (ms since the epoch): what the server does after the answers is timed from here */
  startedAt: number;
};

const WORDS = ['Bestellung', 'Lieferung', 'Paket', 'Rechnung', 'Konto', 'Vertrag', 'Zug', 'Tarif', 'Router', 'Abo'];

function post(run: string, i: number, texts?: string[]) {
  return {
    externalId: `${run}-${i}`,
    author: { externalId: `${run}-author-${i}`, name: `Kundin ${i}`, handle: `kundin_${run.slice(0, 6)}_${i}` },
    text: texts
      ? texts[i % texts.length]!.replace('{n}', String(100000 + i))
      : `${WORDS[i % WORDS.length]} #${100000 + i}: seit ${1 + (i % 9)} Tagen warte ich, bitte melden Sie sich (${run.slice(0, 8)}/${i}).`,
    postedAt: new Date(Date.now() - 1000).toISOString(),
  };
}

/** The body of the n-th Meta delivery: `count` Facebook comments (the `feed` change Meta sends for a new one), numbered as if each delivery held `entries`. */
function metaDelivery(pageId: string, n: number, entries: number, count: number): string {
  const now = Math.floor(Date.now() / 1000);
  const entry = Array.from({ length: count }, (_, i) => ({
    id: pageId,
    time: now,
    changes: [
      {
        field: 'feed',
        value: {
          item: 'comment',
          verb: 'add',
          comment_id: `${n}_${i}_${randomUUID()}`,
          post_id: `${pageId}_${n % 20}`,
          parent_id: `${pageId}_${n % 20}`,
          from: { id: `fan-${(n * entries + i) % 5000}`, name: `Fan ${(n * entries + i) % 5000}` },
          message: `Wann kommt Bestellung #${n * entries + i}? 📦`,
          created_time: now,
        },
      },
    ],
  }));
  return JSON.stringify({ object: 'page', entry });
}

type Request = { body: string; headers: Record<string, string> };

/** The requests of a run, built (and signed) before it starts. */
function requestsOf(spec: LoadSpec): { path: string; requests: Request[] } {
  if (spec.mode === 'meta') {
    const requests: Request[] = [];
    for (let n = 0; n * spec.entries < spec.posts; n++) {
      const body = metaDelivery(spec.pageId, n, spec.entries, Math.min(spec.entries, spec.posts - n * spec.entries));
      requests.push({ body, headers: { 'x-hub-signature-256': `sha256=${createHmac('sha256', spec.appSecret).update(body).digest('hex')}` } });
    }
    return { path: '/webhooks/meta', requests };
  }
  const run = randomUUID();
  const per = spec.mode === 'batch' ? (spec.batchSize ?? 500) : 1;
  const headers = { authorization: `Bearer ${spec.token}` };
  const requests: Request[] = [];
  for (let i = 0; i < spec.posts; i += per) {
    const posts = Array.from({ length: Math.min(per, spec.posts - i) }, (_, k) => post(run, i + k, spec.texts));
    requests.push({ body: JSON.stringify(spec.mode === 'batch' ? { posts } : posts[0]), headers });
  }
  return { path: `/api/v1/channels/${spec.channelId}/messages${spec.mode === 'batch' ? '/batch' : ''}`, requests };
}

function send(agent: http.Agent, url: URL, { body, headers }: Request): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.connections });
  const { path, requests } = requestsOf(spec);
  const url = new URL(path, spec.baseUrl);
  const times: number[] = [];
  const statuses: Record<string, number> = {};
  const postStatuses: Record<string, number> = {};
  let firstRefusal: LoadResult['firstRefusal'] = null;
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const startedAt = Date.now();
  await Promise.all(
    Array.from({ length: spec.connections }, async () => {
      while (next < requests.length) {
        const request = requests[next++]!;
        const sent = performance.now();
        const res = await send(agent, url, request);
        times.push(performance.now() - sent);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if ((res.status < 200 || res.status > 299) && !firstRefusal) firstRefusal = { status: res.status, body: res.body.slice(0, 500) };
        if (spec.mode === 'batch' && res.status === 200) {
          for (const r of (JSON.parse(res.body) as { results: { status: number }[] }).results) postStatuses[r.status] = (postStatuses[r.status] ?? 0) + 1;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const whole = process.cpuUsage();
  agent.destroy();
  times.sort((a, b) => a - b);
  const at = (p: number) => Math.round(times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)]! * 10) / 10;
  return {
    posts: spec.posts,
    requests: requests.length,
    seconds,
    postsPerSecond: spec.posts / seconds,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    statuses,
    postStatuses,
    generatorCpuSeconds: (used.user + used.system) / 1e6,
    generatorProcessCpuSeconds: (whole.user + whole.system) / 1e6,
    firstRefusal,
    startedAt,
  };
}

if (require.main === module) {
  runLoad(JSON.parse(process.argv[2]!) as LoadSpec).then(
    (r) => console.log(JSON.stringify(r)),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
