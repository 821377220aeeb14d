/**
 * `npm run bench`: generates its own data in a separate database and measures, in one run, ingest
 * (pipeline vs COPY; Meta webhook deliveries through the web and worker processes), inbox and conversation latency under 32 clients, the SLA report over 90 days,
 * live-event latency and peak RSS of the web and worker processes. Prints a table with the targets
 * and writes the figures as JSON to bench-results/ so runs can be compared.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { loadConfig } from '../server/config';
import { systemActor } from '../server/domain/audit/actor';
import { createApiChannel } from '../server/domain/channels/api/createApiChannel';
import { createApiToken } from '../server/domain/users/createApiToken';
import { createUser } from '../server/domain/users/createUser';
import { createLogger } from '../server/logger';
import { createServices } from '../server/services';
import { LONG_THREAD_MESSAGES, seedAuditEvents, seedDataset, seedLongConversation } from './dataset';
import { verifyAuditTrail } from '../server/domain/audit/verifyAuditTrail';
import { liveLatency, loadTest } from './http.bench';
import { benchIngest } from './ingest.bench';
import { benchRouting, prepareAgents } from './routing.bench';
import { benchMetaWebhook } from './metaWebhook.bench';
import { benchApiIngest, processCpuMs } from './apiIngest.bench';
import { benchMonitoring } from './monitoring.bench';
import { benchWidgetStreams } from './widgetStreams.bench';
import { benchParts, lastBaseline, printScaleTable, type BenchPart } from './scale';
import { freePort, freshDatabase, signIn, startRole, waitForHealth } from './processes';

const ADMIN_URL = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BENCH_URL = process.env.BENCH_DATABASE_URL ?? ADMIN_URL.replace(/\/[^/]*$/, '/replyline_bench');
// BENCH_SCALE=10: ten times the messages, conversations and audit events (bench/scale.ts, README "Ten times the data").
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const ONLY = benchParts(process.env.BENCH_ONLY);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? Math.round(1_000_000 * SCALE));
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? Math.round(200_000 * SCALE));
const INGEST_POSTS = Number(process.env.BENCH_INGEST_POSTS ?? 10_000);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 10);
const AUDIT_EVENTS = Number(process.env.BENCH_AUDIT_EVENTS ?? Math.round(1_000_000 * SCALE));
const META_DELIVERIES = Number(process.env.BENCH_META_DELIVERIES ?? 200);
const HTTP_POSTS = Number(process.env.BENCH_HTTP_POSTS ?? 5_000);
const BATCH_POSTS = Number(process.env.BENCH_BATCH_POSTS ?? 20_000);
const WEBHOOK_POSTS = Number(process.env.BENCH_WEBHOOK_POSTS ?? 4_000);
// The bench's channels and stand-ins live on this machine's loopback: allowed explicitly, as in the tests.
process.env.OUTBOUND_ALLOWED_HOSTS ??= '127.0.0.1,localhost';
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
const PASSWORD = 'bench-password-2026';
const actor = systemActor('bench');
/** Runs a part of the bench unless BENCH_ONLY leaves it out. */
const part = <T>(name: BenchPart, run: () => Promise<T>): Promise<T | undefined> => (ONLY.has(name) ? run() : Promise.resolve(undefined));

/** One client, `runs` requests in turn after three unmeasured ones. */
async function sampleTimes(url: string, headers: Record<string, string>, runs: number) {
  const times: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const started = performance.now();
    const res = await fetch(url, { headers, redirect: 'manual' });
    await res.text();
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    if (i >= 3) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)]!;
  return { p50: at(0.5), p95: at(0.95) };
}

/** The inbox and the split view from a second web role forked into two processes (WEB_CONCURRENCY=2); the first web process idles meanwhile. */
async function clusteredPages(env: Record<string, string>, email: string, conversationId: string) {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const web = startRole('web', { ...env, PORT: String(port), BASE_URL: baseUrl, WEB_CONCURRENCY: '2' });
  try {
    await waitForHealth(baseUrl);
    const cookie = await signIn(baseUrl, email, PASSWORD);
    await loadTest(`${baseUrl}/inbox`, cookie, 32, WARMUP_SECONDS);
    await loadTest(`${baseUrl}/inbox/${conversationId}`, cookie, 32, WARMUP_SECONDS);
    const inbox = await loadTest(`${baseUrl}/inbox`, cookie, 32, LOAD_SECONDS);
    const splitView = await loadTest(`${baseUrl}/inbox/${conversationId}`, cookie, 32, LOAD_SECONDS);
    return { inbox, splitView, webProcessPeakRssMb: web.forkedPeakRssMb() };
  } finally {
    await web.stop();
  }
}

async function main() {
  const started = Date.now();
  const say = (msg: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${msg}`);
  say(`fresh database ${new URL(BENCH_URL).pathname.slice(1)}`);
  await freshDatabase(ADMIN_URL, BENCH_URL);
  const seedClient = new pg.Client({ connectionString: BENCH_URL });
  await seedClient.connect();
  const seeded = await seedDataset(seedClient, { messages: MESSAGES, conversations: CONVERSATIONS });
  say(`seeded ${seeded.messages} messages in ${seeded.conversations} conversations over 90 days (${seeded.seconds.toFixed(0)} s)`);
  const longThread = await seedLongConversation(seedClient);
  say(`one closed conversation given ${LONG_THREAD_MESSAGES} more messages: a thread of ${longThread.messages}`);
  // Only the audit part reads the audit events: a BENCH_ONLY run without it does not seed them.
  const auditSeeded = (await part('audit', () => seedAuditEvents(seedClient, AUDIT_EVENTS))) ?? { events: 0, seconds: 0 };
  await seedClient.end();
  say(
    ONLY.has('audit')
      ? `seeded ${auditSeeded.events} audit events through the chain trigger (${auditSeeded.seconds.toFixed(0)} s)`
      : 'no audit events seeded (BENCH_ONLY leaves out the audit part)',
  );

  const redisPrefix = `rlbench_${process.pid}`;
  const config = loadConfig({ ...process.env, DATABASE_URL: BENCH_URL, NODE_ENV: 'test', REDIS_PREFIX: redisPrefix });
  const services = await createServices(config, { logger: createLogger('warn') });
  const fullVerification = await part('audit', async () => {
    say('audit chain: full verification of every event (the first checkpoint)');
    const fullStarted = performance.now();
    const run = await verifyAuditTrail(services.db, null, { mode: 'full', trigger: 'cli' });
    if (!run.ok) throw new Error(`the bench's audit chain is broken at #${run.brokenAtSeq}`);
    return { seconds: (performance.now() - fullStarted) / 1000, events: Number(run.eventsChecked) };
  });
  const policy = await services.db.selectFrom('slaPolicies').select('id').executeTakeFirst();
  const inProcess = await part('ingest', async () => {
    say(`ingest: ${INGEST_POSTS} posts through the pipeline, then COPY of the same rows`);
    const ingest = await benchIngest(services, { posts: INGEST_POSTS, concurrency: 16, slaPolicyId: policy?.id ?? null });
    say('routing: 20 agents online; 20 rounds of 32 arrivals at once, one router running passes back to back');
    await prepareAgents(services, 20);
    const routing = await benchRouting(services, { rounds: 20, concurrency: 32 });
    say(`ingest with automatic routing: ${INGEST_POSTS} posts, a router alongside`);
    const ingestRouted = await benchIngest(services, { posts: INGEST_POSTS, concurrency: 16, slaPolicyId: policy?.id ?? null, routing: true });
    return { ingest, routing, ingestRouted };
  });

  const manager = await services.db.transaction().execute((tx) =>
    createUser(
      tx,
      {
        email: `bench-manager-${process.pid}@bench.test`,
        name: 'Bench Manager',
        role: 'manager',
        password: PASSWORD,
        locale: 'en',
      },
      actor,
    ),
  );
  const { token } = await services.db.transaction().execute((tx) => createApiToken(tx, manager.id, actor));
  const liveChannel = await services.db.transaction().execute((tx) => createApiChannel(tx, services.secretBox, { name: 'Bench live' }, actor));
  const conversation = await services.db.selectFrom('conversations').select('id').orderBy('lastMessageAt', 'desc').limit(1).executeTakeFirstOrThrow();
  const auditVerify = await part('audit', async () => {
    say('audit chain: incremental verification of what the ingest added since the checkpoint');
    const incrementalStarted = performance.now();
    const incrementalRun = await verifyAuditTrail(services.db, null, { mode: 'incremental', trigger: 'schedule' });
    return {
      fullSeconds: fullVerification!.seconds,
      fullEvents: fullVerification!.events,
      incrementalMs: performance.now() - incrementalStarted,
      incrementalEvents: Number(incrementalRun.eventsChecked),
    };
  });

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env = { DATABASE_URL: BENCH_URL, PORT: String(port), BASE_URL: baseUrl, REDIS_PREFIX: redisPrefix, NODE_ENV: 'test' };
  const web = startRole('web', env);
  const worker = startRole('worker', env);
  try {
    await waitForHealth(baseUrl);
    const cookie = await signIn(baseUrl, manager.email, PASSWORD);
    // Steady state, not start-up: the processes compile their templates and code paths, the worker
    // re-adds the timers the ingest step left, PostgreSQL's caches fill; then the measured runs.
    // A page under load, with the web process's CPU per request (utime + stime from /proc over the run).
    const pageLoad = async (pagePath: string) => {
      const cpuBefore = processCpuMs(web.child.pid!);
      const figures = await loadTest(`${baseUrl}${pagePath}`, cookie, 32, LOAD_SECONDS);
      return { ...figures, webCpuMsPerRequest: (processCpuMs(web.child.pid!) - cpuBefore) / Math.max(1, figures.requests) };
    };
    const pages = await part('pages', async () => {
      say(`warm-up: 32 clients for ${WARMUP_SECONDS} s on each page (not measured)`);
      await loadTest(`${baseUrl}/inbox`, cookie, 32, WARMUP_SECONDS);
      await loadTest(`${baseUrl}/conversations/${conversation.id}`, cookie, 32, WARMUP_SECONDS);
      await loadTest(`${baseUrl}/inbox/${conversation.id}`, cookie, 32, WARMUP_SECONDS);
      say(`inbox: 32 clients for ${LOAD_SECONDS} s`);
      const inbox = await pageLoad('/inbox');
      say(`conversation page: 32 clients for ${LOAD_SECONDS} s`);
      const conversationPage = await pageLoad(`/conversations/${conversation.id}`);
      say(`conversation page of a long thread: warm-up, then 32 clients for ${LOAD_SECONDS} s`);
      await loadTest(`${baseUrl}/conversations/${longThread.id}`, cookie, 32, WARMUP_SECONDS);
      return { inbox, conversationPage, longThreadPage: { ...(await pageLoad(`/conversations/${longThread.id}`)), messages: longThread.messages } };
    });
    const auditPages = await part('audit', async () => {
      say(`audit page (people only, the default view): warm-up, then 32 clients for ${LOAD_SECONDS} s`);
      await loadTest(`${baseUrl}/audit`, cookie, 32, WARMUP_SECONDS);
      const auditPage = await loadTest(`${baseUrl}/audit`, cookie, 32, LOAD_SECONDS);
      say(`audit page, everyone, one action group: 32 clients for ${LOAD_SECONDS} s`);
      return { auditPage, auditPageGroup: await loadTest(`${baseUrl}/audit?scope=all&group=messages`, cookie, 32, LOAD_SECONDS) };
    });
    const splitView = await part('pages', async () => {
      say(`inbox with the conversation open beside it: 32 clients for ${LOAD_SECONDS} s`);
      return pageLoad(`/inbox/${conversation.id}`);
    });
    const today = new Date();
    const reportQuery = `from=${new Date(today.getTime() - 89 * 86_400_000).toISOString().slice(0, 10)}&to=${today.toISOString().slice(0, 10)}&granularity=day&timeZone=Europe%2FBerlin`;
    const reports = await part('reports', () => {
      say('SLA report API: 90 days, all channels, by day');
      return sampleTimes(`${baseUrl}/api/v1/reports/sla?${reportQuery}`, { authorization: `Bearer ${token}` }, 30);
    });
    const reportPage = await part('reports', () => {
      say('SLA report page (what a manager opens): the same 90 days by day, one client');
      return sampleTimes(`${baseUrl}/reports/sla?${reportQuery}`, { cookie }, 30);
    });
    const streams = await part('live', async () => {
      say('live: 200 posts, time to their SSE event');
      const live = await liveLatency(baseUrl, cookie, { channelId: liveChannel.channelId, token: liveChannel.ingestToken }, 200);
      say('website chat: 1000 visitor streams held by the web process, agent replies timed to the visitor');
      return { live, widgetStreams: await benchWidgetStreams(services, baseUrl, web.child.pid!, { id: manager.id, token }) };
    });
    const overHttp = await part('ingest', async () => {
      const httpIngest = { posts: HTTP_POSTS, connections: 32, mode: 'single' as const, slaPolicyId: policy?.id ?? null };
      say(`single-post ingest over HTTP: warm-up, then ${HTTP_POSTS} posts over 32 keep-alive connections from a load generator process`);
      await benchApiIngest(services, baseUrl, web.child.pid!, { ...httpIngest, posts: Math.ceil(HTTP_POSTS / 5) });
      const apiSingle = await benchApiIngest(services, baseUrl, web.child.pid!, httpIngest);
      say(`batch endpoint: ${BATCH_POSTS} posts, 500 per request, 4 connections`);
      const apiBatch = await benchApiIngest(services, baseUrl, web.child.pid!, {
        posts: BATCH_POSTS,
        connections: 4,
        mode: 'batch',
        batchSize: 500,
        slaPolicyId: policy?.id ?? null,
      });
      say(`Meta webhook: ${WEBHOOK_POSTS} signed deliveries of one comment, 32 at once, until every comment is stored`);
      const webhookSingle = await benchMetaWebhook(
        services,
        baseUrl,
        { web: web.child.pid!, worker: worker.child.pid! },
        { deliveries: WEBHOOK_POSTS, concurrency: 32, entries: 1 },
      );
      say(`Meta webhook: ${META_DELIVERIES} signed deliveries of 50 comments, 8 at once, until every comment is stored`);
      const metaWebhook = await benchMetaWebhook(
        services,
        baseUrl,
        { web: web.child.pid!, worker: worker.child.pid! },
        { deliveries: META_DELIVERIES, concurrency: 8, entries: 50 },
      );
      say('monitoring: single-post ingest over HTTP with 50 active listening queries against none, interleaved rounds');
      const monitoring = await benchMonitoring(services, baseUrl, web.child.pid!);
      return { apiSingle, apiBatch, webhookSingle, metaWebhook, monitoring };
    });
    const memory = { webPeakRssMb: web.peakRssMb(), workerPeakRssMb: worker.peakRssMb() };
    const clustered = await part('pages', () => {
      say(`the same pages from WEB_CONCURRENCY=2 (two web processes sharing a port): warm-up, then 32 clients for ${LOAD_SECONDS} s each`);
      return clusteredPages(env, manager.email, conversation.id);
    });

    const figures = { ...overHttp, ...inProcess, ...pages, splitView, clustered, reports, reportPage, ...streams, memory, ...auditPages, auditVerify };
    const complete = isComplete(figures);
    if (complete) printTable(figures);
    // A scaled run, or a BENCH_ONLY run (the full table needs every part), beside the last 1× run on record.
    if (SCALE !== 1 || !complete)
      printScaleTable(
        SCALE,
        { inboxP95: pages?.inbox.p95, reportsP95: reports?.p95, reportPageP95: reportPage?.p95 },
        lastBaseline('bench-results', MESSAGES / SCALE),
      );
    const result = {
      ranAt: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version },
      scale: SCALE,
      parts: [...ONLY],
      data: { ...seeded, auditEvents: auditSeeded.events },
      ...figures,
    };
    mkdirSync('bench-results', { recursive: true });
    writeFileSync(`bench-results/${result.ranAt.replace(/[:.]/g, '-')}.json`, JSON.stringify(result, null, 2));
    writeFileSync('bench-results/latest.json', JSON.stringify(result, null, 2));
    say('written to bench-results/latest.json');
  } finally {
    await web.stop();
    await worker.stop();
    await services.close();
  }
}

/** A page under load, with the web process's CPU per request. */
type PageFigures = Awaited<ReturnType<typeof loadTest>> & { webCpuMsPerRequest: number };

type Figures = {
  apiSingle: Awaited<ReturnType<typeof benchApiIngest>>;
  apiBatch: Awaited<ReturnType<typeof benchApiIngest>>;
  webhookSingle: Awaited<ReturnType<typeof benchMetaWebhook>>;
  monitoring: Awaited<ReturnType<typeof benchMonitoring>>;
  ingest: Awaited<ReturnType<typeof benchIngest>>;
  ingestRouted: Awaited<ReturnType<typeof benchIngest>>;
  routing: Awaited<ReturnType<typeof benchRouting>>;
  metaWebhook: Awaited<ReturnType<typeof benchMetaWebhook>>;
  inbox: PageFigures;
  conversationPage: PageFigures;
  longThreadPage: PageFigures & { messages: number };
  splitView: PageFigures;
  clustered: Awaited<ReturnType<typeof clusteredPages>>;
  reports: { p50: number; p95: number };
  reportPage: { p50: number; p95: number };
  live: { p50: number; p95: number; max: number };
  widgetStreams: Awaited<ReturnType<typeof benchWidgetStreams>>;
  memory: { webPeakRssMb: number; workerPeakRssMb: number };
  auditPage: Awaited<ReturnType<typeof loadTest>>;
  auditPageGroup: Awaited<ReturnType<typeof loadTest>>;
  auditVerify: { fullSeconds: number; fullEvents: number; incrementalMs: number; incrementalEvents: number };
};

/** Every part ran (no BENCH_ONLY): the full table can be printed. */
function isComplete(f: Partial<Figures>): f is Figures {
  return Object.values(f).every((figure) => figure !== undefined);
}

function printTable(f: Figures) {
  const n = (v: number, digits = 0) => v.toFixed(digits);
  const load = (v: number) => `load ${n(v, 1)}`;
  const once = (ok: boolean) => (ok ? 'exactly once' : 'NOT exactly once');
  const rows: [string, string, string, boolean][] = [
    [
      '1 single-post ingest over HTTP, 32 connections',
      `${n(f.apiSingle.postsPerSecond)} posts/s, p50 ${f.apiSingle.p50} / p95 ${f.apiSingle.p95} ms, ${once(f.apiSingle.exactlyOnce)}; per post: web CPU ${n(f.apiSingle.webCpuMsPerPost, 2)} ms, PostgreSQL ${n(f.apiSingle.postgresCpuMsPerPost, 2)} ms, Redis ${n(f.apiSingle.redisCpuMsPerPost, 2)} ms, machine ${n(f.apiSingle.machineCpuMsPerPost, 2)} ms (ceiling ${n(f.apiSingle.ceilingPostsPerSecond)} posts/s), ${n(f.apiSingle.commitsPerPost, 3)} commits, ${n(f.apiSingle.redisCallsPerPost, 2)} Redis calls; ${load(f.apiSingle.loadAverage)}`,
      '≥ 2000 posts/s (goal 5000), p95 ≤ 50 ms',
      f.apiSingle.postsPerSecond >= 2000 && f.apiSingle.p95 <= 50 && f.apiSingle.exactlyOnce,
    ],
    [
      '1 batch endpoint, 500 posts per request, 4 connections',
      `${n(f.apiBatch.postsPerSecond)} posts/s, request p95 ${f.apiBatch.p95} ms, ${once(f.apiBatch.exactlyOnce)}; per post: web CPU ${n(f.apiBatch.webCpuMsPerPost, 2)} ms, PostgreSQL ${n(f.apiBatch.postgresCpuMsPerPost, 2)} ms, machine ${n(f.apiBatch.machineCpuMsPerPost, 2)} ms (ceiling ${n(f.apiBatch.ceilingPostsPerSecond)} posts/s); ${load(f.apiBatch.loadAverage)}`,
      '≥ 5000 posts/s',
      f.apiBatch.postsPerSecond >= 5000 && f.apiBatch.exactlyOnce,
    ],
    [
      '1 webhook ingest, one comment per delivery, 32 connections',
      `${n(f.webhookSingle.ingestedCommentsPerSecond)} comments/s stored (accept p95 ${n(f.webhookSingle.acceptP95Ms)} ms), ${once(f.webhookSingle.exactlyOnce)}; per comment: CPU of the web process ${n(f.webhookSingle.webCpuMsPerComment, 2)} ms, the worker ${n(f.webhookSingle.workerCpuMsPerComment, 2)} ms, PostgreSQL ${n(f.webhookSingle.postgresCpuMsPerComment, 2)} ms, the load generator ${n(f.webhookSingle.generatorCpuMsPerComment, 2)} ms, the whole machine ${n(f.webhookSingle.machineCpuMsPerComment, 2)} ms (ceiling ${n(f.webhookSingle.ceilingCommentsPerSecond)} comments/s); ${n(f.webhookSingle.commitsPerComment, 3)} commits, ${n(f.webhookSingle.redisCallsPerComment, 2)} Redis calls; ${load(f.webhookSingle.loadAverage)}`,
      '≥ 2000 posts/s',
      f.webhookSingle.ingestedCommentsPerSecond >= 2000 && f.webhookSingle.exactlyOnce,
    ],
    [
      '21 monitoring on ingest (50 queries, language + sentiment)',
      `+${n(f.monitoring.monitoringCostPercent, 1)} % web CPU per post (queries: ${n(f.monitoring.postsPerSecondWithoutQueries)} → ${n(f.monitoring.postsPerSecondWith50Queries)} posts/s, +${n(f.monitoring.queriesCostPercent, 1)} % time, +${n(f.monitoring.queriesCpuCostPercent, 1)} % CPU; signals ${n(f.monitoring.signalsMsPerPost, 3)} ms per post); ${load(f.monitoring.loadAverage)}`,
      '< 20 %',
      f.monitoring.monitoringCostPercent < 20,
    ],
    [
      '1 ingest in process (ingestBatch, 500 per transaction)',
      `${n(f.ingest.pipelinePostsPerSecond)} posts/s (COPY ${n(f.ingest.copyRowsPerSecond)} rows/s, ratio ${n(f.ingest.ratio, 3)})`,
      '≥ 5000 posts/s',
      f.ingest.pipelinePostsPerSecond >= 5000,
    ],
    ['1 ingest with automatic routing', `${n(f.ingestRouted.pipelinePostsPerSecond)} posts/s`, '—', true],
    [
      '6 routing decision, 32 arrivals at once',
      `pass p50 ${n(f.routing.pass.p50, 1)} / p95 ${n(f.routing.pass.p95, 1)} ms; arrival → assigned p50 ${n(f.routing.arrivalToAssigned.p50)} / p95 ${n(f.routing.arrivalToAssigned.p95)} ms`,
      'p95 ≤ 10 ms',
      f.routing.pass.p95 <= 10,
    ],
    [
      '1 ingest, Meta webhook (signed, 50 entries)',
      `${n(f.metaWebhook.ingestedCommentsPerSecond)} comments/s stored, ${once(f.metaWebhook.exactlyOnce)}; ${n(f.metaWebhook.acceptedDeliveriesPerSecond)} deliveries/s accepted (p95 ${n(f.metaWebhook.acceptP95Ms)} ms)`,
      '—',
      true,
    ],
    [
      '2 inbox page, 32 clients',
      `p50 ${f.inbox.p50} / p95 ${f.inbox.p95} / p99 ${f.inbox.p99} ms, ${n(f.inbox.requestsPerSecond)} req/s; web CPU ${n(f.inbox.webCpuMsPerRequest, 2)} ms per page`,
      'p95 < 50 ms',
      f.inbox.p95 < 50,
    ],
    [
      '2 conversation page, 32 clients',
      `p50 ${f.conversationPage.p50} / p95 ${f.conversationPage.p95} / p99 ${f.conversationPage.p99} ms, ${n(f.conversationPage.requestsPerSecond)} req/s; web CPU ${n(f.conversationPage.webCpuMsPerRequest, 2)} ms per page`,
      'p95 < 50 ms',
      f.conversationPage.p95 < 50,
    ],
    [
      `2 conversation page, a thread of ${f.longThreadPage.messages} messages, 32 clients`,
      `p50 ${f.longThreadPage.p50} / p95 ${f.longThreadPage.p95} / p99 ${f.longThreadPage.p99} ms, ${n(f.longThreadPage.requestsPerSecond)} req/s; web CPU ${n(f.longThreadPage.webCpuMsPerRequest, 2)} ms per page`,
      'p95 < 50 ms',
      f.longThreadPage.p95 < 50,
    ],
    [
      '2 inbox + open conversation (/inbox/:id), 32 clients',
      `p50 ${f.splitView.p50} / p95 ${f.splitView.p95} / p99 ${f.splitView.p99} ms, ${n(f.splitView.requestsPerSecond)} req/s; web CPU ${n(f.splitView.webCpuMsPerRequest, 2)} ms per page`,
      'p95 < 50 ms',
      f.splitView.p95 < 50,
    ],
    [
      '4 inbox page, WEB_CONCURRENCY=2, 32 clients',
      `p50 ${f.clustered.inbox.p50} / p95 ${f.clustered.inbox.p95} / p99 ${f.clustered.inbox.p99} ms, ${n(f.clustered.inbox.requestsPerSecond)} req/s`,
      'p95 < 50 ms',
      f.clustered.inbox.p95 < 50,
    ],
    [
      '4 inbox + open conversation, WEB_CONCURRENCY=2, 32 clients',
      `p50 ${f.clustered.splitView.p50} / p95 ${f.clustered.splitView.p95} / p99 ${f.clustered.splitView.p99} ms, ${n(f.clustered.splitView.requestsPerSecond)} req/s; peak RSS per web process ${n(f.clustered.webProcessPeakRssMb)} MB`,
      'p95 < 50 ms',
      f.clustered.splitView.p95 < 50,
    ],
    ['3 SLA report, 90 days', `p50 ${n(f.reports.p50)} / p95 ${n(f.reports.p95)} ms`, 'p95 < 300 ms', f.reports.p95 < 300],
    ['3 SLA report page, 90 days by day', `p50 ${n(f.reportPage.p50)} / p95 ${n(f.reportPage.p95)} ms`, 'p95 < 300 ms', f.reportPage.p95 < 300],
    [
      '18 website chat: visitor streams on one web process',
      `${f.widgetStreams.streams} streams, reply → visitor p50 ${n(f.widgetStreams.p50)} / p95 ${n(f.widgetStreams.p95)} ms, ${f.widgetStreams.lost} lost; web RSS ${n(f.widgetStreams.rssBeforeMb)} → ${n(f.widgetStreams.rssAfterMb)} MB (${n(f.widgetStreams.kbPerStream, 1)} kB per stream)`,
      '1000 streams, p95 ≤ 100 ms',
      f.widgetStreams.streams >= 1000 && f.widgetStreams.p95 <= 100 && f.widgetStreams.lost === 0,
    ],
    ['4 live, post → SSE event', `p50 ${n(f.live.p50)} / p95 ${n(f.live.p95)} ms`, 'p95 < 250 ms', f.live.p95 < 250],
    [
      `6 audit page (${AUDIT_EVENTS} events), 32 clients`,
      `p50 ${f.auditPage.p50} / p95 ${f.auditPage.p95} / p99 ${f.auditPage.p99} ms, ${n(f.auditPage.requestsPerSecond)} req/s`,
      'p95 ≤ 100 ms',
      f.auditPage.p95 <= 100,
    ],
    [
      '6 audit page, all actors, one group',
      `p50 ${f.auditPageGroup.p50} / p95 ${f.auditPageGroup.p95} / p99 ${f.auditPageGroup.p99} ms, ${n(f.auditPageGroup.requestsPerSecond)} req/s`,
      'p95 ≤ 100 ms',
      f.auditPageGroup.p95 <= 100,
    ],
    [
      '6 audit chain verification',
      `full ${n(f.auditVerify.fullSeconds, 1)} s for ${f.auditVerify.fullEvents} events; incremental ${n(f.auditVerify.incrementalMs)} ms for ${f.auditVerify.incrementalEvents}`,
      '—',
      true,
    ],
    [
      '5 peak RSS',
      `web ${n(f.memory.webPeakRssMb)} MB, worker ${n(f.memory.workerPeakRssMb)} MB, web process forked by WEB_CONCURRENCY=2 ${n(f.clustered.webProcessPeakRssMb)} MB`,
      '≤ 250 MB each',
      Math.max(f.memory.webPeakRssMb, f.memory.workerPeakRssMb, f.clustered.webProcessPeakRssMb) <= 250,
    ],
  ];
  console.log('\n| figure | measured | target | met |\n|---|---|---|---|');
  for (const [name, measured, target, met] of rows) console.log(`| ${name} | ${measured} | ${target} | ${met ? 'yes' : 'NO'} |`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
