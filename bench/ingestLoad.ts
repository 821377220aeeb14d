/**
 * The ingest load generator, run as its own process (never inside the server it measures): posts
 * distinct messages (distinct authors and texts) to an API channel over `connections` keep-alive
 * connections, one post per request (`single`) or `batchSize` posts per request (`batch`), and prints
 * one JSON line: posts/s, request latencies, answers by status, and its own CPU time.
 *   node --import tsx bench/ingestLoad.ts '{"baseUrl":…,"channelId":…,"token":…,"posts":4000,"connections":32,"mode":"single"}'
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';

export type LoadSpec = {
  baseUrl: string;
  channelId: string;
  token: string;
  posts: number;
  connections: number;
  mode: 'single' | 'batch';
  batchSize?: number;
  /** texts to send in turn instead of the generated ones; `{n}` becomes a number distinct per post */
  texts?: string[];
};
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
  generatorCpuSeconds: number;
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

function send(agent: http.Agent, url: URL, token: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
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
  const run = randomUUID();
  const per = spec.mode === 'batch' ? (spec.batchSize ?? 500) : 1;
  const path = `/api/v1/channels/${spec.channelId}/messages${spec.mode === 'batch' ? '/batch' : ''}`;
  const url = new URL(path, spec.baseUrl);
  const bodies: string[] = [];
  for (let i = 0; i < spec.posts; i += per) {
    const posts = Array.from({ length: Math.min(per, spec.posts - i) }, (_, k) => post(run, i + k, spec.texts));
    bodies.push(JSON.stringify(spec.mode === 'batch' ? { posts } : posts[0]));
  }
  const times: number[] = [];
  const statuses: Record<string, number> = {};
  const postStatuses: Record<string, number> = {};
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: spec.connections }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const sent = performance.now();
        const res = await send(agent, url, spec.token, body);
        times.push(performance.now() - sent);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (spec.mode === 'batch' && res.status === 200) {
          for (const r of (JSON.parse(res.body) as { results: { status: number }[] }).results) postStatuses[r.status] = (postStatuses[r.status] ?? 0) + 1;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  agent.destroy();
  times.sort((a, b) => a - b);
  const at = (p: number) => Math.round(times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)]! * 10) / 10;
  return {
    posts: spec.posts,
    requests: bodies.length,
    seconds,
    postsPerSecond: spec.posts / seconds,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    statuses,
    postStatuses,
    generatorCpuSeconds: (used.user + used.system) / 1e6,
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
