-- Ingest speed (README, Benchmarks).

-- A contact's identities by contact: the foreign-key check of every contact deletion (a batch ingest
-- drops the contacts it created for authors a concurrent batch stored first) scanned the whole table,
-- 40–50 ms per deleted contact with 200 000 identities.
CREATE INDEX IF NOT EXISTS contact_identities_contact_idx ON contact_identities (contact_id);

-- The topic copy of 005_reports.sql, once per INSERT statement instead of once per row: a batch of 500
-- posts called a PL/pgSQL function and a lookup 500 times (a fifth of the batch's time). Only posts
-- stored without the topic their conversation has are touched (the ingest path gives it).
DROP TRIGGER messages_copy_topic ON messages;
DROP FUNCTION messages_copy_topic();
CREATE FUNCTION messages_copy_topic() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE messages m SET topic_id = c.topic_id
    FROM new_rows n JOIN conversations c ON c.id = n.conversation_id
   WHERE m.id = n.id AND n.direction = 'inbound' AND n.topic_id IS NULL AND c.topic_id IS NOT NULL;
  RETURN NULL;
END $$;
CREATE TRIGGER messages_copy_topic AFTER INSERT ON messages
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION messages_copy_topic();
