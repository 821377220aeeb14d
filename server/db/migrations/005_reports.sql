-- Manager reports: the topic of each inbound post next to its SLA columns, and indexes that let every
-- report read inbound/outbound posts of a time range from the index alone (no table heap, no locks
-- beyond the ACCESS SHARE every SELECT takes). See docs/reports.md.

-- A post's topic is its conversation's topic (conversations.topic_id). Copied onto the post so the
-- report index can cover it; the database keeps the copy right, so no application code has to.
ALTER TABLE messages ADD COLUMN topic_id uuid;

UPDATE messages m SET topic_id = c.topic_id
  FROM conversations c
 WHERE c.id = m.conversation_id AND c.topic_id IS NOT NULL AND m.direction = 'inbound';

CREATE FUNCTION messages_copy_topic() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.direction = 'inbound' AND NEW.topic_id IS NULL THEN
    SELECT c.topic_id INTO NEW.topic_id FROM conversations c WHERE c.id = NEW.conversation_id;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER messages_copy_topic BEFORE INSERT ON messages
  FOR EACH ROW EXECUTE FUNCTION messages_copy_topic();

CREATE FUNCTION conversations_propagate_topic() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE messages SET topic_id = NEW.topic_id
   WHERE conversation_id = NEW.id AND direction = 'inbound' AND topic_id IS DISTINCT FROM NEW.topic_id;
  RETURN NULL;
END $$;
CREATE TRIGGER conversations_propagate_topic AFTER UPDATE OF topic_id ON conversations
  FOR EACH ROW WHEN (OLD.topic_id IS DISTINCT FROM NEW.topic_id) EXECUTE FUNCTION conversations_propagate_topic();

-- Every SLA/volume/response-time report: inbound posts of a posted_at range, answered from the index
-- (index-only scan) with everything the counting rules need.
CREATE INDEX IF NOT EXISTS messages_report_inbound_idx ON messages (posted_at)
  INCLUDE (channel_id, topic_id, sla_due_at, sla_state, responded_at, business_minutes_to_respond,
           wall_minutes_to_respond, response_message_id, breach_responsible_user_id)
  WHERE direction = 'inbound';

-- The people report: replies sent per agent in a range.
CREATE INDEX IF NOT EXISTS messages_report_outbound_idx ON messages (posted_at)
  INCLUDE (author_user_id, channel_id)
  WHERE direction = 'outbound';

-- The backlog report: open conversations by status and age.
CREATE INDEX IF NOT EXISTS conversations_report_backlog_idx ON conversations (status, created_at)
  INCLUDE (channel_id, topic_id)
  WHERE status <> 'closed';
