/**
 * What monitoring costs on ingest, measured where senders pay it: posts sent to the running web process
 * (POST /api/v1/channels/:id/messages, one post per request over 32 keep-alive connections, from the load
 * generator's own process, bench/ingestLoad.ts) with no listening query active and with 50 active ones,
 * the same kind of posts, in interleaved rounds (none, 50 / 50, none / …) so that the shared machine's
 * load falls on both alike. Per mode: posts/s over all its rounds and the web process's CPU per post.
 * Language and sentiment run on every post in both modes; they are timed alone besides (their share of
 * the web process's CPU per post), which gives the whole monitoring cost: 50 queries plus language and
 * sentiment against the pipeline without either.
 *
 * Part of `npm run bench`, and on its own against a small fresh database (no seeded history):
 *   node --import tsx bench/monitoring.bench.ts      # BENCH_MONITORING_POSTS (2 000 per round), BENCH_MONITORING_ROUNDS (3)
 * The queries it adds are deactivated afterwards.
 */
import os from 'node:os';
import { loadConfig } from '../server/config';
import { systemActor } from '../server/domain/audit/actor';
import { createApiChannel } from '../server/domain/channels/api/createApiChannel';
import { inTransaction } from '../server/domain/effects';
import { createListeningQuery, setListeningQueryActivity } from '../server/domain/listening/listeningQueries';
import { detectLanguage, scoreSentiment } from '../server/domain/listening/postSignals';
import { createUser } from '../server/domain/users/createUser';
import { createLogger } from '../server/logger';
import { createServices, type Services } from '../server/services';
import { processCpuMs, runGenerator } from './apiIngest.bench';
import { freePort, freshDatabase, startRole, waitForHealth } from './processes';

const POSTS = Number(process.env.BENCH_MONITORING_POSTS ?? 2_000);
const ROUNDS = Number(process.env.BENCH_MONITORING_ROUNDS ?? 3);
const CONNECTIONS = 32;
const actor = systemActor('bench');

/** What customers write to a retailer's and a railway's care accounts, German and English. */
const TEXTS = [
  'Meine Bestellung #{n} ist noch nicht da. Können Sie nachsehen? Das ist ärgerlich.',
  'Danke für die schnelle Hilfe, super Service! #lob',
  'Der Zug ist schon wieder verspätet, eine Katastrophe. #bahn #streik',
  'Where is my parcel {n}? Nobody answers, this is terrible.',
  'Great support, thank you so much @kundenservice',
  'Wie ändere ich meine Lieferadresse für Auftrag {n}?',
  'Hallo, ich habe eine Frage zu meiner Rechnung {n}, der Betrag stimmt nicht.',
  'ok',
  'Seit drei Tagen kein Internet, der Router blinkt nur rot. Wann kommt endlich ein Techniker?',
  'My refund for order {n} still has not arrived after two weeks. Please help!',
];

/** Fifty queries of the shapes managers write: words, phrases, wildcards, hashtags, NEAR, fields, negation. */
const QUERIES = Array.from(
  { length: 50 },
  (_, i) =>
    [
      `(bestellung OR auftrag*) AND NOT storniert`,
      `"schnelle hilfe" OR #lob`,
      `#bahn AND (verspät* OR ausfall) AND lang:de`,
      `parcel NEAR/3 answers OR "where is my"`,
      `@kundenservice AND NOT lang:de`,
      `lieferadresse NEAR/4 ändere* AND channel:api`,
      `thema${i} OR stichwort${i}*`,
    ][i % 7]!,
);

type Mode = 'none' | 'fifty';
export type MonitoringRound = {
  round: number;
  queries: 0 | 50;
  postsPerSecond: number;
  webCpuMsPerPost: number;
  p95: number;
  statuses: Record<string, number>;
};

export type MonitoringFigures = {
  postsPerRound: number;
  rounds: MonitoringRound[];
  postsPerSecondWithoutQueries: number;
  postsPerSecondWith50Queries: number;
  /** time per post with 50 queries against none, from posts/s */
  queriesCostPercent: number;
  webCpuMsPerPostWithoutQueries: number;
  webCpuMsPerPostWith50Queries: number;
  queriesCpuCostPercent: number;
  signalsMsPerPost: number;
  signalsShareOfWebCpuPercent: number;
  /** 50 queries and language + sentiment against the pipeline without either (web CPU, signals' time taken off) */
  monitoringCostPercent: number;
  loadAverage: number;
};

async function setQueriesActive(services: Services, ids: string[], active: boolean) {
  await inTransaction(services.db, services.dispatcher, async (tx) => {
    for (const id of ids) await setListeningQueryActivity(tx, { id, active }, { actor });
  });
}

async function round(services: Services, baseUrl: string, webPid: number, posts: number) {
  const channel = await services.db.transaction().execute((tx) => createApiChannel(tx, services.secretBox, { name: `Bench monitoring ${Date.now()}` }, actor));
  const cpu = processCpuMs(webPid);
  const load = await runGenerator({
    baseUrl,
    channelId: channel.channelId,
    token: channel.ingestToken,
    posts,
    connections: CONNECTIONS,
    mode: 'single',
    texts: TEXTS,
  });
  return { load, webCpuMsPerPost: (processCpuMs(webPid) - cpu) / posts };
}

export async function benchMonitoring(
  services: Services,
  baseUrl: string,
  webPid: number,
  opts = { posts: POSTS, rounds: ROUNDS },
): Promise<MonitoringFigures> {
  const { db } = services;
  await db.updateTable('listeningQueries').set({ active: false, updatedAt: new Date() }).where('active', '=', true).execute();
  const user = await db
    .transaction()
    .execute((tx) =>
      createUser(tx, { email: `bench-${Date.now()}@bench.test`, name: 'Bench', role: 'manager', password: 'bench-password-2026', locale: 'en' }, actor),
    );
  const ids: string[] = [];
  await inTransaction(db, services.dispatcher, async (tx) => {
    for (const [i, query] of QUERIES.entries())
      ids.push((await createListeningQuery(tx, { name: `bench ${i}`, query, actions: i % 10 === 0 ? { tag: 'bench' } : {} }, { actor, userId: user.id })).id);
  });

  const run = async (mode: Mode, posts: number) => {
    await setQueriesActive(services, ids, mode === 'fifty');
    return round(services, baseUrl, webPid, posts);
  };
  // JIT, caches, first-run costs of both modes
  await run('none', Math.ceil(opts.posts / 4));
  await run('fifty', Math.ceil(opts.posts / 4));

  const rounds: MonitoringRound[] = [];
  for (let r = 1; r <= opts.rounds; r++) {
    const order: Mode[] = r % 2 === 1 ? ['none', 'fifty'] : ['fifty', 'none'];
    for (const mode of order) {
      const { load, webCpuMsPerPost } = await run(mode, opts.posts);
      rounds.push({
        round: r,
        queries: mode === 'fifty' ? 50 : 0,
        postsPerSecond: load.postsPerSecond,
        webCpuMsPerPost,
        p95: load.p95,
        statuses: load.statuses,
      });
    }
  }
  await setQueriesActive(services, ids, false);

  const sample = Array.from({ length: 5000 }, (_, i) => TEXTS[i % TEXTS.length]!.replace('{n}', String(100000 + i)));
  // CPU time, not wall time: on a busy machine the wall clock would count other processes' turns
  const t0 = process.cpuUsage();
  for (const text of sample) scoreSentiment(text, detectLanguage(text));
  const spent = process.cpuUsage(t0);
  const signalsMsPerPost = (spent.user + spent.system) / 1000 / sample.length;

  const of = (queries: 0 | 50) => rounds.filter((r) => r.queries === queries);
  // posts/s over all rounds of a mode (total posts over total time), CPU per post averaged the same way
  const rate = (rs: MonitoringRound[]) => (rs.length * opts.posts) / rs.reduce((s, r) => s + opts.posts / r.postsPerSecond, 0);
  const cpu = (rs: MonitoringRound[]) => rs.reduce((s, r) => s + r.webCpuMsPerPost, 0) / rs.length;
  const without = rate(of(0));
  const withQueries = rate(of(50));
  const cpuWithout = cpu(of(0));
  const cpuWith = cpu(of(50));
  const round1 = (v: number) => Math.round(v * 10) / 10;
  const round3 = (v: number) => Math.round(v * 1000) / 1000;
  return {
    postsPerRound: opts.posts,
    rounds,
    postsPerSecondWithoutQueries: Math.round(without),
    postsPerSecondWith50Queries: Math.round(withQueries),
    queriesCostPercent: round1((without / withQueries - 1) * 100),
    webCpuMsPerPostWithoutQueries: round3(cpuWithout),
    webCpuMsPerPostWith50Queries: round3(cpuWith),
    queriesCpuCostPercent: round1((cpuWith / cpuWithout - 1) * 100),
    signalsMsPerPost: round3(signalsMsPerPost),
    signalsShareOfWebCpuPercent: round1((signalsMsPerPost / cpuWithout) * 100),
    monitoringCostPercent: round1((cpuWith / (cpuWithout - signalsMsPerPost) - 1) * 100),
    loadAverage: os.loadavg()[0]!,
  };
}

/** On its own: a fresh small database, one web process, the rounds, the figures as JSON. */
async function main() {
  const adminUrl = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const url = process.env.BENCH_MONITORING_DATABASE_URL ?? adminUrl.replace(/\/[^/]*$/, '/replyline_bench_monitoring');
  await freshDatabase(adminUrl, url);
  const redisPrefix = `rlbench_monitoring_${process.pid}`;
  const services = await createServices(loadConfig({ ...process.env, DATABASE_URL: url, NODE_ENV: 'test', REDIS_PREFIX: redisPrefix }), {
    logger: createLogger('warn'),
  });
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const web = startRole('web', { DATABASE_URL: url, PORT: String(port), BASE_URL: baseUrl, REDIS_PREFIX: redisPrefix, NODE_ENV: 'test' });
  try {
    await waitForHealth(baseUrl);
    console.log(JSON.stringify(await benchMonitoring(services, baseUrl, web.child.pid!), null, 2));
  } finally {
    await web.stop();
    await services.close();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
