-- The statement triggers of messages, planned once per connection instead of once per statement.
--
-- messages_report_deltas (009_report_rollup) built its INSERT with EXECUTE format(), so PostgreSQL parsed
-- and planned it, report_contributions inlined, on every INSERT, UPDATE and DELETE of messages: 3–4 ms of a
-- 12-post ingest group's INSERT, about 7 ms of any UPDATE, even one that changed no row. Written out per
-- event the statements are static, and PL/pgSQL keeps their plans (per trigger, so each sees its own
-- transition tables): under 1 ms. The deltas are the same rows as before.
--
-- A kept plan is made from the first statement's size on its connection (a sort or a hash to group the
-- contributions; either serves any size) and is made again when what it inlines is replaced:
-- report_contributions(), report_bin(), the table. Not when report_day_zone() is: it is IMMUTABLE, so its
-- value is folded into the plan. A migration that changes the zone must also replace report_contributions()
-- (which drops the kept plans) before it rebuilds the rollups.
--
-- messages_copy_topic (010_ingest_speed) ran its UPDATE on every INSERT although the ingest path gives every
-- post its conversation's topic; that empty UPDATE still fired the update trigger above (6–9 ms). It now
-- updates only when some new post lacks a topic its conversation has.
CREATE OR REPLACE FUNCTION messages_report_deltas() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Equal contributions are merged: a batch of 500 posts of one channel and hour is one delta row.
  IF TG_OP = 'INSERT' THEN
    INSERT INTO report_deltas (kind, slot, channel_id, topic_id, user_id, sign, inbound, within, late, breached, replies, bbin, wbin, bval, wval)
    SELECT kind, slot, channel_id, topic_id, user_id, count(*), inbound, within, late, breached, replies, bbin, wbin, bval, wval
      FROM (SELECT c.* FROM new_rows n CROSS JOIN LATERAL report_contributions(n) c) d
     GROUP BY kind, slot, channel_id, topic_id, user_id, inbound, within, late, breached, replies, bbin, wbin, bval, wval;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO report_deltas (kind, slot, channel_id, topic_id, user_id, sign, inbound, within, late, breached, replies, bbin, wbin, bval, wval)
    SELECT kind, slot, channel_id, topic_id, user_id, -count(*), inbound, within, late, breached, replies, bbin, wbin, bval, wval
      FROM (SELECT c.* FROM old_rows o CROSS JOIN LATERAL report_contributions(o) c) d
     GROUP BY kind, slot, channel_id, topic_id, user_id, inbound, within, late, breached, replies, bbin, wbin, bval, wval;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO report_deltas (kind, slot, channel_id, topic_id, user_id, sign, inbound, within, late, breached, replies, bbin, wbin, bval, wval)
    SELECT kind, slot, channel_id, topic_id, user_id, sum(sign), inbound, within, late, breached, replies, bbin, wbin, bval, wval
      FROM (SELECT c.*, -1 AS sign FROM old_rows o CROSS JOIN LATERAL report_contributions(o) c
            UNION ALL
            SELECT c.*, 1 AS sign FROM new_rows n CROSS JOIN LATERAL report_contributions(n) c) d
     GROUP BY kind, slot, channel_id, topic_id, user_id, inbound, within, late, breached, replies, bbin, wbin, bval, wval
    HAVING sum(sign) <> 0;
  ELSE
    RAISE EXCEPTION 'messages_report_deltas: no deltas for %', TG_OP;
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION messages_copy_topic() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT FROM new_rows n JOIN conversations c ON c.id = n.conversation_id
              WHERE n.direction = 'inbound' AND n.topic_id IS NULL AND c.topic_id IS NOT NULL) THEN
    UPDATE messages m SET topic_id = c.topic_id
      FROM new_rows n JOIN conversations c ON c.id = n.conversation_id
     WHERE m.id = n.id AND n.direction = 'inbound' AND n.topic_id IS NULL AND c.topic_id IS NOT NULL;
  END IF;
  RETURN NULL;
END $$;
