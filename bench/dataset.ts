/**
 * A realistic bench data set generated inside PostgreSQL (INSERT … SELECT generate_series, no round
 * trips): channels of every kind with a 60-minute 24/7 SLA policy, 25 agents, contacts and
 * conversations, and about half the messages inbound posts over the last 90 days (more by day than
 * by night), each answered after a long-tailed delay (~8 % late, ~1 % unanswered) with its SLA
 * columns filled in as the clock would have; then the report rollups are rebuilt from them.
 * Built for ten times the default size too (BENCH_SCALE=10): the messages' secondary indexes are
 * dropped for the bulk load and rebuilt once after it (sorting beats ten million random B-tree
 * inserts into indexes far larger than shared_buffers), the session gets the memory to sort and to
 * aggregate the rollups without spilling to disk and no JIT, and the tables are vacuumed and analyzed
 * before the rollups are rebuilt. The primary key and the unique (channel_id, external_id) constraint
 * stay in place throughout.
 */
import type pg from 'pg';

export type DatasetSize = { messages: number; conversations: number };
export type Seeded = { messages: number; conversations: number; seconds: number };

export async function seedDataset(client: pg.Client, size: DatasetSize): Promise<Seeded> {
  const started = Date.now();
  const inbound = Math.ceil(size.messages / 2);
  await client.query(`SET session_replication_role = replica`); // no triggers or FK checks while loading
  // No JIT: compiling report_rebuild()'s 204-bin aggregates took 26–30 s of its 34–38 s at 200 000 messages.
  await client.query(`SET work_mem = '256MB'; SET maintenance_work_mem = '1GB'; SET jit = off`);
  await client.query(`
    INSERT INTO sla_policies (name, first_response_minutes, next_response_minutes, warn_at_percent) VALUES ('Bench 60 min', 60, 60, 80);
    INSERT INTO channels (kind, name, sla_policy_id)
      SELECT (ARRAY['x','whatsapp','email','telegram','webchat','api'])[i], 'Bench channel ' || i, (SELECT id FROM sla_policies LIMIT 1)
      FROM generate_series(1, 6) i;
    INSERT INTO users (email, name, role, password_hash)
      SELECT 'bench-agent-' || i || '@bench.test', 'Bench Agent ' || i, 'agent', 'not-a-login' FROM generate_series(1, 25) i;
    INSERT INTO topics (channel_id, name) SELECT id, 'Topic of ' || name FROM channels;
    CREATE TEMP TABLE ch AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM channels;
    CREATE TEMP TABLE ag AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM users;
    CREATE TEMP TABLE tp AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM topics;
    INSERT INTO contacts (name) SELECT 'Kunde ' || i FROM generate_series(1, ${size.conversations}) i;
    CREATE TEMP TABLE ct AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM contacts;`);
  await client.query(`
    INSERT INTO contact_identities (contact_id, channel_id, external_id, handle, name)
      SELECT ct.id, ch.id, 'bench-author-' || ct.n, 'kunde' || ct.n, 'Kunde ' || ct.n FROM ct JOIN ch ON ch.n = 1 + ct.n % 6;
    INSERT INTO conversations (channel_id, contact_id, status, assignee_id, last_message_at, topic_id)
      SELECT ch.id, ct.id, (ARRAY['new','assigned','answered','closed','closed','closed','saved'])[1 + ct.n % 7],
             CASE WHEN ct.n % 7 <> 0 THEN ag.id END, now() - (random() * interval '90 days'), CASE WHEN ct.n % 3 = 0 THEN tp.id END
        FROM ct JOIN ch ON ch.n = 1 + ct.n % 6 JOIN ag ON ag.n = 1 + ct.n % 25 JOIN tp ON tp.n = 1 + ct.n % 6;
    CREATE TEMP TABLE cv AS SELECT row_number() OVER (ORDER BY id) AS n, id, channel_id, topic_id, assignee_id FROM conversations;
    CREATE TEMP TABLE gen AS
      SELECT i, gen_random_uuid() AS id, gen_random_uuid() AS reply_id, cv.id AS conversation_id, cv.channel_id, cv.topic_id,
             coalesce(cv.assignee_id, (SELECT id FROM ag WHERE n = 1)) AS agent_id,
             least(now() - interval '1 minute', date_trunc('day', now()) - (floor(random() * 90) * interval '1 day')
               + ((5 + 16 * power(random(), 0.9)) * interval '1 hour')) AS posted_at,
             (-ln(1 - random() * 0.9999) * 25) AS wall_minutes, random() AS r
        FROM generate_series(1, ${inbound}) i JOIN cv ON cv.n = 1 + (i - 1) % ${size.conversations};`);
  const rebuildIndexes = await dropSecondaryIndexes(client, 'messages');
  await client.query(`
    INSERT INTO messages (id, conversation_id, channel_id, direction, author_name, author_user_id, text, posted_at, delivery_state)
      SELECT reply_id, conversation_id, channel_id, 'outbound', 'Bench Agent', agent_id, 'Danke für Ihre Nachricht, wir kümmern uns darum.',
             posted_at + wall_minutes * interval '1 minute', 'sent'
        FROM gen WHERE r >= 0.01 AND posted_at + wall_minutes * interval '1 minute' < now();
    INSERT INTO messages (id, conversation_id, channel_id, topic_id, direction, external_id, author_name, author_handle, text, posted_at,
                          sla_policy_id, sla_kind, sla_due_at, sla_warn_at, sla_state, responded_at, response_message_id,
                          business_minutes_to_respond, wall_minutes_to_respond, breached_at, breach_responsible_user_id)
      SELECT id, conversation_id, channel_id, topic_id, 'inbound', 'bench-' || i, 'Kunde', 'kunde', 'Wo bleibt meine Bestellung? Ich warte schon seit Tagen.',
             posted_at, (SELECT id FROM sla_policies LIMIT 1), 'first', due, due - interval '12 minutes',
             CASE WHEN answered THEN (CASE WHEN responded <= due THEN 'met' ELSE 'breached' END) WHEN due <= now() THEN 'breached' ELSE 'ok' END,
             CASE WHEN answered THEN responded END, CASE WHEN answered THEN reply_id END,
             CASE WHEN answered THEN wall_minutes END, CASE WHEN answered THEN wall_minutes END,
             CASE WHEN (answered AND responded > due) OR (NOT answered AND due <= now()) THEN due END,
             CASE WHEN (answered AND responded > due) OR (NOT answered AND due <= now()) THEN agent_id END
        FROM (SELECT g.*, posted_at + interval '60 minutes' AS due, posted_at + wall_minutes * interval '1 minute' AS responded,
                     r >= 0.01 AND posted_at + wall_minutes * interval '1 minute' < now() AS answered FROM gen g) x;
    UPDATE conversations c SET last_message_at = m.last FROM (SELECT conversation_id, max(posted_at) AS last FROM messages GROUP BY 1) m
      WHERE m.conversation_id = c.id;`);
  await rebuildIndexes();
  await client.query(`SET session_replication_role = origin`);
  await client.query(`VACUUM ANALYZE`); // statistics and hint bits first: the rebuild reads every message (and joins each to its reply)
  await client.query(`SELECT report_rebuild()`); // the rollup triggers were off while loading
  await client.query(`ANALYZE report_post_hours, report_post_days, report_agent_days`);
  const {
    rows: [counts],
  } = await client.query<{ messages: string; conversations: string }>(
    `SELECT (SELECT count(*) FROM messages) AS messages, (SELECT count(*) FROM conversations) AS conversations`,
  );
  return { messages: Number(counts!.messages), conversations: Number(counts!.conversations), seconds: (Date.now() - started) / 1000 };
}

/** Drops the table's indexes that back no constraint; the function returned creates them again as they were. */
async function dropSecondaryIndexes(client: pg.Client, table: string): Promise<() => Promise<void>> {
  const { rows } = await client.query<{ name: string; definition: string }>(
    `SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS definition FROM pg_index
      WHERE indrelid = $1::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = indexrelid)`,
    [table],
  );
  for (const index of rows) await client.query(`DROP INDEX ${index.name}`);
  return async () => {
    for (const index of rows) await client.query(index.definition);
  };
}

/**
 * `events` audit events through the real chain trigger (seq, prev_hash and hash per row, so the chain
 * verifies): about 15 % by people (assignments, status changes, replies by the 25 agents), the rest by
 * channels (messages received) and workers (deliveries, polls), spread over the bench's conversations.
 */
export async function seedAuditEvents(client: pg.Client, events: number): Promise<{ events: number; seconds: number }> {
  const started = Date.now();
  await client.query(`
    CREATE TEMP TABLE audit_cv AS SELECT row_number() OVER (ORDER BY id) AS n, id, channel_id FROM conversations;
    CREATE TEMP TABLE audit_ag AS SELECT row_number() OVER (ORDER BY id) AS n, id, email FROM users WHERE role = 'agent';`);
  const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM audit_cv`);
  const conversations = Number(rows[0]!.n);
  // The chain trigger finds the last event with an index scan once the table has statistics; before
  // that its cached plan would scan the table per row. So: a first small chunk, ANALYZE, then the rest.
  const insertRange = (from: number, to: number) =>
    client.query(`
    INSERT INTO audit_events (actor_type, actor_id, actor_label, action, subject_type, subject_id, channel_id, before, after)
    SELECT CASE WHEN k < 15 THEN 'user' WHEN k < 55 THEN 'api_channel' ELSE 'system' END,
           CASE WHEN k < 15 THEN ag.id::text WHEN k < 55 THEN cv.channel_id::text END,
           CASE WHEN k < 15 THEN ag.email WHEN k < 55 THEN 'channel:' || cv.channel_id WHEN k < 80 THEN 'worker:outbound' ELSE 'worker:poll' END,
           CASE WHEN k < 5 THEN 'conversation.assigned' WHEN k < 10 THEN 'conversation.status_changed' WHEN k < 15 THEN 'reply.queued'
                WHEN k < 55 THEN 'message.received' WHEN k < 80 THEN 'message.delivered' ELSE 'sla.responded' END,
           'conversation', cv.id::text, cv.channel_id,
           CASE WHEN k < 10 THEN '{"status": "new"}'::jsonb END,
           CASE WHEN k < 5 THEN jsonb_build_object('assigneeId', ag.id, 'status', 'assigned') WHEN k < 10 THEN '{"status": "closed"}'::jsonb
                ELSE jsonb_build_object('messageId', gen_random_uuid()) END
      FROM (SELECT i, (i * 37) % 100 AS k FROM generate_series(${from}::bigint, ${to}) i) g
      JOIN audit_cv cv ON cv.n = 1 + (g.i * 7919) % ${conversations}
      JOIN audit_ag ag ON ag.n = 1 + g.i % 25
     ORDER BY g.i`);
  const first = Math.min(events, 1_000);
  await insertRange(1, first);
  await client.query(`ANALYZE audit_events`);
  for (let from = first + 1; from <= events; from += 100_000) await insertRange(from, Math.min(events, from + 99_999));
  await client.query(`ANALYZE audit_events`);
  return { events, seconds: (Date.now() - started) / 1000 };
}

/** Messages in the bench's one long conversation: a website chat or an e-mail thread of a long case. */
export const LONG_THREAD_MESSAGES = 240;

/**
 * One closed conversation (so the inbox's lists stay as they were) given LONG_THREAD_MESSAGES more messages before
 * its last one: inbound posts, each timed and answered by a reply a few minutes later. The conversations of the data
 * set hold about five messages each, which hid every cost that grows with a thread. Its id and its thread's length.
 */
export async function seedLongConversation(client: pg.Client): Promise<{ id: string; messages: number }> {
  const { rows } = await client.query<{ id: string }>(`
    WITH c AS (SELECT id, channel_id, last_message_at FROM conversations WHERE status = 'closed' ORDER BY id LIMIT 1),
         -- a post every 20 minutes up to its last message, each answered 5 minutes later
         slots AS (SELECT c.id, c.channel_id, i, c.last_message_at - (${LONG_THREAD_MESSAGES} - 2 * i + 2) * interval '10 minutes' AS posted
                     FROM c, generate_series(1, ${LONG_THREAD_MESSAGES / 2}) i),
         posts AS (
           INSERT INTO messages (conversation_id, channel_id, direction, external_id, author_name, text, posted_at,
                                 sla_kind, sla_due_at, sla_warn_at, sla_state, responded_at)
           SELECT id, channel_id, 'inbound', 'bench-long-' || i, 'Kunde', 'Noch eine Frage zur Bestellung (' || i || ')', posted,
                  'next', posted + interval '60 minutes', posted + interval '48 minutes', 'met', posted + interval '5 minutes'
             FROM slots),
         replies AS (
           INSERT INTO messages (conversation_id, channel_id, direction, author_name, text, posted_at, delivery_state)
           SELECT id, channel_id, 'outbound', 'Bench Agent', 'Danke, wir sehen nach (' || i || ')', posted + interval '5 minutes', 'sent'
             FROM slots)
    SELECT id FROM c`);
  const { id } = rows[0]!;
  const counted = await client.query<{ n: string }>('SELECT count(*) AS n FROM messages WHERE conversation_id = $1', [id]);
  return { id, messages: Number(counted.rows[0]!.n) };
}
