-- Report rollups (docs/reports.md, "Speed"): the reports read per-hour and per-day figures instead of
-- a million posts. Ingest and the SLA clock never update a shared counter row: a statement trigger
-- on messages only APPENDS the net change of each statement to report_deltas (no row is ever locked
-- by two writers), and report_fold() moves committed deltas into the rollups (a worker job every
-- minute). Reports read rollup + unfolded deltas in one snapshot, so they are always exact.

-- Response-time bins in minutes: bin i is [edge i, edge i+1), the last is open-ended. Keep in step with
-- RESPONSE_BIN_EDGES in server/domain/reports/histogram.ts (a test compares them).
CREATE FUNCTION report_bin(minutes double precision) RETURNS smallint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (greatest(width_bucket(minutes, '{0,1,2,3,4,5,6,7,8,9,10,12,15,18,20,25,30,35,40,45,50,55,60,70,80,90,100,110,120,150,180,210,240,300,360,420,480,600,720,960,1200,1440,1800,2160,2880,4320,5760,7200,10080,20160,43200}'::double precision[]), 1) - 1)::smallint
$$;

-- The local days of the day rollups are days of the default team time zone (DEFAULT_TIME_ZONE).
CREATE FUNCTION report_day_zone() RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 'Europe/Berlin' $$;

-- What one message adds to the rollups (the counting rules of docs/reports.md, per post):
--  'post'  (UTC hour of posted_at, channel, topic): every inbound post; decided outcomes of timed posts
--          (within target / answered late / breached and unanswered) and the bins of its response times.
--          Posts still awaiting an answer without a recorded breach are read live (they depend on "now").
--  'agent' (local day of posted_at in report_day_zone(), channel, topic, user): the answer of the user whose reply answered the
--          post, the breach of the responsible user, and each outbound reply of its author.
CREATE FUNCTION report_contributions(m messages) RETURNS TABLE (
  kind text, slot timestamptz, channel_id uuid, topic_id uuid, user_id uuid,
  inbound int, within int, late int, breached int, replies int, bbin smallint, wbin smallint, bval double precision, wval double precision
) LANGUAGE sql STABLE AS $$
  WITH p AS (
    SELECT m.direction = 'inbound' AS inb,
           coalesce(m.topic_id, '00000000-0000-0000-0000-000000000000'::uuid) AS topic,
           m.sla_due_at IS NOT NULL AND m.responded_at IS NOT NULL AS answered,
           m.sla_due_at IS NOT NULL AND m.responded_at IS NOT NULL AND m.responded_at <= m.sla_due_at
             AND m.sla_state IS DISTINCT FROM 'breached' AS w,
           m.sla_due_at IS NOT NULL AND m.responded_at IS NULL AND m.sla_state = 'breached' AS b),
  q AS (SELECT p.*, p.answered AND NOT p.w AS l FROM p)
  SELECT 'post', date_trunc('hour', m.posted_at, 'UTC'), m.channel_id, q.topic, NULL::uuid, 1, q.w::int, q.l::int, q.b::int, 0,
         CASE WHEN q.answered THEN report_bin(m.business_minutes_to_respond) END,
         CASE WHEN q.answered THEN report_bin(m.wall_minutes_to_respond) END,
         CASE WHEN q.answered THEN m.business_minutes_to_respond END, CASE WHEN q.answered THEN m.wall_minutes_to_respond END
    FROM q WHERE q.inb
  UNION ALL
  SELECT 'agent', date_trunc('day', m.posted_at, report_day_zone()), m.channel_id, q.topic, r.author_user_id, 0, q.w::int, q.l::int, 0, 0,
         report_bin(m.business_minutes_to_respond), report_bin(m.wall_minutes_to_respond),
         m.business_minutes_to_respond, m.wall_minutes_to_respond
    FROM q JOIN messages r ON r.id = m.response_message_id
   WHERE q.inb AND q.answered AND r.author_user_id IS NOT NULL
  UNION ALL
  SELECT 'agent', date_trunc('day', m.posted_at, report_day_zone()), m.channel_id, q.topic, m.breach_responsible_user_id, 0, 0, 0, 1, 0, NULL, NULL, NULL, NULL
    FROM q WHERE q.inb AND (q.l OR q.b) AND m.breach_responsible_user_id IS NOT NULL
  UNION ALL
  SELECT 'agent', date_trunc('day', m.posted_at, report_day_zone()), m.channel_id, q.topic, m.author_user_id, 0, 0, 0, 0, 1, NULL, NULL, NULL, NULL
    FROM q WHERE m.direction = 'outbound' AND m.author_user_id IS NOT NULL
$$;

CREATE TABLE report_deltas (
  id         bigserial PRIMARY KEY,
  kind       text NOT NULL CHECK (kind IN ('post', 'agent')),
  slot       timestamptz NOT NULL,
  channel_id uuid NOT NULL,
  topic_id   uuid NOT NULL,
  user_id    uuid,
  sign       int NOT NULL,
  inbound    int NOT NULL,
  within     int NOT NULL,
  late       int NOT NULL,
  breached   int NOT NULL,
  replies    int NOT NULL,
  bbin       smallint,
  wbin       smallint,
  bval       double precision,
  wval       double precision
);
CREATE INDEX report_deltas_slot_idx ON report_deltas (kind, slot);

CREATE TABLE report_post_hours (
  slot       timestamptz NOT NULL,
  channel_id uuid NOT NULL,
  topic_id   uuid NOT NULL,
  inbound    int NOT NULL DEFAULT 0,
  within     int NOT NULL DEFAULT 0,
  late       int NOT NULL DEFAULT 0,
  breached   int NOT NULL DEFAULT 0,
  PRIMARY KEY (slot, channel_id, topic_id)
);

CREATE TABLE report_agent_days (
  slot       timestamptz NOT NULL,
  channel_id uuid NOT NULL,
  topic_id   uuid NOT NULL,
  user_id    uuid NOT NULL,
  within     int NOT NULL DEFAULT 0,
  late       int NOT NULL DEFAULT 0,
  breached   int NOT NULL DEFAULT 0,
  replies    int NOT NULL DEFAULT 0,
  PRIMARY KEY (slot, channel_id, topic_id, user_id)
);

-- Per bin and measure a count and the sum of the values (b0, b0s … b50, b50s business; w0, w0s … wall):
-- the sum places a bin's values around their true mean, so a bin holding one value holds it exactly.
-- Summing plain columns is what PostgreSQL does fastest; no array arithmetic is needed.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['report_post_hours', 'report_agent_days'] LOOP
    FOR i IN 0..50 LOOP
      EXECUTE format('ALTER TABLE %2$I ADD COLUMN b%1$s int NOT NULL DEFAULT 0, ADD COLUMN b%1$ss double precision NOT NULL DEFAULT 0,
        ADD COLUMN w%1$s int NOT NULL DEFAULT 0, ADD COLUMN w%1$ss double precision NOT NULL DEFAULT 0', i, t);
    END LOOP;
  END LOOP;
END $$;

-- The same per local day of the default team time zone (report_day_zone()): the daily and weekly reports
-- of the usual time zone read ~24 times fewer rows.
CREATE TABLE report_post_days (LIKE report_post_hours INCLUDING DEFAULTS);
ALTER TABLE report_post_days RENAME COLUMN slot TO day;
ALTER TABLE report_post_days ALTER COLUMN day TYPE date, ADD PRIMARY KEY (day, channel_id, topic_id);

-- The net change of one statement: old contributions out, new ones in, unchanged ones cancel out.
CREATE FUNCTION messages_report_deltas() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  gone CONSTANT text := 'SELECT c.*, -1 AS sign FROM old_rows o CROSS JOIN LATERAL report_contributions(o) c';
  came CONSTANT text := 'SELECT c.*, 1 AS sign FROM new_rows n CROSS JOIN LATERAL report_contributions(n) c';
BEGIN
  -- A statement has only the transition tables of its own event, so the source is chosen per event.
  -- Equal contributions are merged: a batch of 500 posts of one channel and hour is one delta row.
  EXECUTE format($sql$
    INSERT INTO report_deltas (kind, slot, channel_id, topic_id, user_id, sign, inbound, within, late, breached, replies, bbin, wbin, bval, wval)
    SELECT kind, slot, channel_id, topic_id, user_id, sum(sign), inbound, within, late, breached, replies, bbin, wbin, bval, wval
      FROM (%s) d
     GROUP BY kind, slot, channel_id, topic_id, user_id, inbound, within, late, breached, replies, bbin, wbin, bval, wval
    HAVING sum(sign) <> 0$sql$,
    CASE TG_OP WHEN 'INSERT' THEN came WHEN 'DELETE' THEN gone ELSE gone || ' UNION ALL ' || came END);
  RETURN NULL;
END $$;

CREATE TRIGGER messages_report_insert AFTER INSERT ON messages
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION messages_report_deltas();
CREATE TRIGGER messages_report_update AFTER UPDATE ON messages
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION messages_report_deltas();
CREATE TRIGGER messages_report_delete AFTER DELETE ON messages
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION messages_report_deltas();

-- Adds contribution rows (columns of report_deltas; `sign` weighs each) into the rollups.
-- post_source / agent_source are queries yielding such rows of their kind.
CREATE FUNCTION report_fold_from(post_source text, agent_source text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  cols text := (SELECT string_agg(format('%1$s%2$s, %1$s%2$ss', m, i), ', ' ORDER BY m, i) FROM generate_series(0, 50) i, unnest('{b,w}'::text[]) m);
  sums text := (SELECT string_agg(format('coalesce(sum(sign) FILTER (WHERE %1$sbin = %2$s), 0), coalesce(sum(sign * %1$sval) FILTER (WHERE %1$sbin = %2$s), 0)', m, i),
                  ', ' ORDER BY m, i) FROM generate_series(0, 50) i, unnest('{b,w}'::text[]) m);
  adds text := (SELECT string_agg(format('%1$s%2$s = t.%1$s%2$s + excluded.%1$s%2$s, %1$s%2$ss = t.%1$s%2$ss + excluded.%1$s%2$ss', m, i), ', ' ORDER BY m, i)
                  FROM generate_series(0, 50) i, unnest('{b,w}'::text[]) m);
BEGIN
  EXECUTE format($sql$
    WITH src AS (%1$s),
    hours AS (
      INSERT INTO report_post_hours AS t (slot, channel_id, topic_id, inbound, within, late, breached, %2$s)
      SELECT slot, channel_id, topic_id, sum(sign * inbound), sum(sign * within), sum(sign * late), sum(sign * breached), %3$s
        FROM src GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
      ON CONFLICT (slot, channel_id, topic_id) DO UPDATE SET inbound = t.inbound + excluded.inbound, within = t.within + excluded.within,
        late = t.late + excluded.late, breached = t.breached + excluded.breached, %4$s)
    INSERT INTO report_post_days AS t (day, channel_id, topic_id, inbound, within, late, breached, %2$s)
    SELECT (slot AT TIME ZONE report_day_zone())::date, channel_id, topic_id, sum(sign * inbound), sum(sign * within), sum(sign * late),
           sum(sign * breached), %3$s
      FROM src GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (day, channel_id, topic_id) DO UPDATE SET inbound = t.inbound + excluded.inbound, within = t.within + excluded.within,
      late = t.late + excluded.late, breached = t.breached + excluded.breached, %4$s$sql$, post_source, cols, sums, adds);
  EXECUTE format($sql$
    WITH src AS (%1$s)
    INSERT INTO report_agent_days AS t (slot, channel_id, topic_id, user_id, within, late, breached, replies, %2$s)
    SELECT slot, channel_id, topic_id, user_id, sum(sign * within), sum(sign * late), sum(sign * breached), sum(sign * replies), %3$s
      FROM src GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (slot, channel_id, topic_id, user_id) DO UPDATE SET within = t.within + excluded.within, late = t.late + excluded.late,
      breached = t.breached + excluded.breached, replies = t.replies + excluded.replies, %4$s$sql$, agent_source, cols, sums, adds);
END $$;

-- Moves the committed deltas into the rollups. One folder at a time; a concurrent call returns at once.
CREATE FUNCTION report_fold() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtext('replyline_report_fold')) THEN RETURN; END IF;
  PERFORM report_fold_from(
    $q$DELETE FROM report_deltas WHERE kind = 'post' RETURNING *$q$,
    $q$DELETE FROM report_deltas WHERE kind = 'agent' RETURNING *$q$);
END $$;

-- Recomputes both rollups from the messages (after a bulk load that bypassed triggers).
CREATE FUNCTION report_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('replyline_report_fold'));
  LOCK TABLE report_deltas IN EXCLUSIVE MODE;
  TRUNCATE report_post_hours, report_post_days, report_agent_days;
  DELETE FROM report_deltas;
  PERFORM report_fold_from(
    $q$SELECT c.*, 1 AS sign FROM messages m CROSS JOIN LATERAL report_contributions(m) c WHERE c.kind = 'post'$q$,
    $q$SELECT c.*, 1 AS sign FROM messages m CROSS JOIN LATERAL report_contributions(m) c WHERE c.kind = 'agent'$q$);
END $$;

-- Posts awaiting an answer without a recorded breach: the live part of every SLA report.
CREATE INDEX IF NOT EXISTS messages_report_awaiting_idx ON messages (posted_at)
  INCLUDE (channel_id, topic_id, sla_due_at)
  WHERE direction = 'inbound' AND sla_due_at IS NOT NULL AND responded_at IS NULL AND sla_state IS DISTINCT FROM 'breached';

-- The backlog report: the oldest unanswered inbound post of each conversation, from a small index.
CREATE INDEX IF NOT EXISTS messages_report_unanswered_idx ON messages (conversation_id) INCLUDE (posted_at)
  WHERE direction = 'inbound' AND responded_at IS NULL;

SELECT report_rebuild();
