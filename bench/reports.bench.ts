/**
 * Report speed with 1 million inbound posts over 90 days (plus their replies) in a separate database.
 *
 *   npx tsx bench/reports.bench.ts            # seeds replyline_bench_reports once, then measures
 *   npx tsx bench/reports.bench.ts --reseed   # drops and seeds again
 *   BENCH_POSTS=200000 npx tsx bench/reports.bench.ts --reseed   # a smaller run
 *
 * The data set is the one of `npm run bench` (bench/dataset.ts: generated inside PostgreSQL, rollups
 * rebuilt after loading, then VACUUM ANALYZE as autovacuum would). The measured call is the real HTTP API: GET /api/v1/reports/sla for 90 days, all channels, by day, in
 * Europe/Berlin; the other reports are measured through their CSV exports.
 */
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { loadConfig } from '../server/config';
import { ensureDatabase, migrate } from '../server/db/migrate';
import { systemActor } from '../server/domain/audit/actor';
import { addDays, localDate } from '../server/domain/reports/range';
import { createApiToken } from '../server/domain/users/createApiToken';
import { createUser } from '../server/domain/users/createUser';
import { createLogger } from '../server/logger';
import { listen } from '../server/app';
import { createServices } from '../server/services';
import { seedDataset } from './dataset';

const POSTS = Number(process.env.BENCH_POSTS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const ADMIN_URL = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BENCH_URL = process.env.BENCH_DATABASE_URL ?? ADMIN_URL.replace(/\/[^/]*$/, '/replyline_bench_reports');
const TZ = 'Europe/Berlin';

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
  return { p50: at(0.5).toFixed(0), p95: at(0.95).toFixed(0), max: s.at(-1)!.toFixed(0) };
}

async function main() {
  const reseed = process.argv.includes('--reseed');
  if (reseed) {
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${new URL(BENCH_URL).pathname.slice(1)}" WITH (FORCE)`);
    await admin.end();
  }
  const created = await ensureDatabase(BENCH_URL);
  await migrate(BENCH_URL);
  const client = new pg.Client({ connectionString: BENCH_URL });
  await client.connect();
  const n = (await client.query<{ n: string }>(`SELECT count(*) AS n FROM messages WHERE direction = 'inbound'`)).rows[0]?.n ?? '0';
  if (created || Number(n) === 0) {
    const seeded = await seedDataset(client, { messages: POSTS * 2, conversations: Math.ceil(POSTS / 4) });
    console.log(`seeded ${seeded.messages} messages in ${seeded.seconds.toFixed(0)} s`);
  } else console.log(`reusing ${n} inbound posts in ${BENCH_URL} (--reseed to start over)`);
  const {
    rows: [size],
  } = await client.query(`SELECT count(*) FILTER (WHERE direction = 'inbound') AS inbound, count(*) AS messages,
    min(posted_at) FILTER (WHERE direction = 'inbound') AS first, max(posted_at) FILTER (WHERE direction = 'inbound') AS last FROM messages`);
  console.log(`data: ${size.inbound} inbound / ${size.messages} messages, ${new Date(size.first).toISOString()} … ${new Date(size.last).toISOString()}`);
  await client.end();

  const config = loadConfig({ ...process.env, DATABASE_URL: BENCH_URL, NODE_ENV: 'test', PORT: '0', REDIS_PREFIX: 'rlbench' });
  const services = await createServices(config, { logger: createLogger('warn') });
  const server = await listen(services, 0);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const actor = systemActor('bench');
  const user = await services.db.transaction().execute((tx) =>
    createUser(
      tx,
      {
        email: `bench-manager-${Date.now()}@bench.test`,
        name: 'Bench Manager',
        role: 'manager',
        password: 'bench-password-2026',
        locale: 'en',
      },
      actor,
    ),
  );
  const { token } = await services.db.transaction().execute((tx) => createApiToken(tx, user.id, actor));

  const today = localDate(TZ, new Date());
  const query = new URLSearchParams({ from: addDays(today, -89), to: today, granularity: 'day', timeZone: TZ }).toString();
  async function measure(label: string, path: string, runs: number) {
    const times: number[] = [];
    let rows = 0;
    for (let i = 0; i < runs + 3; i++) {
      const t0 = performance.now();
      const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
      const body = await res.text();
      if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${body.slice(0, 200)}`);
      if (i >= 3) times.push(performance.now() - t0);
      rows = path.includes('.csv') ? body.split('\r\n').length - 2 : (JSON.parse(body) as { rows: unknown[] }).rows.length;
    }
    const s = stats(times);
    console.log(`${label.padEnd(48)} p50 ${s.p50.padStart(5)} ms   p95 ${s.p95.padStart(5)} ms   max ${s.max.padStart(5)} ms   (${rows} rows, ${runs} runs)`);
    return s;
  }
  console.log(`\nGET /api/v1/reports/sla?${query}`);
  await measure('SLA API, 90 days, all channels, by day', `/api/v1/reports/sla?${query}`, RUNS);
  const month = new URLSearchParams({ from: addDays(today, -29), to: today, granularity: 'hour', timeZone: TZ }).toString();
  await measure('SLA API, 30 days, by hour (the longest hourly range)', `/api/v1/reports/sla?${month}`, 10);
  await measure('SLA API, 90 days, by day, UTC (hour rollup)', `/api/v1/reports/sla?${query.replace('Europe%2FBerlin', 'UTC')}`, 10);
  const channel = await services.db.selectFrom('channels').select('id').where('name', '=', 'Bench channel 1').executeTakeFirst();
  if (channel)
    await measure(
      'SLA API, 90 days, one channel, by week',
      `/api/v1/reports/sla?${query.replace('granularity=day', 'granularity=week')}&channelId=${channel.id}`,
      10,
    );
  for (const name of ['sla', 'response-times', 'volume', 'backlog', 'people']) {
    await measure(`${name}.csv export, 90 days`, `/api/v1/reports/${name}.csv?${query}`, 5);
  }
  server.close();
  await services.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
