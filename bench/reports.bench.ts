/**
 * Report speed with 1 million inbound posts over 90 days (plus their replies) in a separate database.
 *
 *   npx tsx bench/reports.bench.ts            # seeds replyline_bench_reports once, then measures
 *   npx tsx bench/reports.bench.ts --reseed   # drops and seeds again
 *   BENCH_POSTS=200000 npx tsx bench/reports.bench.ts --reseed   # a smaller run
 *
 * Seeding is one INSERT … SELECT generate_series per table (no round trips), with triggers off
 * (session_replication_role = replica) while loading, then VACUUM ANALYZE as autovacuum would. The
 * measured call is the real HTTP API: GET /api/v1/reports/sla for 90 days, all channels, by day, in
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
import { listen } from '../server/main';
import { createServices } from '../server/services';

const POSTS = Number(process.env.BENCH_POSTS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const ADMIN_URL = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BENCH_URL = process.env.BENCH_DATABASE_URL ?? ADMIN_URL.replace(/\/[^/]*$/, '/replyline_bench_reports');
const TZ = 'Europe/Berlin';

async function seed(client: pg.Client) {
  const t0 = Date.now();
  await client.query(`SET session_replication_role = replica`);
  await client.query(`
    INSERT INTO channels (kind, name) SELECT (ARRAY['x','whatsapp','email','telegram','webchat','api'])[i], 'Bench channel ' || i FROM generate_series(1, 6) i;
    INSERT INTO users (email, name, role, password_hash)
      SELECT 'bench-agent-' || i || '@bench.test', 'Bench Agent ' || i, 'agent', 'x' FROM generate_series(1, 25) i;
    INSERT INTO topics (channel_id, name) SELECT id, 'Topic of ' || name FROM channels WHERE name LIKE 'Bench channel%';`);
  const convs = Math.ceil(POSTS / 4);
  await client.query(`
    CREATE TEMP TABLE ch AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM channels;
    CREATE TEMP TABLE ag AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM users WHERE email LIKE 'bench-agent-%';
    CREATE TEMP TABLE tp AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM topics;
    INSERT INTO contacts (name) SELECT 'Kunde ' || i FROM generate_series(1, ${convs}) i;
    CREATE TEMP TABLE ct AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM contacts;`);
  // 4 posts per conversation; channel, topic and assignee picked by number.
  await client.query(`
    INSERT INTO conversations (channel_id, contact_id, status, assignee_id, last_message_at, topic_id)
    SELECT ch.id, ct.id, (ARRAY['new','assigned','answered','closed','closed','closed','saved'])[1 + ct.n % 7],
           ag.id, now() - (random() * interval '90 days'), CASE WHEN ct.n % 3 = 0 THEN tp.id END
      FROM ct JOIN ch ON ch.n = 1 + ct.n % 6 JOIN ag ON ag.n = 1 + ct.n % 25 JOIN tp ON tp.n = 1 + ct.n % 6`);
  await client.query(`CREATE TEMP TABLE cv AS SELECT row_number() OVER (ORDER BY id) AS n, id, channel_id, topic_id, assignee_id FROM conversations`);
  // Inbound posts: more by day than by night (local), response times long-tailed, ~8 % late, ~1 % unanswered.
  await client.query(`
    CREATE TEMP TABLE gen AS
    SELECT i, gen_random_uuid() AS id, gen_random_uuid() AS reply_id, cv.id AS conversation_id, cv.channel_id, cv.topic_id, cv.assignee_id,
           least(now() - interval '1 minute', date_trunc('day', now()) - (floor(random() * 90) * interval '1 day')
             + ((5 + 16 * power(random(), 0.9)) * interval '1 hour')) AS posted_at,
           (-ln(1 - random() * 0.9999) * 35) AS wall_minutes,
           random() AS r
      FROM generate_series(1, ${POSTS}) i JOIN cv ON cv.n = 1 + (i - 1) / 4`);
  await client.query(`
    INSERT INTO messages (id, conversation_id, channel_id, direction, author_name, author_user_id, text, posted_at, delivery_state)
    SELECT reply_id, conversation_id, channel_id, 'outbound', 'Agent', assignee_id, 'Danke für Ihre Nachricht', posted_at + wall_minutes * interval '1 minute', 'sent'
      FROM gen WHERE r >= 0.01 AND posted_at + wall_minutes * interval '1 minute' < now()`);
  await client.query(`
    INSERT INTO messages (id, conversation_id, channel_id, topic_id, direction, external_id, author_name, text, posted_at,
                          sla_kind, sla_due_at, sla_warn_at, sla_state, responded_at, response_message_id,
                          business_minutes_to_respond, wall_minutes_to_respond, breached_at, breach_responsible_user_id, breach_reason)
    SELECT id, conversation_id, channel_id, topic_id, 'inbound', 'bench-' || i, 'Kunde', 'Wo bleibt meine Bestellung?', posted_at,
           'first', due, due - interval '12 minutes',
           CASE WHEN answered THEN (CASE WHEN responded <= due THEN 'met' ELSE 'breached' END)
                WHEN due <= now() THEN 'breached' ELSE 'ok' END,
           CASE WHEN answered THEN responded END, CASE WHEN answered THEN reply_id END,
           CASE WHEN answered THEN round((wall_minutes * 0.8)::numeric, 1) END, CASE WHEN answered THEN round(wall_minutes::numeric, 1) END,
           CASE WHEN (answered AND responded > due) OR (NOT answered AND due <= now()) THEN due END,
           CASE WHEN (answered AND responded > due) OR (NOT answered AND due <= now()) THEN assignee_id END,
           CASE WHEN answered AND responded > due THEN 'answered after the due time' WHEN NOT answered AND due <= now() THEN 'no answer before the due time' END
      FROM (SELECT g.*, posted_at + interval '60 minutes' + (r * 30) * interval '1 minute' AS due,
                   posted_at + wall_minutes * interval '1 minute' AS responded,
                   r >= 0.01 AND posted_at + wall_minutes * interval '1 minute' < now() AS answered FROM gen g) x`);
  await client.query(`SET session_replication_role = origin`);
  await client.query(`VACUUM ANALYZE messages`);
  await client.query(`VACUUM ANALYZE conversations`);
  console.log(`seeded ${POSTS} inbound posts (+ replies) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

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
  if (created || Number(n) === 0) await seed(client);
  else console.log(`reusing ${n} inbound posts in ${BENCH_URL} (--reseed to start over)`);
  const { rows: [size] } = await client.query(`SELECT count(*) FILTER (WHERE direction = 'inbound') AS inbound, count(*) AS messages,
    min(posted_at) FILTER (WHERE direction = 'inbound') AS first, max(posted_at) FILTER (WHERE direction = 'inbound') AS last FROM messages`);
  console.log(`data: ${size.inbound} inbound / ${size.messages} messages, ${new Date(size.first).toISOString()} … ${new Date(size.last).toISOString()}`);
  await client.end();

  const config = loadConfig({ ...process.env, DATABASE_URL: BENCH_URL, NODE_ENV: 'test', PORT: '0', REDIS_PREFIX: 'rlbench' });
  const services = await createServices(config, { logger: createLogger('warn') });
  const server = await listen(services, 0);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const actor = systemActor('bench');
  const user = await services.db.transaction().execute((tx) => createUser(tx, {
    email: `bench-manager-${Date.now()}@bench.test`, name: 'Bench Manager', role: 'manager', password: 'bench-password-2026', locale: 'en',
  }, actor));
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
  await measure('SLA API, 90 days, by hour', `/api/v1/reports/sla?${query.replace('granularity=day', 'granularity=hour')}`, 10);
  const channel = await services.db.selectFrom('channels').select('id').where('name', '=', 'Bench channel 1').executeTakeFirst();
  if (channel) await measure('SLA API, 90 days, one channel, by week', `/api/v1/reports/sla?${query.replace('granularity=day', 'granularity=week')}&channelId=${channel.id}`, 10);
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
